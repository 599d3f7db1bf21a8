"""Original Payment Instructions: built from an expense payment, funds debited under lock, pushed to JIT-FS.

A new PI is stored PENDING with its funds taken from the first sanction that has them, then sent (PI service)
outside the transaction. No funds → FAILED at once (STATUS_LOG_PI_NO_FUNDS). JIT's answer is applied by the
PI service in `payments.services.polling`; a PI that got no answer stays PENDING and is pushed again."""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError, NotFoundError
from core.models import User
from core.services.audit import audit_record
from payments.models import (
    ExpensePayment,
    JitOutcome,
    JitService,
    PaymentAdvice,
    PaymentInstruction,
    PIBeneficiary,
)
from payments.services.calls import pi_status_log_write
from payments.services.funds import funds_choose_and_debit
from payments.services.numbers import BENEFICIARY_NUMBER, PI_NUMBER, payments_number_next

INSUFFICIENT_FUNDS = "PAYMENT_INSUFFICIENT_FUNDS"
# An original PI in one of these blocks another original for the same payment.
LIVE_ORIGINAL_STATUSES = frozenset(set(PaymentInstruction.Status.values) - {PaymentInstruction.Status.FAILED})


def pi_create(*, tenant_id: str, reference_id: str, actor: User | None) -> PaymentInstruction:
    """A PI for an expense payment (`referenceId` = payment number): the first one, or a retry after a FAILED
    one. Sends it to JIT-FS and returns it as JIT's answer left it."""
    pi = pi_original_store(tenant_id=tenant_id, reference_id=reference_id, actor=actor)
    if pi.status == PaymentInstruction.Status.PENDING:
        from payments.services.polling import pi_poll

        pi_poll(pi_id=pi.pk, service=JitService.PI, actor=actor)
        pi.refresh_from_db()
    return pi


@transaction.atomic
def pi_original_store(*, tenant_id: str, reference_id: str, actor: User | None) -> PaymentInstruction:
    payment = (
        ExpensePayment.objects.select_for_update(of=("self",))
        .select_related("bill", "tenant")
        .filter(tenant_id=tenant_id, payment_number=reference_id)
        .first()
    )
    if payment is None:
        raise NotFoundError("PAYMENT_NOT_FOUND", f"referenceId: no expense payment {reference_id}", field="referenceId")
    live = (
        payment.payment_instructions.filter(pi_type=PaymentInstruction.Type.ORIGINAL, status__in=LIVE_ORIGINAL_STATUSES)
        .values_list("pi_number", "status")
        .first()
    )
    if live is not None:
        raise ApplicationError(
            "PI_DUPLICATE_ERROR",
            f"referenceId: payment {reference_id} already has PI {live[0]} ({live[1]})",
            field="referenceId",
        )
    lines = _beneficiary_lines(payment)
    total = sum((line["amount"] for line in lines), Decimal("0.00"))
    now = timezone.now()
    pi = PaymentInstruction.objects.create(
        tenant=payment.tenant,
        payment=payment,
        pi_number=payments_number_next(tenant_id=payment.tenant_id, name=PI_NUMBER),
        pi_type=PaymentInstruction.Type.ORIGINAL,
        status=PaymentInstruction.Status.PENDING,
        pi_date=now,
        gross_amount=total,
        net_amount=total,
        beneficiary_count=len(lines),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    PaymentAdvice.objects.create(pi=pi)
    for line in lines:
        beneficiary = PIBeneficiary.objects.create(
            tenant=payment.tenant,
            pi=pi,
            payee=line["payee"],
            beneficiary_number=payments_number_next(tenant_id=payment.tenant_id, name=BENEFICIARY_NUMBER),
            beneficiary_type=line["payee"].payee_type,
            account_number=line["account"].account_number,
            ifsc=line["account"].ifsc,
            account_holder_name=line["account"].account_holder_name,
            account_type=line["account"].account_type,
            mobile_number=line["payee"].mobile_number,
            amount=line["amount"],
        )
        beneficiary.line_items.set(line["line_items"])
    pi_funds_take(pi=pi, actor=actor)
    return pi


def pi_funds_take(*, pi: PaymentInstruction, actor: User | None) -> bool:
    """Debit a new original PI's total from the first sanction that has it, recording which; with none, the PI
    fails at once (STATUS_LOG_PI_NO_FUNDS) and is never sent. Call inside the PI's transaction."""
    choice = funds_choose_and_debit(pi=pi, tenant=pi.tenant, amount=pi.gross_amount)
    if choice is None:
        pi.status, pi.is_active, pi.error_text = PaymentInstruction.Status.FAILED, False, INSUFFICIENT_FUNDS
        pi.save(update_fields=["status", "is_active", "error_text", "updated_at"])
        pi.beneficiaries.update(
            payment_status=PIBeneficiary.Status.FAILED, status_message="No funds available for the PI"
        )
        pi_status_log_write(
            pi=pi,
            service=JitService.PI,
            result="NO_FUNDS",
            outcome=JitOutcome.ERROR,
            message=(
                f"Payment instruction not sent: no sanction has {pi.gross_amount} available ({INSUFFICIENT_FUNDS})"
            ),
            call=None,
        )
        expense_payment_status_refresh(payment=pi.payment)
        audit_record(actor=actor, entity=pi, action="PI_CREATE", to_state=pi.status, reason=INSUFFICIENT_FUNDS)
        return False
    pi.sanction, pi.spending_unit = choice.sanction, choice.spending_unit
    pi.hoa_code, pi.master_allotment_id = choice.sanction.hoa_code, choice.sanction.master_allotment_id
    pi.save(update_fields=["sanction", "spending_unit", "hoa_code", "master_allotment_id", "updated_at"])
    audit_record(actor=actor, entity=pi, action="PI_CREATE", to_state=pi.status)
    return True


def _beneficiary_lines(payment: ExpensePayment) -> list[dict]:
    """One beneficiary per payee (deduction heads are payees of their own), with the payee's current account."""
    by_payee: dict[int, dict] = defaultdict(lambda: {"amount": Decimal("0.00"), "line_items": []})
    for item in payment.bill.line_items.select_related("payee").order_by("id"):
        entry = by_payee[item.payee_id]
        entry["payee"] = item.payee
        entry["amount"] += item.amount
        entry["line_items"].append(item)
    pairs: dict[tuple[str, str], str] = {}
    for entry in by_payee.values():
        account = entry["payee"].bank_accounts.filter(is_active=True).first()
        if account is None:
            raise ApplicationError(
                "NO_BANK_ACCOUNT", f"payee {entry['payee'].identifier} has no active bank account", field="referenceId"
            )
        pair = (account.account_number, account.ifsc)
        if pair in pairs:
            raise ApplicationError(
                "DUPLICATE_BANK_ACCOUNT",
                f"payees {pairs[pair]} and {entry['payee'].identifier} share one bank account and IFSC",
                field="referenceId",
            )
        pairs[pair] = entry["payee"].identifier
        entry["account"] = account
    return list(by_payee.values())


def expense_payment_status_refresh(*, payment: ExpensePayment) -> ExpensePayment:
    """The payment's status from its PIs: PARTIAL while failures wait for a revision, SUCCESSFUL once the
    latest PI is paid in full, FAILED when every PI failed, INITIATED otherwise."""
    pis = list(payment.payment_instructions.order_by("created_at", "id").values_list("status", flat=True))
    statuses = set(pis)
    if PaymentInstruction.Status.PARTIAL in statuses:
        status = ExpensePayment.Status.PARTIAL
    elif pis and statuses == {PaymentInstruction.Status.FAILED}:
        status = ExpensePayment.Status.FAILED
    else:
        live = [s for s in pis if s != PaymentInstruction.Status.FAILED]
        paid = {PaymentInstruction.Status.SUCCESSFUL, PaymentInstruction.Status.COMPLETED}
        status = ExpensePayment.Status.SUCCESSFUL if live and live[-1] in paid else ExpensePayment.Status.INITIATED
    if payment.status != status:
        ExpensePayment.objects.filter(pk=payment.pk).update(status=status, updated_at=timezone.now())
        payment.status = status
    return payment
