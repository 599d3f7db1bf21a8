"""Payments test data: masters, funds, payees and approved bills, built through the services where they exist."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from core.models import Tenant
from payments.clients.jit_messages import VaAllotment
from payments.models import HeadOfAccount, SpendingUnit
from payments.services.bills import BankAccountInput, LineItemInput, PayeeInput, expense_bill_create
from payments.services.funds import allotment_apply
from tests.core.factories import TenantFactory

IST = ZoneInfo("Asia/Kolkata")


class HeadOfAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HeadOfAccount
        django_get_or_create = ("tenant", "code")

    tenant = factory.LazyFunction(lambda: TenantFactory(code="od"))
    code = "2215-01-102-0249-02082-500-0-02"
    name = "MUKTA: General"
    sequence = 3
    scheme_code = "13145"
    effective_from = factory.LazyFunction(lambda: datetime(2026, 4, 1, tzinfo=IST))


class SpendingUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpendingUnit
        django_get_or_create = ("tenant", "ssu_id")

    tenant = factory.LazyFunction(lambda: TenantFactory(code="od.angul"))
    ssu_id = "SSU0001"
    ssu_code = "ANGUL-ULB"
    ddo_code = "DDO0001"
    grantee_ag_code = "GRT0001"
    grantee_name = "Angul Municipality"
    ssu_office = "Angul"


_allotment_serial = iter(range(1, 10**6))


def funds_add(
    *,
    unit: SpendingUnit,
    head: HeadOfAccount,
    amount: Decimal,
    master_allotment_id: str = "MAD0001",
    allotted_at: datetime | None = None,
) -> None:
    """An initial allotment of `amount` (sanctioned twice that), as VA would record it, now unless `allotted_at`."""
    serial = f"T{next(_allotment_serial):07d}"
    allotment_apply(
        tenant_id=unit.tenant_id,
        ssu_id=unit.ssu_id,
        allotment=VaAllotment(
            hoa=head.code,
            ddo_code=unit.ddo_code,
            ssu_id=unit.ssu_id,
            master_allotment_id=master_allotment_id,
            ssu_allotment_id=f"SSUA{serial}",
            serial_number=serial,
            transaction_type="Initial Allotment",
            amount=amount,
            available_balance=amount,
            allotment_date=allotted_at or timezone.localtime(timezone.now(), IST),
        ),
    )


def payee_input(index: int, *, tenant_code: str = "od.angul", **overrides) -> PayeeInput:
    fields = {
        "payee_type": "IND",
        "identifier": f"IND-{tenant_code}-{index:04d}",
        "name": f"Wage Seeker {index}",
        "mobile_number": f"98765{index:05d}",
        "address": "Ward 3, Angul",
        "bank_account": BankAccountInput(
            account_number=f"1234567{index:05d}", ifsc="SBIN0001234", account_holder_name=f"Wage Seeker {index}"
        ),
    }
    fields.update(overrides)
    return PayeeInput(**fields)


_bill_serial = iter(range(1, 10**6))


def bill_create(*, tenant: Tenant, amounts: list[Decimal], push: bool = False, actor=None):
    """An approved wage bill paying one wage seeker per amount."""
    number = next(_bill_serial)
    return expense_bill_create(
        tenant_id=tenant.code,
        bill_number=f"WB/2026-27/{number:06d}",
        bill_type="EXPENSE.WAGES",
        bill_date=date(2026, 11, 1),
        reference_id=f"MR/2026-27/{number:06d}",
        line_items=[
            LineItemInput(payee=payee_input(number * 100 + index), head_code="WAGE", amount=amount)
            for index, amount in enumerate(amounts, start=1)
        ],
        actor=actor,
        push=push,
    )


def pi_with_a_failed_payment(tenant: Tenant):
    """An original PI walked through the JIT-FS simulator (PI → PIS → PAG → PD → FD) for two beneficiaries, the
    second of whom fails at FD. The simulator's scenarios are reset again before it is answered."""
    from payments.services.failures import fd_run
    from payments.services.instructions import pi_create
    from payments.services.polling import jit_poll_run
    from simulators.jit.services import sim_scenario_set, sim_scenarios_reset

    bill = bill_create(tenant=tenant, amounts=[Decimal("1200.00"), Decimal("850.75")])
    original = pi_create(tenant_id=tenant.code, reference_id=bill.payment.payment_number, actor=None)
    for service in ("PIS", "PAG", "PD"):
        jit_poll_run(service=service)
    failing = original.beneficiaries.order_by("id").last()
    sim_scenario_set(service="FD", fail_benf_ids=[failing.beneficiary_number])
    fd_run()
    sim_scenarios_reset()
    return original
