"""Payment create and validate: DIGIT's `_create` pipeline in one transaction.

Lock order is billing's, everywhere in Kosh: the bills' demands by primary key, then the bills by primary key;
the bills are read again once locked, so of two payments racing for one bill the second sees the first's result
and is refused. Apportioning, the demands' collection, the bill's status, the receipt voucher and the receipt
SMS all happen in that transaction: a refusal writes nothing."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.dates import ist_date
from billing.models import Bill, BillAccountDetail, BillDetail, DemandDetail, TaxHead
from billing.selectors import bills_with_details, city_get
from billing.services.consumers import author_of, bill_status_change, consumer_demands_lock, demand_completion_refresh
from collection.models import (
    INSTRUMENT_MODES,
    ONLINE_MODES,
    InstrumentStatus,
    Payment,
    PaymentAllocation,
    PaymentDetail,
    PaymentMode,
    PaymentStatus,
)
from collection.services.apportion import Bucket, apportion
from collection.services.receipts import receipt_sms_enqueue, receipt_voucher_post
from core.errors import ApplicationError, NotFoundError
from core.models import User
from core.money import ZERO
from core.services.audit import audit_record
from core.services.idgen import id_generate

# DIGIT's window for a cheque or demand draft: not post-dated, and at most this old.
INSTRUMENT_MAX_AGE_DAYS = 90
CHEQUE_LIKE_MODES = (PaymentMode.CHEQUE, PaymentMode.DD)


@dataclass(frozen=True)
class PaymentDetailInput:
    bill_id: str
    total_amount_paid: Decimal
    total_due: Decimal | None = None
    business_service: str = ""
    manual_receipt_number: str = ""
    manual_receipt_date: datetime | None = None


@dataclass(frozen=True)
class PaymentInput:
    tenant_id: str
    payment_mode: str
    total_amount_paid: Decimal
    paid_by: str
    details: list[PaymentDetailInput]
    payer_name: str = ""
    mobile_number: str = ""
    payer_address: str = ""
    payer_email: str = ""
    payer_id: str = ""
    transaction_number: str = ""
    instrument_number: str = ""
    instrument_date: datetime | None = None
    ifsc_code: str = ""
    additional_details: dict = field(default_factory=dict)


def payment_validate(*, payment: PaymentInput) -> None:
    """Every check `_create` makes, on the bills as they stand; writes nothing."""
    with transaction.atomic():
        _checked(payment=payment, now=timezone.now())


def payment_create(*, payment: PaymentInput, actor: User | None, source_ip: str | None = None) -> Payment:
    """Take the payment: receipts numbered, bills and demands updated, receipt vouchers posted, receipt SMS queued.
    An online payment sent again with its transaction number answers the first payment."""
    now = timezone.now()
    with transaction.atomic():
        checked = _checked(payment=payment, now=now)
        if isinstance(checked, Payment):
            return checked
        return _payment_write(payment=payment, checked=checked, actor=actor, source_ip=source_ip, now=now)


# --- Checks ---------------------------------------------------------------------------------


@dataclass
class _CheckedBill:
    bill: Bill
    detail: PaymentDetailInput
    advance_head: TaxHead | None


def _refuse(code: str, where: str, message: str) -> ApplicationError:
    return ApplicationError(code, f"{where}: {message}", field=where)


def _checked(*, payment: PaymentInput, now: datetime) -> list[_CheckedBill] | Payment:
    """Lock the bills, then check the payment against them. Answers the earlier payment for a replayed online
    transaction."""
    tenant = city_get(tenant_id=payment.tenant_id)
    _payment_checks(payment=payment, now=now)
    bill_ids = [detail.bill_id for detail in payment.details]
    found = {
        str(pk): demand_ids for pk, demand_ids in _bill_demand_ids(tenant_id=tenant.code, bill_ids=bill_ids).items()
    }
    for index, bill_id in enumerate(bill_ids):
        if bill_id not in found:
            where = f"Payment.paymentDetails[{index}].billId"
            raise NotFoundError("INVALID_BILL_ID", f"{where}: no bill '{bill_id}' in {tenant.code}", field=where)
    consumer_demands_lock(
        tenant_id=tenant.code, consumers=[], include_ids=sorted({d for ids in found.values() for d in ids})
    )
    bills = {
        str(bill.pk): bill
        for bill in bills_with_details(
            Bill.objects.select_for_update(of=("self",)).filter(tenant_id=tenant.code, pk__in=bill_ids).order_by("pk")
        )
    }
    if payment.payment_mode in ONLINE_MODES:
        replayed = _online_replay(payment=payment, tenant_id=tenant.code)
        if replayed is not None:
            return replayed
    return [
        _bill_check(bill=bills[detail.bill_id], detail=detail, index=index, payment=payment, now=now)
        for index, detail in enumerate(payment.details)
    ]


def _bill_demand_ids(*, tenant_id: str, bill_ids: list[str]) -> dict:
    demand_ids = {}
    for bill_id, demand_id in BillDetail.objects.filter(bill__tenant_id=tenant_id, bill_id__in=bill_ids).values_list(
        "bill_id", "demand_id"
    ):
        demand_ids.setdefault(bill_id, set())
        if demand_id is not None:
            demand_ids[bill_id].add(demand_id)
    return demand_ids


def _payment_checks(*, payment: PaymentInput, now: datetime) -> None:
    """What the payment says about itself, before any bill is read."""
    if not payment.details:
        raise _refuse("INVALID_PAYMENTDETAIL", "Payment.paymentDetails", "at least one bill")
    seen = set()
    for index, detail in enumerate(payment.details):
        if detail.bill_id in seen:
            raise _refuse("DUPLICATE_BILLID", f"Payment.paymentDetails[{index}].billId", "bill paid twice")
        seen.add(detail.bill_id)
    total = sum((detail.total_amount_paid for detail in payment.details), ZERO)
    if total != payment.total_amount_paid:
        raise _refuse(
            "INVALID_PAYMENT",
            "Payment.totalAmountPaid",
            f"{payment.total_amount_paid} is not the sum of the payment details ({total})",
        )
    mode = payment.payment_mode
    if mode in INSTRUMENT_MODES:
        if not payment.instrument_number:
            raise _refuse("INVALID_INST_NUMBER", "Payment.instrumentNumber", f"required for {mode}")
        if payment.instrument_date is None:
            raise _refuse("INVALID_INST_DATE", "Payment.instrumentDate", f"required for {mode}")
        instrument_day, today = ist_date(payment.instrument_date), ist_date(now)
        if instrument_day > today:
            raise _refuse("CHEQUE_DD_DATE_IN_FUTURE", "Payment.instrumentDate", "must not be in the future")
        if mode in CHEQUE_LIKE_MODES and instrument_day < today - timedelta(days=INSTRUMENT_MAX_AGE_DAYS):
            raise _refuse(
                "CHEQUE_DD_DATE_WITH_IN_90_DAYS",
                "Payment.instrumentDate",
                f"a {mode} is valid for {INSTRUMENT_MAX_AGE_DAYS} days from its date",
            )
    if mode in ONLINE_MODES:
        if not payment.transaction_number:
            raise _refuse("INVALID_TXN_NUMBER", "Payment.transactionNumber", f"required for {mode}")
        if not payment.instrument_number:
            raise _refuse("INVALID_TXN_NUMBER", "Payment.instrumentNumber", f"required for {mode}")


def _online_replay(*, payment: PaymentInput, tenant_id: str) -> Payment | None:
    earlier = Payment.objects.filter(
        tenant_id=tenant_id, transaction_number=payment.transaction_number, payment_mode__in=ONLINE_MODES
    ).first()
    if earlier is None:
        return None
    paid = {str(bill_id): amount for bill_id, amount in earlier.details.values_list("bill_id", "total_amount_paid")}
    asked = {detail.bill_id: detail.total_amount_paid for detail in payment.details}
    if paid != asked:
        raise _refuse(
            "DUPLICATE_TRANSACTION_NUMBER",
            "Payment.transactionNumber",
            f"'{payment.transaction_number}' already paid other bills or amounts",
        )
    return earlier


def _bill_check(
    *, bill: Bill, detail: PaymentDetailInput, index: int, payment: PaymentInput, now: datetime
) -> _CheckedBill:
    where = f"Payment.paymentDetails[{index}]"
    service = bill.business_service
    paid, total = detail.total_amount_paid, bill.total_amount
    if detail.business_service and detail.business_service != service.code:
        raise _refuse("INVALID_PAYMENTDETAIL", f"{where}.businessService", f"the bill is for {service.code}")
    if bill.status in (Bill.Status.PAID, Bill.Status.PARTIALLY_PAID):
        raise _refuse("BILL_ALREADY_PAID", f"{where}.billId", f"bill {bill.bill_number} is already {bill.status}")
    if bill.status != Bill.Status.ACTIVE:
        raise _refuse(
            "INVALID_BILL_STATUS", f"{where}.billId", f"bill {bill.bill_number} is {bill.status}; fetch the bill again"
        )
    if bill.expires_at <= now or any(item.expiry_date <= now for item in bill.details.all()):
        raise _refuse("BILL_EXPIRED", f"{where}.billId", f"bill {bill.bill_number} has expired; fetch the bill again")
    if detail.total_due is not None and detail.total_due != total:
        raise _refuse("INVALID_PAYMENTDETAIL", f"{where}.totalDue", f"the bill's total is {total}")
    if payment.payment_mode in bill.collection_modes_not_allowed:
        raise _refuse(
            "INVALID_PAYMENTDETAIL", "Payment.paymentMode", f"{payment.payment_mode} is not accepted for {service.code}"
        )
    if service.is_whole_rupee and paid != paid.to_integral_value():
        raise _refuse("INVALID_PAYMENTDETAIL", f"{where}.totalAmountPaid", f"{service.code} takes whole rupees only")
    if paid < total and not bill.part_payment_allowed:
        raise _refuse(
            "INVALID_PAYMENTDETAIL", f"{where}.totalAmountPaid", f"partial payment is not allowed: pay {total}"
        )
    minimum = min(bill.minimum_amount_payable, total)
    if paid < minimum:
        raise _refuse("INVALID_PAYMENTDETAIL", f"{where}.totalAmountPaid", f"at least {minimum} must be paid")
    advance_head = None
    if paid > total:
        latest = list(bill.details.all())[-1]
        if bill.is_advance_allowed and latest.demand_id is not None:
            advance_head = TaxHead.objects.filter(service=service, category=TaxHead.Category.ADVANCE_COLLECTION).first()
        if advance_head is None:
            raise _refuse(
                "INVALID_PAYMENTDETAIL", f"{where}.totalAmountPaid", f"advance payment is not allowed: at most {total}"
            )
    return _CheckedBill(bill=bill, detail=detail, advance_head=advance_head)


# --- Writes ---------------------------------------------------------------------------------


def _payment_write(
    *, payment: PaymentInput, checked: list[_CheckedBill], actor: User | None, source_ip: str | None, now: datetime
) -> Payment:
    online = payment.payment_mode in ONLINE_MODES
    if online:
        instrument_status = InstrumentStatus.REMITTED
    elif any(item.bill.business_service.receipt_approval_required for item in checked):
        instrument_status = InstrumentStatus.APPROVAL_PENDING
    else:
        instrument_status = InstrumentStatus.APPROVED
    author = author_of(actor)
    try:
        with transaction.atomic():
            row = Payment.objects.create(
                tenant_id=checked[0].bill.tenant_id,
                total_due=sum((item.bill.total_amount for item in checked), ZERO),
                total_amount_paid=payment.total_amount_paid,
                payment_mode=payment.payment_mode,
                transaction_number=payment.transaction_number,
                transaction_date=now,
                instrument_date=now if payment.payment_mode == PaymentMode.CASH else payment.instrument_date,
                instrument_number=payment.instrument_number,
                instrument_status=instrument_status,
                ifsc_code=payment.ifsc_code,
                payment_status=PaymentStatus.DEPOSITED if online else PaymentStatus.NEW,
                paid_by=payment.paid_by,
                payer_name=payment.payer_name,
                mobile_number=payment.mobile_number,
                payer_address=payment.payer_address,
                payer_email=payment.payer_email,
                payer_id=payment.payer_id,
                additional_details=payment.additional_details,
                created_by=author,
                modified_by=author,
            )
    except IntegrityError:
        # Another online payment with this transaction number committed first.
        raise _refuse(
            "DUPLICATE_TRANSACTION_NUMBER", "Payment.transactionNumber", f"'{payment.transaction_number}' is taken"
        ) from None
    for item in checked:
        _receipt_write(payment=row, item=item, actor=actor, source_ip=source_ip, now=now)
    audit_record(
        actor=actor,
        entity=row,
        action="PAYMENT_CREATE",
        to_state=row.instrument_status,
        source_ip=source_ip,
        data={
            "paymentMode": row.payment_mode,
            "totalAmountPaid": row.total_amount_paid,
            "receiptNumbers": [detail.receipt_number for detail in row.details.all()],
        },
    )
    return row


def _receipt_write(*, payment: Payment, item: _CheckedBill, actor: User | None, source_ip: str | None, now: datetime):
    bill, paid = item.bill, item.detail.total_amount_paid
    service = bill.business_service
    accounts = list(
        BillAccountDetail.objects.filter(bill_detail__bill=bill)
        .select_related("bill_detail")
        .order_by("bill_detail__from_period", "bill_detail_id", "order", "tax_head_code", "pk")
    )
    demand_details = {
        detail.pk: detail
        for detail in DemandDetail.objects.select_for_update(of=("self",))
        .filter(pk__in=[account.demand_detail_id for account in accounts if account.demand_detail_id])
        .order_by("pk")
    }
    result = apportion(
        buckets=[
            Bucket(
                key=account.pk,
                period=(account.bill_detail.from_period, str(account.bill_detail_id)),
                order=account.order,
                due=account.amount,
            )
            for account in accounts
        ],
        amount=paid,
    )
    try:
        with transaction.atomic():
            receipt = PaymentDetail.objects.create(
                payment=payment,
                tenant_id=bill.tenant_id,
                bill=bill,
                business_service=service,
                total_due=bill.total_amount,
                total_amount_paid=paid,
                receipt_number=id_generate(tenant_id=bill.tenant_id, name=service.receipt_id_format, at=now),
                receipt_date=now,
                manual_receipt_number=item.detail.manual_receipt_number,
                manual_receipt_date=item.detail.manual_receipt_date,
            )
    except IntegrityError:
        raise _refuse(
            "BILL_ALREADY_PAID", "Payment.paymentDetails.billId", f"bill {bill.bill_number} is already paid"
        ) from None
    allocations, paid_by_detail = [], {}
    for account in accounts:
        adjusted = result.adjusted[account.pk]
        demand_detail = demand_details.get(account.demand_detail_id)
        if demand_detail is not None:
            due = demand_detail.due
            if (due >= 0 and not ZERO <= adjusted <= due) or (due < 0 and not due <= adjusted <= ZERO):
                # The demand moved under a bill still marked ACTIVE: never collect more than is owed.
                raise _refuse(
                    "BILL_OUTDATED", "Payment.paymentDetails.billId", f"bill {bill.bill_number} is out of date"
                )
            demand_detail.collection_amount += adjusted
            demand_detail.modified_by = author_of(actor)
            demand_detail.save(update_fields=["collection_amount", "modified_by", "modified_at"])
        account.adjusted_amount = adjusted
        account.save(update_fields=["adjusted_amount"])
        paid_by_detail[account.bill_detail_id] = paid_by_detail.get(account.bill_detail_id, ZERO) + adjusted
        if adjusted:
            allocations.append(
                PaymentAllocation(
                    payment_detail=receipt,
                    bill_account_detail=account,
                    demand_detail=demand_detail,
                    tax_head_code=account.tax_head_code,
                    gl_code=account.gl_code,
                    amount=adjusted,
                )
            )
    if result.advance:
        allocations.append(_advance_take(receipt=receipt, item=item, amount=result.advance, actor=actor))
    PaymentAllocation.objects.bulk_create(allocations)
    for bill_detail in bill.details.all():
        bill_detail.amount_paid = paid_by_detail.get(bill_detail.pk, ZERO)
        bill_detail.save(update_fields=["amount_paid"])
    demands = [bill_detail.demand for bill_detail in bill.details.all() if bill_detail.demand_id]
    demand_completion_refresh(demands=demands)
    # From the rows just written, not from the amount asked: what the heads took is what was paid on the bill.
    applied = sum((allocation.amount for allocation in allocations if not allocation.is_advance), ZERO)
    bill_status_change(
        bill=bill,
        to_status=Bill.Status.PAID if applied >= bill.total_amount else Bill.Status.PARTIALLY_PAID,
        actor=actor,
        source_ip=source_ip,
        reason=f"receipt {receipt.receipt_number}",
        data={"receiptNumber": receipt.receipt_number, "amountPaid": paid},
    )
    receipt.voucher = receipt_voucher_post(receipt=receipt, payment=payment, allocations=allocations, actor=actor)
    receipt.save(update_fields=["voucher"])
    receipt_sms_enqueue(receipt=receipt, payment=payment)
    audit_record(
        actor=actor,
        entity=receipt,
        action="RECEIPT_CREATE",
        to_state=payment.instrument_status,
        source_ip=source_ip,
        data={"receiptNumber": receipt.receipt_number, "billNumber": bill.bill_number, "amount": paid},
    )


def _advance_take(*, receipt: PaymentDetail, item: _CheckedBill, amount: Decimal, actor: User | None):
    """An overpayment becomes the service's advance head on the bill's latest demand, as a negative tax."""
    latest = list(item.bill.details.all())[-1]
    head = item.advance_head
    detail = (
        DemandDetail.objects.select_for_update(of=("self",)).filter(demand_id=latest.demand_id, tax_head=head).first()
    )
    author = author_of(actor)
    if detail is None:
        detail = DemandDetail.objects.create(
            demand_id=latest.demand_id,
            tax_head=head,
            tax_amount=-amount,
            collection_amount=ZERO,
            created_by=author,
            modified_by=author,
        )
    else:
        detail.tax_amount -= amount
        detail.modified_by = author
        detail.save(update_fields=["tax_amount", "modified_by", "modified_at"])
    return PaymentAllocation(
        payment_detail=receipt,
        demand_detail=detail,
        tax_head_code=head.code,
        gl_code=head.gl_code,
        amount=amount,
        is_advance=True,
    )
