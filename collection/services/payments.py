"""Payment create and validate: DIGIT's `_create` pipeline in one transaction.

Lock order is billing's, everywhere in Kosh: the bills' demands by primary key, then the bills by primary key;
the bills are read again once locked, so of two payments racing for one bill the second sees the first's result
and is refused. Then the demand details, and last the city's receipt and voucher number sequences, taken in the
transaction's final statement so that payments of one city queue on them only briefly. Apportioning, the
demands' collection, the bill's status, the receipt voucher and the receipt SMS all happen in that transaction:
a refusal writes nothing."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from billing.dates import ist_date
from billing.models import Bill, BillAccountDetail, BillDetail, Demand, DemandDetail, TaxHead
from billing.selectors import bills_with_details, city_get
from billing.services.consumers import author_of, consumer_demands_lock, demand_completion_refresh
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
from collection.selectors import payment_get
from collection.services.apportion import Bucket, apportion
from collection.services.receipts import receipt_sms_enqueue, receipt_voucher_draft
from core.db import CommitPipeline, relation_loaded, rows_update
from core.errors import ApplicationError, NotFoundError
from core.models import AuditEvent, User
from core.money import ZERO
from core.services.audit import audit_event
from core.services.idgen import DeferredIds, id_plan
from ledger.services import vouchers_post_drafted

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
    with CommitPipeline() as commit, transaction.atomic():
        checked = _checked(payment=payment, now=now)
        if isinstance(checked, Payment):
            return checked
        row, receipts, ids = _payment_write(
            payment=payment, checked=checked, actor=actor, source_ip=source_ip, now=now, commit=commit
        )
    ids.numbers()
    # The caller answers with the payment as written; every row it shows is in hand, so it is not read back.
    relation_loaded(row, "details", sorted(receipts, key=lambda receipt: receipt.receipt_number))
    return row


# --- Checks ---------------------------------------------------------------------------------


@dataclass
class _CheckedBill:
    bill: Bill
    detail: PaymentDetailInput
    advance_head: TaxHead | None


@dataclass
class _Checked:
    """The payment's bills, checked, and their demands, locked."""

    bills: list[_CheckedBill]
    demands: list[Demand]


def _refuse(code: str, where: str, message: str) -> ApplicationError:
    return ApplicationError(code, f"{where}: {message}", field=where)


def _checked(*, payment: PaymentInput, now: datetime) -> _Checked | Payment:
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
    demands = consumer_demands_lock(
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
            return payment_get(payment_id=replayed.pk)
    return _Checked(
        bills=[
            _bill_check(bill=bills[detail.bill_id], detail=detail, index=index, payment=payment, now=now)
            for index, detail in enumerate(payment.details)
        ],
        demands=demands,
    )


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


@dataclass
class _Receipt:
    """One bill's receipt as it is built: every other row written first, the receipt with its number last."""

    item: _CheckedBill
    row: PaymentDetail
    accounts: list[BillAccountDetail]
    allocations: list[PaymentAllocation] = field(default_factory=list)
    bill_status_before: str = ""


def _payment_write(
    *,
    payment: PaymentInput,
    checked: _Checked,
    actor: User | None,
    source_ip: str | None,
    now: datetime,
    commit: CommitPipeline,
) -> tuple[Payment, list[PaymentDetail], DeferredIds]:
    """Everything the payment changes: the payment, its receipts, and the ids they are numbered with once the
    transaction commits. Receipt and voucher numbers are gap-free, so their sequence rows stay locked until the
    transaction ends: every row is written with placeholders for them first, and the numbers are taken and put in
    place in the last statement, sent with the COMMIT."""
    row = _payment_row(payment=payment, checked=checked.bills, actor=actor, now=now)
    receipts = [
        _Receipt(
            item=item,
            row=_receipt_row(payment=row, item=item, now=now),
            accounts=[account for detail in item.bill.details.all() for account in detail.account_details.all()],
        )
        for item in checked.bills
    ]
    _apply(receipts=receipts, actor=actor, now=now)
    demand_completion_refresh(demands=checked.demands)
    ids = DeferredIds()
    for receipt in receipts:
        _bill_settle(receipt=receipt, actor=actor)
        receipt.row.receipt_number = ids.take(
            id_plan(tenant_id=receipt.row.tenant_id, name=receipt.row.business_service.receipt_id_format, at=now)
        )
    messages = [receipt_sms_enqueue(receipt=receipt.row, payment=row) for receipt in receipts]
    ids.carried_by([message for message in messages if message is not None], ["text", "event_key"])
    audit = [
        *(event for receipt in receipts for event in _receipt_audit(receipt=receipt, actor=actor, ip=source_ip)),
        audit_event(
            actor=actor,
            entity=row,
            action="PAYMENT_CREATE",
            to_state=row.instrument_status,
            source_ip=source_ip,
            data={
                "paymentMode": row.payment_mode,
                "totalAmountPaid": row.total_amount_paid,
                "receiptNumbers": [receipt.row.receipt_number for receipt in receipts],
            },
        ),
    ]
    vouchers = vouchers_post_drafted(
        drafts=[
            receipt_voucher_draft(receipt=receipt.row, payment=row, allocations=receipt.allocations, actor=actor)
            for receipt in receipts
        ],
        ids=ids,
        audit=audit,
    )
    ids.carried_by(vouchers, ["narration"])
    ids.carried_by(audit, ["reason", "data"])
    for receipt, voucher in zip(receipts, vouchers, strict=True):
        receipt.row.voucher = voucher
    # Each bill is locked and was unpaid, so no receipt holds it: its UNIQUE cannot refuse this insert.
    details = PaymentDetail.objects.bulk_create([receipt.row for receipt in receipts])
    ids.carried_by(details, ["receipt_number"])
    # From here to the commit the city's receipt and voucher number sequences are held.
    ids.assign(commit=commit)
    return row, details, ids


def _payment_row(*, payment: PaymentInput, checked: list[_CheckedBill], actor: User | None, now: datetime) -> Payment:
    online = payment.payment_mode in ONLINE_MODES
    if online:
        instrument_status = InstrumentStatus.REMITTED
    elif any(item.bill.business_service.receipt_approval_required for item in checked):
        instrument_status = InstrumentStatus.APPROVAL_PENDING
    else:
        instrument_status = InstrumentStatus.APPROVED
    author = author_of(actor)
    row = Payment(
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
    if not online:
        # Only an online payment's transaction number is UNIQUE: nothing can refuse this insert.
        row.save(force_insert=True)
        return row
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        # Another online payment with this transaction number committed first.
        raise _refuse(
            "DUPLICATE_TRANSACTION_NUMBER", "Payment.transactionNumber", f"'{payment.transaction_number}' is taken"
        ) from None
    return row


def _receipt_row(*, payment: Payment, item: _CheckedBill, now: datetime) -> PaymentDetail:
    """The receipt, unsaved and unnumbered; its primary key is set, so the rows pointing at it can be written
    first (foreign keys are checked at commit)."""
    bill = item.bill
    return PaymentDetail(
        payment=payment,
        tenant_id=bill.tenant_id,
        bill=bill,
        business_service=bill.business_service,
        total_due=bill.total_amount,
        total_amount_paid=item.detail.total_amount_paid,
        receipt_date=now,
        manual_receipt_number=item.detail.manual_receipt_number,
        manual_receipt_date=item.detail.manual_receipt_date,
    )


def _apply(*, receipts: list[_Receipt], actor: User | None, now: datetime) -> None:
    """Apportion each payment over its bill's heads and write what each head took: the demand details'
    collection (locked in primary-key order, after the demands and bills), the bill's copy of it and the
    allocations, each in one statement for the whole payment."""
    author = author_of(actor)
    advance_match = Q(pk__in=[])
    for receipt in receipts:
        if receipt.item.advance_head is not None:
            latest = list(receipt.item.bill.details.all())[-1]
            advance_match |= Q(demand_id=latest.demand_id, tax_head=receipt.item.advance_head)
    demand_details = list(
        DemandDetail.objects.select_for_update(of=("self",))
        .filter(
            Q(pk__in=[a.demand_detail_id for r in receipts for a in r.accounts if a.demand_detail_id]) | advance_match
        )
        .order_by("pk")
    )
    by_pk = {detail.pk: detail for detail in demand_details}
    changed_details, bill_details = {}, []
    for receipt in receipts:
        bill, paid = receipt.item.bill, receipt.row.total_amount_paid
        result = apportion(
            buckets=[
                Bucket(
                    key=account.pk,
                    period=(account.bill_detail.from_period, str(account.bill_detail_id)),
                    order=account.order,
                    due=account.amount,
                )
                for account in receipt.accounts
            ],
            amount=paid,
        )
        paid_by_detail = {}
        for account in receipt.accounts:
            adjusted = result.adjusted[account.pk]
            demand_detail = by_pk.get(account.demand_detail_id)
            if demand_detail is not None:
                due = demand_detail.due
                if (due >= 0 and not ZERO <= adjusted <= due) or (due < 0 and not due <= adjusted <= ZERO):
                    # The demand moved under a bill still marked ACTIVE: never collect more than is owed.
                    raise _refuse(
                        "BILL_OUTDATED", "Payment.paymentDetails.billId", f"bill {bill.bill_number} is out of date"
                    )
                if adjusted:
                    demand_detail.collection_amount += adjusted
                    changed_details[demand_detail.pk] = demand_detail
            account.adjusted_amount = adjusted
            paid_by_detail[account.bill_detail_id] = paid_by_detail.get(account.bill_detail_id, ZERO) + adjusted
            if adjusted:
                receipt.allocations.append(
                    PaymentAllocation(
                        payment_detail=receipt.row,
                        bill_account_detail=account,
                        demand_detail=demand_detail,
                        tax_head_code=account.tax_head_code,
                        gl_code=account.gl_code,
                        amount=adjusted,
                    )
                )
        if result.advance:
            advance = _advance_take(receipt=receipt, amount=result.advance, locked=demand_details, actor=actor)
            if advance.demand_detail.pk in by_pk:
                changed_details[advance.demand_detail.pk] = advance.demand_detail
            receipt.allocations.append(advance)
        for bill_detail in bill.details.all():
            bill_detail.amount_paid = paid_by_detail.get(bill_detail.pk, ZERO)
            bill_details.append(bill_detail)
    for detail in changed_details.values():
        detail.modified_by, detail.modified_at = author, now
    rows_update(list(changed_details.values()), ["collection_amount", "tax_amount", "modified_by", "modified_at"])
    rows_update([a for r in receipts for a in r.accounts], ["adjusted_amount"])
    rows_update(bill_details, ["amount_paid"])
    PaymentAllocation.objects.bulk_create([a for r in receipts for a in r.allocations])


def _advance_take(
    *, receipt: _Receipt, amount: Decimal, locked: list[DemandDetail], actor: User | None
) -> PaymentAllocation:
    """An overpayment becomes the service's advance head on the bill's latest demand, as a negative tax."""
    latest = list(receipt.item.bill.details.all())[-1]
    head = receipt.item.advance_head
    detail = next((d for d in locked if d.demand_id == latest.demand_id and d.tax_head_id == head.pk), None)
    if detail is None:
        author = author_of(actor)
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
    return PaymentAllocation(
        payment_detail=receipt.row,
        demand_detail=detail,
        tax_head_code=head.code,
        gl_code=head.gl_code,
        amount=amount,
        is_advance=True,
    )


def _bill_settle(*, receipt: _Receipt, actor: User | None) -> None:
    """PAID, or PARTIALLY_PAID, judged from the rows just written, not from the amount asked: what the heads took
    is what was paid on the bill. Audited once the receipt has its number."""
    bill = receipt.item.bill
    applied = sum((a.amount for a in receipt.allocations if not a.is_advance), ZERO)
    receipt.bill_status_before = bill.status
    bill.status = Bill.Status.PAID if applied >= bill.total_amount else Bill.Status.PARTIALLY_PAID
    bill.modified_by = author_of(actor)
    bill.save(update_fields=["status", "modified_by", "modified_at"])


def _receipt_audit(*, receipt: _Receipt, actor: User | None, ip: str | None) -> list[AuditEvent]:
    bill, row = receipt.item.bill, receipt.row
    return [
        audit_event(
            actor=actor,
            entity=bill,
            action=f"BILL_{bill.status}",
            from_state=receipt.bill_status_before,
            to_state=bill.status,
            reason=f"receipt {row.receipt_number}",
            source_ip=ip,
            data={"receiptNumber": row.receipt_number, "amountPaid": row.total_amount_paid},
        ),
        audit_event(
            actor=actor,
            entity=row,
            action="RECEIPT_CREATE",
            to_state=row.payment.instrument_status,
            source_ip=ip,
            data={"receiptNumber": row.receipt_number, "billNumber": bill.bill_number, "amount": row.total_amount_paid},
        ),
    ]
