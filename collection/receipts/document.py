"""One receipt's facts, as every format prints them, and the per-service layout (title, what the consumer code is
called). Built from a receipt read by `collection.selectors.receipt_get` (everything prefetched): no queries here."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from collection.models import INSTRUMENT_MODES, LIVE_INSTRUMENT_STATUSES, ONLINE_MODES, PaymentDetail
from collection.receipts.words import amount_in_words
from core.money import ZERO


@dataclass(frozen=True)
class ReceiptLayout:
    """What differs between services' receipts."""

    title: str
    consumer_label: str = "Consumer no."


# A service without an entry gets "<service name> Receipt".
RECEIPT_LAYOUTS = {
    "WS": ReceiptLayout(title="Water Charges Receipt", consumer_label="Connection no."),
    "PT": ReceiptLayout(title="Property Tax Receipt", consumer_label="Property id"),
    "BPA": ReceiptLayout(title="Building Permit Fee Receipt", consumer_label="Application no."),
}


@dataclass(frozen=True)
class ReceiptLine:
    """One head of the bill: what was due under it and what this receipt paid."""

    head: str
    period: str
    due: Decimal
    paid: Decimal


@dataclass(frozen=True)
class ReceiptDocument:
    layout: ReceiptLayout
    tenant_name: str
    service_code: str
    service_name: str
    receipt_number: str
    receipt_date: datetime
    status: str
    is_cancelled: bool
    # Why it was cancelled, rejected or dishonoured (the approver's words); empty while it stands.
    void_reason: str
    paid_by: str
    mobile_number: str
    consumer_code: str
    consumer_name: str
    consumer_address: str
    bill_number: str
    period_from: date
    period_to: date
    lines: list[ReceiptLine]
    total_due: Decimal
    amount_paid: Decimal
    amount_in_words: str
    pending: Decimal
    advance: Decimal
    payment_mode: str
    instrument_number: str
    instrument_date: date | None
    transaction_number: str
    ifsc_code: str
    collector: str


def _day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _period(start: date, end: date) -> str:
    return f"{start:%d/%m/%Y} - {end:%d/%m/%Y}"


def receipt_document(receipt: PaymentDetail) -> ReceiptDocument:
    payment, bill, service = receipt.payment, receipt.bill, receipt.business_service
    taken = {allocation.bill_account_detail_id: allocation.amount for allocation in receipt.allocations.all()}
    lines = []
    details = list(bill.details.all())
    for detail in details:
        period = _period(_day(detail.from_period), _day(detail.to_period))
        for account in detail.account_details.all():
            paid = taken.get(account.pk, ZERO)
            if account.amount or paid:
                lines.append(
                    ReceiptLine(
                        head=account.description or account.tax_head_code or account.gl_code,
                        period=period,
                        due=account.amount,
                        paid=paid,
                    )
                )
    advance = sum((allocation.amount for allocation in receipt.allocations.all() if allocation.is_advance), ZERO)
    if advance:
        lines.append(ReceiptLine(head="Advance", period="", due=ZERO, paid=advance))
    creator = payment.created_by
    mode = payment.payment_mode
    return ReceiptDocument(
        layout=RECEIPT_LAYOUTS.get(service.code, ReceiptLayout(title=f"{service.name} Receipt")),
        tenant_name=receipt.tenant.name,
        service_code=service.code,
        service_name=service.name,
        receipt_number=receipt.receipt_number,
        receipt_date=timezone.localtime(receipt.receipt_date),
        status=payment.get_instrument_status_display(),
        is_cancelled=payment.instrument_status not in LIVE_INSTRUMENT_STATUSES,
        void_reason=payment.workflow_reason if payment.instrument_status not in LIVE_INSTRUMENT_STATUSES else "",
        paid_by=payment.paid_by,
        mobile_number=payment.mobile_number or bill.mobile_number,
        consumer_code=bill.consumer_code,
        consumer_name=bill.payer_name,
        consumer_address=bill.payer_address,
        bill_number=bill.bill_number,
        period_from=_day(details[0].from_period),
        period_to=_day(details[-1].to_period),
        lines=lines,
        total_due=receipt.total_due,
        amount_paid=receipt.total_amount_paid,
        amount_in_words=amount_in_words(receipt.total_amount_paid),
        pending=max(receipt.total_due - receipt.total_amount_paid, ZERO),
        advance=advance,
        payment_mode=payment.get_payment_mode_display(),
        instrument_number=payment.instrument_number if mode in INSTRUMENT_MODES or mode in ONLINE_MODES else "",
        instrument_date=_day(payment.instrument_date) if mode in INSTRUMENT_MODES and payment.instrument_date else None,
        transaction_number=payment.transaction_number,
        ifsc_code=payment.ifsc_code,
        collector=(creator.name or creator.username) if creator else "",
    )
