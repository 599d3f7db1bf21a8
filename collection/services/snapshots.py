"""The bill a receipt shows: DIGIT's apportioned bill copy, with the collection rules and the cancellation facts.
Read from the bill's rows, which a payment freezes: its heads' adjusted amounts are what this receipt took."""

from billing.api.serializers import bill_data
from collection.models import LIVE_INSTRUMENT_STATUSES, Payment, PaymentDetail
from core.money import ZERO


def bill_copy(*, receipt: PaymentDetail, payment: Payment) -> dict:
    bill = receipt.bill
    data = bill_data(bill)
    cancelled = payment.instrument_status not in LIVE_INSTRUMENT_STATUSES
    data.update(
        {
            "paidBy": payment.paid_by,
            "isCancelled": cancelled,
            "reasonForCancellation": payment.workflow_reason or None if cancelled else None,
            "minimumAmountToBePaid": bill.minimum_amount_payable,
            "amountPaid": sum((detail.amount_paid or ZERO for detail in bill.details.all()), ZERO),
        }
    )
    return data
