"""Receipt workflow: approve or reject receipts pending approval, cancel, dishonour a cheque or draft.

Whatever gives money back (CANCEL, DISHONOUR, REJECT) undoes exactly what the receipt applied: each head's
collection, the advance it made, and its voucher (by a reversal voucher). The receipt's bill becomes
PAYMENT_CANCELLED and the consumer's ACTIVE bill expires, so the next fetch bills the restored dues on a new bill
(a bill is paid by one receipt only, as in DIGIT). Lock order: payments, then demands, then bills."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from billing.models import Bill, DemandDetail
from billing.services.consumers import (
    author_of,
    bill_status_change,
    consumer_bills_expire,
    consumer_demands_lock,
    demand_completion_refresh,
)
from collection.models import InstrumentStatus, Payment, PaymentDetail, PaymentMode, PaymentStatus
from collection.services.receipts import BANK_GL_CODE, INSTRUMENT_GL_CODES
from core.errors import ApplicationError, NotFoundError
from core.models import User
from core.services.audit import audit_record
from core.services.idgen import ID_TIME_ZONE
from ledger.models import Voucher
from ledger.services import LineSpec, voucher_post, voucher_reverse


class WorkflowAction:
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    CANCEL = "CANCEL"
    DISHONOUR = "DISHONOUR"
    ALL = (APPROVE, REJECT, CANCEL, DISHONOUR)


# Action → (statuses it applies to, instrument status after, payment status after).
_RULES = {
    WorkflowAction.APPROVE: ((InstrumentStatus.APPROVAL_PENDING,), InstrumentStatus.APPROVED, None),
    WorkflowAction.REJECT: ((InstrumentStatus.APPROVAL_PENDING,), InstrumentStatus.REJECTED, PaymentStatus.CANCELLED),
    WorkflowAction.CANCEL: ((InstrumentStatus.APPROVED,), InstrumentStatus.CANCELLED, PaymentStatus.CANCELLED),
    WorkflowAction.DISHONOUR: (
        (InstrumentStatus.APPROVED, InstrumentStatus.APPROVAL_PENDING, InstrumentStatus.REMITTED),
        InstrumentStatus.DISHONOURED,
        PaymentStatus.DISHONOURED,
    ),
}
_REASON_REQUIRED = (WorkflowAction.REJECT, WorkflowAction.CANCEL, WorkflowAction.DISHONOUR)
DISHONOURABLE_MODES = (PaymentMode.CHEQUE, PaymentMode.DD)
DISHONOUR_SOURCE_TYPE = "collection.dishonour"


@dataclass(frozen=True)
class WorkflowItem:
    payment_id: str
    reason: str = ""


def payment_workflow(
    *,
    tenant_id: str,
    module: str,
    action: str,
    items: list[WorkflowItem],
    actor: User | None,
    source_ip: str | None = None,
) -> list[Payment]:
    """Apply one action to the tenant's payments of one business service, all or none."""
    if action not in WorkflowAction.ALL:
        raise ApplicationError(
            "INVALID_WORKFLOW_ACTION", f"action: one of {', '.join(WorkflowAction.ALL)}", field="action"
        )
    ids = [item.payment_id for item in items]
    if len(set(ids)) != len(ids):
        raise ApplicationError("DUPLICATE_PAYMENT_ID", "paymentId: a payment named twice", field="paymentId")
    with transaction.atomic():
        payments = {
            str(payment.pk): payment
            for payment in Payment.objects.select_for_update(of=("self",))
            .filter(tenant_id=tenant_id, pk__in=ids)
            .order_by("pk")
        }
        done = []
        for index, item in enumerate(items):
            where = f"PaymentWorkflows[{index}]"
            payment = payments.get(item.payment_id)
            if payment is None:
                raise NotFoundError(
                    "INVALID_PAYMENT_ID",
                    f"{where}.paymentId: no payment '{item.payment_id}' in {tenant_id}",
                    field=f"{where}.paymentId",
                )
            done.append(
                _payment_act(
                    payment=payment,
                    module=module,
                    action=action,
                    reason=item.reason.strip(),
                    where=where,
                    actor=actor,
                    source_ip=source_ip,
                )
            )
        return done


def _payment_act(
    *, payment: Payment, module: str, action: str, reason: str, where: str, actor: User | None, source_ip: str | None
) -> Payment:
    receipts = list(payment.details.select_related("bill", "business_service", "voucher").order_by("pk"))
    if any(receipt.business_service.code != module for receipt in receipts):
        raise NotFoundError(
            "INVALID_PAYMENT_ID", f"{where}.paymentId: not a {module} payment", field=f"{where}.paymentId"
        )
    if action in _REASON_REQUIRED and not reason:
        raise ApplicationError("INVALID_REASON", f"{where}.reason: required to {action}", field=f"{where}.reason")
    applies_to, instrument_after, payment_after = _RULES[action]
    if action == WorkflowAction.DISHONOUR and payment.payment_mode not in DISHONOURABLE_MODES:
        raise _not_applicable(where, f"only a cheque or demand draft is dishonoured, not {payment.payment_mode}")
    if payment.instrument_status not in applies_to:
        after_remittance = payment.instrument_status == InstrumentStatus.REMITTED
        raise _not_applicable(
            where,
            f"{action} applies only before remittance; the receipt is REMITTED"
            if after_remittance and action == WorkflowAction.CANCEL
            else f"{action} does not apply to a receipt that is {payment.instrument_status}",
        )
    if action != WorkflowAction.APPROVE:
        for receipt in receipts:
            _latest_check(receipt=receipt, where=where)
            _receipt_reverse(receipt=receipt, action=action, reason=reason, actor=actor, source_ip=source_ip)
    from_status = payment.instrument_status
    if action == WorkflowAction.DISHONOUR and from_status == InstrumentStatus.REMITTED:
        _bounce_post(payment=payment, reason=reason, actor=actor)
    payment.instrument_status = instrument_after
    if payment_after is not None:
        payment.payment_status = payment_after
    payment.workflow_reason = reason
    payment.modified_by = author_of(actor)
    payment.save(update_fields=["instrument_status", "payment_status", "workflow_reason", "modified_by", "modified_at"])
    audit_record(
        actor=actor,
        entity=payment,
        action=f"PAYMENT_{action}",
        from_state=from_status,
        to_state=instrument_after,
        reason=reason,
        source_ip=source_ip,
        data={"receiptNumbers": [receipt.receipt_number for receipt in receipts]},
    )
    return payment


def _bounce_post(*, payment: Payment, reason: str, actor: User | None) -> None:
    """A remitted cheque that bounces comes back from the bank: Dr cheques in hand, Cr bank, so that with the
    receipt's reversal neither account keeps it."""
    voucher_post(
        tenant_id=payment.tenant_id,
        voucher_type=Voucher.Type.JOURNAL,
        voucher_date=timezone.localdate(timezone=ID_TIME_ZONE),
        lines=[
            LineSpec(gl_code=INSTRUMENT_GL_CODES[payment.payment_mode], debit=payment.total_amount_paid),
            LineSpec(gl_code=BANK_GL_CODE, credit=payment.total_amount_paid),
        ],
        narration=f"{payment.payment_mode} {payment.instrument_number} dishonoured: {reason}",
        source_type=DISHONOUR_SOURCE_TYPE,
        source_id=str(payment.pk),
        posted_by=actor,
    )


def _not_applicable(where: str, message: str) -> ApplicationError:
    return ApplicationError(
        "RECEIPT_WORKFLOW_ACTION_NOT_APPLICABLE", f"{where}.paymentId: {message}", field=f"{where}.paymentId"
    )


def _latest_check(*, receipt: PaymentDetail, where: str) -> None:
    """Only the consumer's latest live receipt is undone: an older one's heads were paid before a newer one's."""
    newer = (
        PaymentDetail.objects.filter(
            tenant_id=receipt.tenant_id,
            business_service=receipt.business_service,
            bill__consumer_code=receipt.bill.consumer_code,
            receipt_date__gt=receipt.receipt_date,
            payment__instrument_status__in=[
                InstrumentStatus.APPROVED,
                InstrumentStatus.APPROVAL_PENDING,
                InstrumentStatus.REMITTED,
            ],
        )
        .values_list("receipt_number", flat=True)
        .first()
    )
    if newer is not None:
        raise _not_applicable(where, f"receipt {newer} of the same consumer is newer; undo it first")


def _receipt_reverse(
    *, receipt: PaymentDetail, action: str, reason: str, actor: User | None, source_ip: str | None
) -> None:
    bill = receipt.bill
    allocations = list(receipt.allocations.order_by("pk"))
    demand_ids = set(bill.details.exclude(demand=None).values_list("demand_id", flat=True))
    demand_ids |= {
        demand_id
        for demand_id in DemandDetail.objects.filter(
            pk__in=[allocation.demand_detail_id for allocation in allocations if allocation.demand_detail_id]
        ).values_list("demand_id", flat=True)
    }
    consumer = (bill.business_service_id, bill.consumer_code)
    demands = consumer_demands_lock(tenant_id=receipt.tenant_id, consumers=[consumer], include_ids=sorted(demand_ids))
    locked_bill = Bill.objects.select_for_update(of=("self",)).get(pk=bill.pk)
    details = {
        detail.pk: detail
        for detail in DemandDetail.objects.select_for_update(of=("self",))
        .filter(pk__in=[allocation.demand_detail_id for allocation in allocations if allocation.demand_detail_id])
        .order_by("pk")
    }
    author = author_of(actor)
    for allocation in allocations:
        detail = details.get(allocation.demand_detail_id)
        if detail is None:
            continue
        if allocation.is_advance:
            # The advance must still be there to give back: tax rises by it, collection stays.
            if detail.due > -allocation.amount:
                raise ApplicationError(
                    "ADVANCE_ALREADY_USED",
                    f"paymentId: the advance of receipt {receipt.receipt_number} was spent on later dues",
                    field="paymentId",
                )
            detail.tax_amount += allocation.amount
        else:
            detail.collection_amount -= allocation.amount
        detail.modified_by = author
        detail.save(update_fields=["tax_amount", "collection_amount", "modified_by", "modified_at"])
    demand_completion_refresh(demands=demands)
    label = {"REJECT": "rejected", "CANCEL": "cancelled", "DISHONOUR": "dishonoured"}[action]
    bill_status_change(
        bill=locked_bill,
        to_status=Bill.Status.PAYMENT_CANCELLED,
        actor=actor,
        source_ip=source_ip,
        reason=f"receipt {receipt.receipt_number} {label}: {reason}",
    )
    consumer_bills_expire(
        tenant_id=receipt.tenant_id,
        consumers=[consumer],
        actor=actor,
        source_ip=source_ip,
        reason=f"receipt {receipt.receipt_number} {label}",
    )
    if receipt.voucher is not None:
        voucher_reverse(
            voucher=receipt.voucher, reason=f"receipt {receipt.receipt_number} {label}: {reason}", reversed_by=actor
        )
