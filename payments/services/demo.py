"""Demo payments data for `make run`: Angul's treasury masters, funds, and an approved wage bill whose PI waits
to be sent (open it under Payment instructions and press Refresh to walk it through JIT-FS). Idempotent."""

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.models import Tenant
from payments.clients.jit_messages import IST, VaAllotment
from payments.models import ExpenseBill, HeadOfAccount, SpendingUnit
from payments.services.bills import BankAccountInput, LineItemInput, PayeeInput, expense_bill_create
from payments.services.funds import allotment_apply
from payments.services.instructions import pi_original_store

DEMO_CITY = "od.angul"
DEMO_BILL = "WB/2026-27/DEMO01"
DEMO_WAGE_SEEKERS = [
    ("IND-ANG-0001", "Sunita Behera", "9437000001", "30000000001", "SBIN0001234", Decimal("3450.00")),
    ("IND-ANG-0002", "Ramesh Pradhan", "9437000002", "30000000002", "UTIB0000456", Decimal("2875.50")),
    ("IND-ANG-0003", "Lakshmi Sahoo", "9437000003", "30000000003", "HDFC0000789", Decimal("4100.00")),
]


@transaction.atomic
def payments_demo_seed() -> None:
    city = Tenant.objects.filter(code=DEMO_CITY).first()
    if city is None:
        return
    _simulator_keys_when_used()
    head, _ = HeadOfAccount.objects.get_or_create(
        tenant_id=city.state_code,
        code="2215-01-102-0249-02082-500-0-02",
        defaults={
            "name": "MUKTA: General",
            "sequence": 3,
            "scheme_code": "13145",
            "effective_from": datetime(2026, 4, 1, tzinfo=IST),
        },
    )
    unit, _ = SpendingUnit.objects.get_or_create(
        tenant=city,
        ssu_id="SSU-ANG-01",
        defaults={
            "ssu_code": "ANGUL-MPL",
            "ddo_code": "DDO-ANG-01",
            "grantee_ag_code": "GRT-ANG-01",
            "grantee_name": "Angul Municipality",
            "ssu_office": "Angul",
            "program_code": "MUKTA",
        },
    )
    allotment_apply(
        tenant_id=city.code,
        ssu_id=unit.ssu_id,
        allotment=VaAllotment(
            hoa=head.code,
            ddo_code=unit.ddo_code,
            ssu_id=unit.ssu_id,
            master_allotment_id="MAD-ANG-2026-01",
            ssu_allotment_id="SSUA-DEMO-01",
            serial_number="DEMO-000001",
            transaction_type="Initial Allotment",
            amount=Decimal("2500000.00"),
            available_balance=Decimal("2500000.00"),
            allotment_date=timezone.localtime(timezone.now(), IST),
        ),
    )
    if ExpenseBill.objects.filter(tenant=city, bill_number=DEMO_BILL).exists():
        return
    bill = expense_bill_create(
        tenant_id=city.code,
        bill_number=DEMO_BILL,
        bill_type=ExpenseBill.Type.WAGE,
        bill_date=date(2026, 11, 1),
        reference_id="MR/2026-27/DEMO01",
        line_items=[
            LineItemInput(
                payee=PayeeInput(
                    payee_type="IND",
                    identifier=identifier,
                    name=name,
                    mobile_number=mobile,
                    address="Angul",
                    bank_account=BankAccountInput(account_number=account, ifsc=ifsc, account_holder_name=name),
                ),
                head_code="WAGE",
                amount=amount,
            )
            for identifier, name, mobile, account, ifsc, amount in DEMO_WAGE_SEEKERS
        ],
        actor=None,
        push=False,
    )
    pi_original_store(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)


def _simulator_keys_when_used() -> None:
    """Where Kosh is pointed at the JIT-FS simulator (`make run`), its key pair must exist before the first call."""
    from simulators.jit import crypto

    if settings.KOSH_JIT_PUBLIC_KEY_FILE and Path(settings.KOSH_JIT_PUBLIC_KEY_FILE) == crypto.public_key_path():
        crypto.keys_ensure()
