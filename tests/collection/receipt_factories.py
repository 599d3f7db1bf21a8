"""Receipts made through the services, for tests of what reads them (reports, the remittance page, search)."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from collection.models import ONLINE_MODES, Payment
from collection.services.payments import PaymentDetailInput, PaymentInput, payment_create
from collection.services.workflow import WorkflowItem, payment_workflow
from core.models import User
from tests.billing.factories import financial_year, raise_demand
from tests.collection.factories import bill_of

# The head each standard service's demand is raised on, and the period it covers.
HEADS = {
    "WS": ("10101", None),
    "PT": ("PT_TAX", financial_year(2026)),
    "BPA": ("BPA_PERMIT_FEE", financial_year(2026)),
}


def receipt_take(
    consumer: str,
    amount: str,
    *,
    service: str = "WS",
    mode: str = "CASH",
    tenant: str = "pb.amritsar",
    actor: User | None = None,
    at: datetime | None = None,
    mobile_number: str = "9876500001",
    **extra,
) -> Payment:
    """Raise a demand of `amount` on the consumer and pay its bill in full; `at` re-dates the receipt."""
    head, period = HEADS[service]
    raise_demand(tenant=tenant, service=service, consumer=consumer, heads={head: amount}, period=period)
    bill = bill_of(consumer=consumer, service=service, tenant=tenant)
    if mode in ("CHEQUE", "DD"):
        extra.setdefault("instrument_number", "000123")
        extra.setdefault("instrument_date", timezone.now() - timedelta(days=1))
    if mode in ONLINE_MODES:
        extra.setdefault("transaction_number", f"PG-{consumer}")
        extra.setdefault("instrument_number", f"PG-{consumer}")
    payment = payment_create(
        payment=PaymentInput(
            tenant_id=tenant,
            payment_mode=mode,
            total_amount_paid=Decimal(amount),
            paid_by="Gurpreet Kaur",
            mobile_number=mobile_number,
            details=[PaymentDetailInput(bill_id=str(bill.pk), total_amount_paid=Decimal(amount))],
            **extra,
        ),
        actor=actor,
    )
    if at is not None:
        Payment.objects.filter(pk=payment.pk).update(transaction_date=at)
        payment.details.update(receipt_date=at)
        payment.refresh_from_db()
    return payment


def receipt_act(payment: Payment, action: str, reason: str = "") -> Payment:
    """APPROVE, REJECT, CANCEL or DISHONOUR the payment's receipts, as an approver would."""
    [done] = payment_workflow(
        tenant_id=payment.tenant_id,
        module=payment.details.get().business_service.code,
        action=action,
        items=[WorkflowItem(payment_id=str(payment.pk), reason=reason)],
        actor=None,
    )
    return done


def receipt_number(payment: Payment) -> str:
    return payment.details.get().receipt_number
