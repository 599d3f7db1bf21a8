"""What a receipt sends out: its entry in the books (Dr the instrument's GL code by what was paid, Cr each head's GL
code by what it took; a rebate, taken as a negative amount, is a debit) and the payer's receipt SMS."""

from collections.abc import Sequence

from billing.dates import ist_date
from collection.models import Payment, PaymentAllocation, PaymentDetail, PaymentMode
from core.models import User
from core.selectors import tenant_get
from core.services.idgen import ID_TIME_ZONE
from ledger.models import Voucher
from ledger.services import LineSpec, VoucherDraft, voucher_draft
from notifications.models import SmsMessage
from notifications.services import sms_enqueue
from notifications.services.templates import COLLECTION_RECEIPT

RECEIPT_SOURCE_TYPE = "collection.receipt"

# Where each instrument's money sits until it is banked (seeded in every state's chart of accounts).
INSTRUMENT_GL_CODES = {
    PaymentMode.CASH: "4502101",
    PaymentMode.CHEQUE: "4502201",
    PaymentMode.DD: "4502201",
    PaymentMode.POSTAL_ORDER: "4502201",
    PaymentMode.ONLINE: "4319001",
    PaymentMode.CARD: "4319002",
    PaymentMode.OFFLINE_NEFT: "4501001",
    PaymentMode.OFFLINE_RTGS: "4501001",
    PaymentMode.ONLINE_NEFT: "4501001",
    PaymentMode.ONLINE_RTGS: "4501001",
}
BANK_GL_CODE = "4501001"


def receipt_voucher_draft(
    *, receipt: PaymentDetail, payment: Payment, allocations: Sequence[PaymentAllocation], actor: User | None
) -> VoucherDraft:
    """The receipt's voucher, checked; its narration names the receipt by its number (or the number's placeholder)."""
    lines = [LineSpec(gl_code=INSTRUMENT_GL_CODES[payment.payment_mode], debit=receipt.total_amount_paid)]
    for allocation in allocations:
        if allocation.amount > 0:
            lines.append(LineSpec(gl_code=allocation.gl_code, credit=allocation.amount))
        else:
            lines.append(LineSpec(gl_code=allocation.gl_code, debit=-allocation.amount))
    service = receipt.business_service
    return voucher_draft(
        tenant_id=receipt.tenant_id,
        voucher_type=Voucher.Type.RECEIPT,
        voucher_date=ist_date(receipt.receipt_date),
        lines=lines,
        narration=f"Receipt {receipt.receipt_number} ({service.code} {receipt.bill.consumer_code})",
        source_type=RECEIPT_SOURCE_TYPE,
        source_id=str(receipt.pk),
        fund=service.fund_code,
        function=service.function_code,
        department=service.department_code,
        posted_by=actor,
    )


def receipt_sms_enqueue(*, receipt: PaymentDetail, payment: Payment) -> SmsMessage | None:
    """The payer's receipt SMS, queued in the receipt's transaction (sent once it commits; a rollback sends
    nothing); none when nobody's number is known. Receipt numbers repeat across cities, so the event key names the
    city too."""
    to = payment.mobile_number or receipt.bill.mobile_number
    if not to:
        return None
    tenant = tenant_get(code=receipt.tenant_id)
    return sms_enqueue(
        template=COLLECTION_RECEIPT,
        to=to,
        context={
            "payer_name": payment.payer_name or payment.paid_by,
            "amount": f"{receipt.total_amount_paid:.2f}",
            "service_name": receipt.business_service.name,
            "consumer_code": receipt.bill.consumer_code,
            "receipt_number": receipt.receipt_number,
            "receipt_date": receipt.receipt_date.astimezone(ID_TIME_ZONE).strftime("%d/%m/%Y"),
            "ulb_name": tenant.name,
        },
        event_key=f"collection:receipt:{receipt.tenant_id}:{receipt.receipt_number}",
        tenant=tenant,
    )
