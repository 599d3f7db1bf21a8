"""Revised Payment Instructions (JIT `COR`): the failed beneficiaries of a PARTIAL PI, paid again.

The revision copies the failed beneficiaries with the same benfId and amount and each payee's current bank
account, under the original (`parent`, always the root); it replaces the PI that failed (the original or the
previous revision). COR success → the revision INITIATED and the replaced PI COMPLETED; COR error → the
revision FAILED and inactive, the replaced PI stays PARTIAL so it can be revised again.

The treasury takes a COR only within 90 days of the original and within its financial year, or in the next
year's first month (to 30 April 23:59:59 IST), as MUKTASoft's ifms-adapter has it (#1794). Later, Generate
Revised PI makes a fresh ORIGINAL PI for the same failed beneficiaries instead: its own number, funds debited
from a current sanction, sent by the PI service and polled PIS → PAG → PD → FD like any original. It replaces
the failed PI the same way: accepted → the replaced PI COMPLETED; refused → FAILED, the replaced PI stays PARTIAL."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError, NotFoundError
from core.fiscal import financial_year_start
from core.models import User
from core.services.audit import audit_record
from payments.models import JitService, PaymentAdvice, PaymentInstruction, PIBeneficiary
from payments.services.instructions import pi_funds_take
from payments.services.numbers import PI_NUMBER, REVISED_PI_NUMBER, payments_number_next

IST = ZoneInfo("Asia/Kolkata")
REVISION_DAYS = 90

LIVE_REVISION_STATUSES = (
    PaymentInstruction.Status.PENDING,
    PaymentInstruction.Status.INITIATED,
    PaymentInstruction.Status.SUCCESSFUL,
)


def pi_revise(*, tenant_id: str, parent_pi_number: str, actor: User | None) -> PaymentInstruction:
    """Generate Revised PI for an original PI whose latest PI is PARTIAL: sends COR (or, past the revision
    window, the PI service for a fresh original) and returns the new PI as JIT's answer left it."""
    revision = pi_revision_store(tenant_id=tenant_id, parent_pi_number=parent_pi_number, actor=actor)
    if revision.status == PaymentInstruction.Status.PENDING:
        from payments.services.polling import pi_poll

        service = JitService.COR if revision.pi_type == PaymentInstruction.Type.REVISED else JitService.PI
        pi_poll(pi_id=revision.pk, service=service, actor=actor)
        revision.refresh_from_db()
    return revision


def pi_revision_deadline(*, original: PaymentInstruction) -> datetime:
    """The last moment the treasury takes a revised PI (COR) of `original`: 90 days after it, but no later than
    the end of the first month of the next financial year (30 April 23:59:59 IST for an April year)."""
    issued = timezone.localtime(original.pi_date, IST)
    start_month = original.tenant.financial_year_start_month
    next_year_starts = date(financial_year_start(issued.date(), start_month=start_month) + 1, start_month, 1)
    month_after = date(next_year_starts.year + next_year_starts.month // 12, next_year_starts.month % 12 + 1, 1)
    grace_ends = datetime(month_after.year, month_after.month, 1, tzinfo=IST) - timedelta(seconds=1)
    return min(issued + timedelta(days=REVISION_DAYS), grace_ends)


def pi_revision_source(*, original: PaymentInstruction) -> PaymentInstruction:
    """The PI a new revision would replace: the latest active revision of the original, else the original."""
    latest = (
        original.revisions.filter(is_active=True, pi_type=PaymentInstruction.Type.REVISED)
        .order_by("-created_at", "-id")
        .first()
    )
    return latest or original


@transaction.atomic
def pi_revision_store(*, tenant_id: str, parent_pi_number: str, actor: User | None) -> PaymentInstruction:
    original = (
        PaymentInstruction.objects.select_for_update().filter(tenant_id=tenant_id, pi_number=parent_pi_number).first()
    )
    if original is None:
        raise NotFoundError("PI_NOT_FOUND", f"parentPI: no payment instruction {parent_pi_number}", field="parentPI")
    if original.pi_type != PaymentInstruction.Type.ORIGINAL:
        raise ApplicationError(
            "REVISED_PI_GEN_ERROR",
            f"parentPI: {parent_pi_number} is a revised PI; name its original {original.parent.pi_number}",
            field="parentPI",
        )
    source = pi_revision_source(original=original)
    if source.pk != original.pk:
        source = PaymentInstruction.objects.select_for_update().get(pk=source.pk)
    if source.status != PaymentInstruction.Status.PARTIAL:
        raise ApplicationError(
            "REVISED_PI_GEN_ERROR",
            f"parentPI: a revised PI is generated only for a PARTIAL PI; {source.pi_number} is "
            f"{source.get_status_display()}",
            field="parentPI",
        )
    in_flight = original.revisions.filter(status__in=LIVE_REVISION_STATUSES).values_list("pi_number", flat=True).first()
    in_flight = in_flight or (
        source.replaced_by.exclude(status=PaymentInstruction.Status.FAILED).values_list("pi_number", flat=True).first()
    )
    if in_flight:
        raise ApplicationError(
            "REVISED_PI_GEN_ERROR", f"parentPI: revised PI {in_flight} is still in progress", field="parentPI"
        )
    failed = list(
        source.beneficiaries.filter(payment_status=PIBeneficiary.Status.FAILED).select_related("payee").order_by("id")
    )
    if not failed:
        raise ApplicationError(
            "REVISED_PI_GEN_ERROR", f"parentPI: {source.pi_number} has no failed beneficiary", field="parentPI"
        )
    total = sum((b.amount for b in failed), Decimal("0.00"))
    now = timezone.now()
    within_window = now <= pi_revision_deadline(original=original)
    common = {
        "tenant": original.tenant,
        "payment": original.payment,
        "replaces": source,
        "status": PaymentInstruction.Status.PENDING,
        "pi_date": now,
        "gross_amount": total,
        "net_amount": total,
        "beneficiary_count": len(failed),
        "created_by": actor if actor is not None and actor.is_authenticated else None,
    }
    if within_window:
        revision = PaymentInstruction.objects.create(
            **common,
            pi_number=payments_number_next(tenant_id=original.tenant_id, name=REVISED_PI_NUMBER),
            pi_type=PaymentInstruction.Type.REVISED,
            parent=original,
            spending_unit=original.spending_unit,
            sanction=original.sanction,
            hoa_code=original.hoa_code,
            master_allotment_id=original.master_allotment_id,
        )
    else:
        # Past the window: a fresh original, which draws on the funds of now (revisions touch no funds).
        revision = PaymentInstruction.objects.create(
            **common,
            pi_number=payments_number_next(tenant_id=original.tenant_id, name=PI_NUMBER),
            pi_type=PaymentInstruction.Type.ORIGINAL,
        )
    PaymentAdvice.objects.create(pi=revision)
    for previous in failed:
        account = previous.payee.bank_accounts.filter(is_active=True).first()
        if account is None:
            raise ApplicationError(
                "NO_BANK_ACCOUNT",
                f"parentPI: payee {previous.payee.identifier} has no active bank account",
                field="parentPI",
            )
        copy = PIBeneficiary.objects.create(
            tenant=original.tenant,
            pi=revision,
            payee=previous.payee,
            beneficiary_number=previous.beneficiary_number,
            beneficiary_type=previous.beneficiary_type,
            account_number=account.account_number,
            ifsc=account.ifsc,
            account_holder_name=account.account_holder_name,
            account_type=account.account_type,
            mobile_number=previous.payee.mobile_number,
            amount=previous.amount,
        )
        copy.line_items.set(previous.line_items.all())
    reason = f"revises the failed payments of {source.pi_number}"
    if not within_window:
        reason += f" on a fresh original: the revision window of {original.pi_number} has passed"
    audit_record(actor=actor, entity=revision, action="PI_REVISE", to_state=revision.status, reason=reason)
    if not within_window:
        pi_funds_take(pi=revision, actor=actor)
    return revision
