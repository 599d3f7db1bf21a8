"""Revised Payment Instructions (JIT `COR`): the failed beneficiaries of a PARTIAL PI, paid again.

The revision copies the failed beneficiaries with the same benfId and amount and each payee's current bank
account, under the original (`parent`, always the root); it replaces the PI that failed (the original or the
previous revision). COR success → the revision INITIATED and the replaced PI COMPLETED; COR error → the
revision FAILED and inactive, the replaced PI stays PARTIAL so it can be revised again."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError, NotFoundError
from core.models import User
from core.services.audit import audit_record
from payments.models import JitService, PaymentAdvice, PaymentInstruction, PIBeneficiary
from payments.services.numbers import REVISED_PI_NUMBER, payments_number_next

LIVE_REVISION_STATUSES = (
    PaymentInstruction.Status.PENDING,
    PaymentInstruction.Status.INITIATED,
    PaymentInstruction.Status.SUCCESSFUL,
)


def pi_revise(*, tenant_id: str, parent_pi_number: str, actor: User | None) -> PaymentInstruction:
    """Generate Revised PI for an original PI whose latest PI is PARTIAL; sends COR and returns the revision."""
    revision = pi_revision_store(tenant_id=tenant_id, parent_pi_number=parent_pi_number, actor=actor)
    from payments.services.polling import pi_poll

    pi_poll(pi_id=revision.pk, service=JitService.COR, actor=actor)
    revision.refresh_from_db()
    return revision


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
    revision = PaymentInstruction.objects.create(
        tenant=original.tenant,
        payment=original.payment,
        pi_number=payments_number_next(tenant_id=original.tenant_id, name=REVISED_PI_NUMBER),
        pi_type=PaymentInstruction.Type.REVISED,
        parent=original,
        replaces=source,
        status=PaymentInstruction.Status.PENDING,
        pi_date=timezone.now(),
        gross_amount=total,
        net_amount=total,
        beneficiary_count=len(failed),
        spending_unit=original.spending_unit,
        sanction=original.sanction,
        hoa_code=original.hoa_code,
        master_allotment_id=original.master_allotment_id,
        created_by=actor if actor is not None and actor.is_authenticated else None,
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
    audit_record(
        actor=actor,
        entity=revision,
        action="PI_REVISE",
        to_state=revision.status,
        reason=f"revises the failed payments of {source.pi_number}",
    )
    return revision
