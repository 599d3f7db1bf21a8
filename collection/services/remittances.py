"""Bank remittance: approved cash and cheque receipts deposited in a ULB bank account. A remittance only moves
money from cash or cheques in hand to the bank (one contra voucher); it never touches bills or demands."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from billing.selectors import city_get
from collection.models import InstrumentStatus, Payment, PaymentMode, PaymentStatus, Remittance
from collection.services.receipts import BANK_GL_CODE, INSTRUMENT_GL_CODES
from core.errors import ApplicationError
from core.models import IdFormat, User
from core.money import ZERO
from core.services.audit import audit_record
from core.services.idgen import ID_TIME_ZONE, id_generate
from ledger.models import Voucher
from ledger.services import LineSpec, voucher_post

REMITTANCE_ID_NAME = "collection.remittance.id"
REMITTANCE_ID_FORMAT = "REM/[SEQ_COLL_REMITTENCE]/[cy:MM]/[fy:yyyy-yy]"
REMITTANCE_SOURCE_TYPE = "collection.remittance"
REMITTABLE_MODES = (PaymentMode.CASH, PaymentMode.CHEQUE, PaymentMode.DD)


@dataclass(frozen=True)
class RemittanceInput:
    """Which receipts to deposit: named by receipt number, or every approved one of a service up to a date."""

    tenant_id: str
    bank_account: str
    receipt_numbers: Sequence[str] = ()
    business_service: str = ""
    to_date: date | None = None
    remarks: str = ""
    reason_for_delay: str = ""


def remittance_create(*, remittance: RemittanceInput, actor: User | None, source_ip: str | None = None) -> Remittance:
    tenant = city_get(tenant_id=remittance.tenant_id)
    if not remittance.receipt_numbers and not remittance.business_service:
        raise ApplicationError(
            "INVALID_REMITTANCE",
            "Remittance.remittanceReceipts: name the receipts, or a businessService to remit",
            field="Remittance.remittanceReceipts",
        )
    today = timezone.localdate(timezone=ID_TIME_ZONE)
    with transaction.atomic():
        chosen = Payment.objects.filter(tenant_id=tenant.code)
        if remittance.receipt_numbers:
            chosen = chosen.filter(details__receipt_number__in=list(remittance.receipt_numbers))
        else:
            chosen = chosen.filter(
                details__business_service__code=remittance.business_service,
                instrument_status=InstrumentStatus.APPROVED,
                payment_mode__in=REMITTABLE_MODES,
                transaction_date__date__lte=remittance.to_date or today,
            )
        # Locked, then checked: a receipt cancelled or remitted meanwhile is refused, not remitted twice.
        payments = list(
            Payment.objects.select_for_update(of=("self",)).filter(pk__in=chosen.values("pk")).order_by("pk")
        )
        _eligible_check(payments=payments, receipt_numbers=remittance.receipt_numbers)
        row = Remittance.objects.create(
            tenant_id=tenant.code,
            reference_number=_reference_number(tenant_id=tenant.code),
            reference_date=today,
            bank_account=remittance.bank_account,
            bank_gl_code=BANK_GL_CODE,
            total_amount=sum((payment.total_amount_paid for payment in payments), ZERO),
            remarks=remittance.remarks,
            reason_for_delay=remittance.reason_for_delay,
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        row.voucher = _contra_post(remittance=row, payments=payments, actor=actor)
        row.save(update_fields=["voucher"])
        for payment in payments:
            payment.instrument_status = InstrumentStatus.REMITTED
            payment.payment_status = PaymentStatus.DEPOSITED
            payment.remittance = row
            payment.modified_by = row.created_by
            payment.save(
                update_fields=["instrument_status", "payment_status", "remittance", "modified_by", "modified_at"]
            )
            audit_record(
                actor=actor,
                entity=payment,
                action="PAYMENT_REMIT",
                from_state=InstrumentStatus.APPROVED,
                to_state=InstrumentStatus.REMITTED,
                source_ip=source_ip,
                data={"referenceNumber": row.reference_number},
            )
        audit_record(
            actor=actor,
            entity=row,
            action="REMITTANCE_CREATE",
            to_state=row.status,
            source_ip=source_ip,
            data={"referenceNumber": row.reference_number, "totalAmount": row.total_amount, "payments": len(payments)},
        )
        return row


def _eligible_check(*, payments: list[Payment], receipt_numbers: Sequence[str]) -> None:
    if not payments:
        raise ApplicationError(
            "INVALID_REMITTANCE",
            "Remittance.remittanceReceipts: no approved cash or cheque receipts to remit",
            field="Remittance.remittanceReceipts",
        )
    found = set()
    for payment in payments:
        numbers = list(payment.details.values_list("receipt_number", flat=True))
        found.update(numbers)
        if payment.payment_mode not in REMITTABLE_MODES or payment.instrument_status != InstrumentStatus.APPROVED:
            raise ApplicationError(
                "RECEIPT_WORKFLOW_ACTION_NOT_APPLICABLE",
                f"Remittance.remittanceReceipts: receipt {numbers[0]} is {payment.payment_mode} "
                f"{payment.instrument_status}; only APPROVED cash, cheque and demand draft receipts are remitted",
                field="Remittance.remittanceReceipts",
            )
    missing = sorted(set(receipt_numbers) - found)
    if missing:
        raise ApplicationError(
            "INVALID_RECEIPT_NUMBER",
            f"Remittance.remittanceReceipts: no receipt {missing[0]}",
            field="Remittance.remittanceReceipts",
        )


def _reference_number(*, tenant_id: str) -> str:
    # The state's format is made on first use, so every state can remit without a seed step.
    state_id = tenant_id.split(".", 1)[0]
    IdFormat.objects.bulk_create(
        [
            IdFormat(
                tenant_id=state_id,
                name=REMITTANCE_ID_NAME,
                format=REMITTANCE_ID_FORMAT,
                reset=IdFormat.Reset.FINANCIAL_YEAR,
            )
        ],
        ignore_conflicts=True,
    )
    return id_generate(tenant_id=tenant_id, name=REMITTANCE_ID_NAME)


def _contra_post(*, remittance: Remittance, payments: list[Payment], actor: User | None) -> Voucher:
    lines = [LineSpec(gl_code=remittance.bank_gl_code, debit=remittance.total_amount)]
    lines += [
        LineSpec(gl_code=INSTRUMENT_GL_CODES[payment.payment_mode], credit=payment.total_amount_paid)
        for payment in payments
    ]
    return voucher_post(
        tenant_id=remittance.tenant_id,
        voucher_type=Voucher.Type.CONTRA,
        voucher_date=remittance.reference_date,
        lines=lines,
        narration=f"Remittance {remittance.reference_number} to bank account {remittance.bank_account}",
        source_type=REMITTANCE_SOURCE_TYPE,
        source_id=str(remittance.pk),
        posted_by=actor,
    )
