from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from billing.models import Bill
from billing.services.bills import BillCriteria, bill_fetch
from core.digit.envelope import epoch_millis


def bill_of(consumer: str = "WS-1", service: str = "WS", tenant: str = "pb.amritsar") -> Bill:
    """The consumer's payable bill, fetched as `_fetchbill` would."""
    [bill] = bill_fetch(
        criteria=BillCriteria(tenant_id=tenant, business_service_code=service, consumer_codes=(consumer,)), actor=None
    )
    return bill


def payment_body(bill: Bill, amount, *, mode: str = "CASH", paid_by: str = "Gurpreet Kaur", **extra) -> dict:
    """A DIGIT `Payment` paying `amount` of one bill."""
    amount = str(Decimal(amount)) if not isinstance(amount, str) else amount
    return {
        "tenantId": bill.tenant_id,
        "totalDue": str(bill.total_amount),
        "totalAmountPaid": amount,
        "paymentMode": mode,
        "paidBy": paid_by,
        "mobileNumber": "9876500001",
        "paymentDetails": [
            {
                "billId": str(bill.pk),
                "businessService": bill.business_service.code,
                "totalDue": str(bill.total_amount),
                "totalAmountPaid": amount,
            }
        ],
        **extra,
    }


def cheque(days_ago: int = 1, number: str = "000123") -> dict:
    """The instrument fields of a cheque dated `days_ago` days back."""
    return {"instrumentNumber": number, "instrumentDate": epoch_millis(timezone.now() - timedelta(days=days_ago))}
