"""Reads of collection rows, always scoped to one tenant (a state: its cities too)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate

from billing.dates import IST, ist_day_start
from billing.models import Bill, BusinessService, Demand, TaxHead
from billing.selectors import bills_with_details
from collection.models import (
    LIVE_INSTRUMENT_STATUSES,
    InstrumentStatus,
    Payment,
    PaymentDetail,
    PgTransaction,
    Remittance,
)
from collection.services.remittances import REMITTABLE_MODES
from core.errors import NotFoundError
from core.money import ZERO, AmountField, quantize
from notifications.models import SmsMessage


@dataclass(frozen=True)
class PaymentCriteria:
    """DIGIT's payment search criteria."""

    tenant_id: str
    ids: Iterable[str] = ()
    bill_ids: Iterable[str] = ()
    receipt_numbers: Iterable[str] = ()
    statuses: Iterable[str] = ()
    instrument_statuses: Iterable[str] = ()
    payment_modes: Iterable[str] = ()
    payer_ids: Iterable[str] = ()
    consumer_codes: Iterable[str] = ()
    business_services: Iterable[str] = ()
    transaction_number: str = ""
    mobile_number: str = ""
    from_date: datetime | None = None
    to_date: datetime | None = None
    limit: int = 100
    offset: int = 0


def tenant_scope(tenant_id: str, *, prefix: str = "") -> Q:
    """Rows of the tenant, and of its cities when it is a state."""
    return Q(**{f"{prefix}tenant_id": tenant_id}) | Q(**{f"{prefix}tenant__code__startswith": f"{tenant_id}."})


def payments_with_details(payments: QuerySet[Payment]) -> QuerySet[Payment]:
    return payments.select_related("created_by", "modified_by").prefetch_related(
        Prefetch(
            "details",
            queryset=PaymentDetail.objects.select_related("business_service")
            .prefetch_related(Prefetch("bill", queryset=bills_with_details(Bill.objects.all())))
            .order_by("receipt_number"),
        )
    )


def payment_get(*, payment_id) -> Payment:
    return payments_with_details(Payment.objects.filter(pk=payment_id)).get()


def payment_list(*, criteria: PaymentCriteria) -> list[Payment]:
    """Payments matching every given criterion, newest first."""
    payments = Payment.objects.filter(tenant_scope(criteria.tenant_id))
    detail_filters = {
        "details__bill_id__in": list(criteria.bill_ids),
        "details__receipt_number__in": list(criteria.receipt_numbers),
        "details__bill__consumer_code__in": list(criteria.consumer_codes),
        "details__business_service__code__in": list(criteria.business_services),
    }
    for lookup, values in detail_filters.items():
        if values:
            payments = payments.filter(**{lookup: values})
    if criteria.ids:
        payments = payments.filter(id__in=list(criteria.ids))
    if criteria.statuses:
        payments = payments.filter(payment_status__in=list(criteria.statuses))
    if criteria.instrument_statuses:
        payments = payments.filter(instrument_status__in=list(criteria.instrument_statuses))
    if criteria.payment_modes:
        payments = payments.filter(payment_mode__in=list(criteria.payment_modes))
    if criteria.payer_ids:
        payments = payments.filter(payer_id__in=list(criteria.payer_ids))
    if criteria.transaction_number:
        payments = payments.filter(transaction_number=criteria.transaction_number)
    if criteria.mobile_number:
        payments = payments.filter(mobile_number=criteria.mobile_number)
    if criteria.from_date is not None:
        payments = payments.filter(transaction_date__gte=criteria.from_date)
    if criteria.to_date is not None:
        payments = payments.filter(transaction_date__lte=criteria.to_date)
    ids = payments.values("pk").distinct()
    return list(
        payments_with_details(Payment.objects.filter(pk__in=ids)).order_by("-transaction_date", "-pk")[
            criteria.offset : criteria.offset + criteria.limit
        ]
    )


def remittance_list(
    *,
    tenant_id: str,
    ids: Iterable[str] = (),
    reference_numbers: Iterable[str] = (),
    from_date=None,
    to_date=None,
    limit: int = 100,
    offset: int = 0,
) -> list[Remittance]:
    """Remittances matching every given criterion, newest first, with their lines and receipts."""
    remittances = Remittance.objects.filter(tenant_scope(tenant_id))
    if ids:
        remittances = remittances.filter(id__in=list(ids))
    if reference_numbers:
        remittances = remittances.filter(reference_number__in=list(reference_numbers))
    if from_date is not None:
        remittances = remittances.filter(reference_date__gte=from_date)
    if to_date is not None:
        remittances = remittances.filter(reference_date__lte=to_date)
    return list(
        remittances.select_related("voucher", "created_by")
        .prefetch_related("voucher__lines__gl_code", "payments__details")
        .order_by("-reference_date", "-created_at")[offset : offset + limit]
    )


# --- Reports ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportCriteria:
    """What a collection report covers: receipts of the tenant (a state: its cities too) dated in IST days."""

    tenant_id: str
    from_date: date | None = None
    to_date: date | None = None
    business_service: str = ""
    payment_mode: str = ""
    instrument_status: str = ""


# What a summary row groups by: the receipt's IST day, its service, its payment's mode, or who took it.
SUMMARY_GROUPS = {
    "day": TruncDate("receipt_date", tzinfo=IST),
    "service": F("business_service__code"),
    "mode": F("payment__payment_mode"),
    "collector": F("payment__created_by__username"),
}
# A receipt that still holds its money counts as collected; one cancelled, rejected or dishonoured does not.
_LIVE = Q(payment__instrument_status__in=LIVE_INSTRUMENT_STATUSES)
_CLOSED = ~_LIVE


def _day_after(day: date) -> datetime:
    """The first instant after the IST day, so the day's last second is inside the range."""
    return ist_day_start(day + timedelta(days=1))


def _amount_sum(expression: str, *, filter: Q | None = None) -> Coalesce:
    return Coalesce(Sum(expression, filter=filter), Value(ZERO), output_field=AmountField())


def _in_paise(row: dict) -> dict:
    """Sums to two places whatever the database: SQLite hands back a sum as `Decimal("500")`."""
    return {name: quantize(value) if isinstance(value, Decimal) else value for name, value in row.items()}


def receipts_reported(*, criteria: ReportCriteria) -> QuerySet[PaymentDetail]:
    """The tenant's receipts a report covers, unordered."""
    receipts = PaymentDetail.objects.filter(tenant_scope(criteria.tenant_id))
    if criteria.from_date is not None:
        receipts = receipts.filter(receipt_date__gte=ist_day_start(criteria.from_date))
    if criteria.to_date is not None:
        receipts = receipts.filter(receipt_date__lt=_day_after(criteria.to_date))
    if criteria.business_service:
        receipts = receipts.filter(business_service__code=criteria.business_service)
    if criteria.payment_mode:
        receipts = receipts.filter(payment__payment_mode=criteria.payment_mode)
    if criteria.instrument_status:
        receipts = receipts.filter(payment__instrument_status=criteria.instrument_status)
    return receipts


def collection_summary(*, criteria: ReportCriteria, group_by: str) -> list[dict]:
    """One row per day, service, mode or collector (`key`), in key order: receipts and amount collected, and the
    receipts cancelled, rejected or dishonoured. One grouped query."""
    rows = (
        receipts_reported(criteria=criteria)
        .annotate(key=SUMMARY_GROUPS[group_by])
        .values("key")
        .annotate(
            receipts=Count("pk", filter=_LIVE),
            amount=_amount_sum("total_amount_paid", filter=_LIVE),
            closed_receipts=Count("pk", filter=_CLOSED),
            closed_amount=_amount_sum("total_amount_paid", filter=_CLOSED),
        )
        .order_by(F("key").asc(nulls_first=True))
    )
    return [_in_paise(row) for row in rows]


def collection_totals(*, criteria: ReportCriteria) -> dict:
    """The summary's totals over every receipt the report covers."""
    return _in_paise(
        receipts_reported(criteria=criteria).aggregate(
            receipts=Count("pk", filter=_LIVE),
            amount=_amount_sum("total_amount_paid", filter=_LIVE),
            closed_receipts=Count("pk", filter=_CLOSED),
            closed_amount=_amount_sum("total_amount_paid", filter=_CLOSED),
        )
    )


def receipt_register(*, criteria: ReportCriteria) -> QuerySet[PaymentDetail]:
    """Every receipt the report covers, oldest first, with what a register line shows."""
    return (
        receipts_reported(criteria=criteria)
        .select_related("payment", "payment__created_by", "business_service", "bill")
        .order_by("receipt_date", "receipt_number")
    )


def receipt_register_totals(*, criteria: ReportCriteria) -> dict:
    return receipts_reported(criteria=criteria).aggregate(receipts=Count("pk"), amount=_amount_sum("total_amount_paid"))


def remittance_report(*, tenant_id: str, from_date: date | None = None, to_date: date | None = None):
    """The tenant's remittances dated in the range, oldest first, each with its count of receipts."""
    remittances = Remittance.objects.filter(tenant_scope(tenant_id))
    if from_date is not None:
        remittances = remittances.filter(reference_date__gte=from_date)
    if to_date is not None:
        remittances = remittances.filter(reference_date__lte=to_date)
    totals = _in_paise(remittances.aggregate(remittances=Count("pk"), amount=_amount_sum("total_amount")))
    rows = (
        remittances.select_related("voucher", "created_by")
        .annotate(receipts=Count("payments__details"))
        .order_by("reference_date", "created_at")
    )
    return rows, totals


def online_transactions_reported(
    *, tenant_id: str, from_date: date | None = None, to_date: date | None = None, status: str = ""
) -> QuerySet[PgTransaction]:
    """The tenant's gateway transactions begun in the IST days, unordered."""
    transactions = PgTransaction.objects.filter(tenant_scope(tenant_id))
    if from_date is not None:
        transactions = transactions.filter(created_at__gte=ist_day_start(from_date))
    if to_date is not None:
        transactions = transactions.filter(created_at__lt=_day_after(to_date))
    if status:
        transactions = transactions.filter(txn_status=status)
    return transactions


def online_transaction_summary(**criteria) -> list[dict]:
    """Transactions and their amount per status (PENDING, SUCCESS, FAILURE), in one grouped query."""
    rows = (
        online_transactions_reported(**criteria)
        .values("txn_status")
        .annotate(transactions=Count("pk"), amount=_amount_sum("txn_amount"))
        .order_by("txn_status")
    )
    return [_in_paise(row) for row in rows]


def online_transaction_register(**criteria) -> QuerySet[PgTransaction]:
    """Each transaction, oldest first, with its service and the receipts of the payment it made."""
    return (
        online_transactions_reported(**criteria)
        .select_related("business_service", "payment")
        .prefetch_related(Prefetch("payment__details", queryset=PaymentDetail.objects.order_by("receipt_number")))
        .order_by("created_at", "txn_id")
    )


def remittable_receipts(
    *, tenant_id: str, business_service: str = "", from_date: date | None = None, to_date: date | None = None
) -> QuerySet[PaymentDetail]:
    """The city's approved cash, cheque and demand-draft receipts not yet remitted, oldest first."""
    receipts = PaymentDetail.objects.filter(
        tenant_id=tenant_id,
        payment__instrument_status=InstrumentStatus.APPROVED,
        payment__payment_mode__in=REMITTABLE_MODES,
    )
    if business_service:
        receipts = receipts.filter(business_service__code=business_service)
    if from_date is not None:
        receipts = receipts.filter(receipt_date__gte=ist_day_start(from_date))
    if to_date is not None:
        receipts = receipts.filter(receipt_date__lt=_day_after(to_date))
    return receipts.select_related("payment", "business_service", "bill").order_by("receipt_date", "receipt_number")


# --- Counter and receipts -------------------------------------------------------------------


def receipts_with_details(receipts: QuerySet[PaymentDetail]) -> QuerySet[PaymentDetail]:
    """Receipts with everything a printed receipt reads: payment, collector, city, bill heads, allocations."""
    return receipts.select_related("payment__created_by", "business_service", "tenant").prefetch_related(
        Prefetch("bill", queryset=bills_with_details(Bill.objects.all())), "allocations"
    )


def receipt_get(*, tenant_id: str, receipt_id) -> PaymentDetail:
    """One receipt of the tenant (a state: of its cities), or not found."""
    receipt = receipts_with_details(PaymentDetail.objects.filter(tenant_scope(tenant_id), pk=receipt_id)).first()
    if receipt is None:
        raise NotFoundError("RECEIPT_NOT_FOUND", f"no receipt '{receipt_id}' in {tenant_id}", field="receiptId")
    return receipt


def payment_receipts(*, tenant_id: str, payment_id) -> list[PaymentDetail]:
    """The receipts of one payment of the tenant, or not found."""
    receipts = list(
        receipts_with_details(
            PaymentDetail.objects.filter(tenant_scope(tenant_id), payment_id=payment_id).order_by("receipt_number")
        )
    )
    if not receipts:
        raise NotFoundError("INVALID_PAYMENT_ID", f"no payment '{payment_id}' in {tenant_id}", field="paymentId")
    return receipts


def receipt_sms_get(*, receipt: PaymentDetail) -> SmsMessage | None:
    """The payer's receipt SMS in the outbox (queued with the receipt, under the event key it was queued with)."""
    return SmsMessage.objects.filter(
        tenant_id=receipt.tenant_id, event_key=f"collection:receipt:{receipt.tenant_id}:{receipt.receipt_number}"
    ).first()


@dataclass(frozen=True)
class CounterConsumer:
    """A consumer a collector can take a payment from: one service's consumer code, with its payer."""

    business_service: BusinessService
    consumer_code: str
    payer_name: str
    mobile_number: str
    address: str


def counter_consumers_search(
    *, tenant_id: str, consumer_code: str = "", mobile_number: str = "", limit: int = 50
) -> list[CounterConsumer]:
    """Consumers of one city by consumer code or payer mobile, across services: those with ACTIVE demands, and
    imported bills still ACTIVE (they have no demands). The payer is the latest demand's (or bill's)."""
    demands = Demand.objects.filter(tenant_id=tenant_id, status=Demand.Status.ACTIVE)
    bills = Bill.objects.filter(tenant_id=tenant_id, status=Bill.Status.ACTIVE, source=Bill.Source.BILL_COLLECT)
    if consumer_code:
        demands, bills = demands.filter(consumer_code=consumer_code), bills.filter(consumer_code=consumer_code)
    if mobile_number:
        demands = demands.filter(payer_mobile_number=mobile_number)
        bills = bills.filter(mobile_number=mobile_number)
    found: dict[tuple[int, str], CounterConsumer] = {}
    for demand in demands.select_related("business_service").order_by("-tax_period_from", "-created_at"):
        found.setdefault(
            (demand.business_service_id, demand.consumer_code),
            CounterConsumer(
                demand.business_service,
                demand.consumer_code,
                demand.payer_name,
                demand.payer_mobile_number,
                demand.payer_address,
            ),
        )
    for bill in bills.select_related("business_service").order_by("-bill_date"):
        found.setdefault(
            (bill.business_service_id, bill.consumer_code),
            CounterConsumer(
                bill.business_service, bill.consumer_code, bill.payer_name, bill.mobile_number, bill.payer_address
            ),
        )
    return sorted(found.values(), key=lambda c: (c.business_service.code, c.consumer_code))[:limit]


def counter_bill_get(*, tenant_id: str, bill_id) -> Bill:
    """One bill of the city, with its heads, or not found."""
    bill = bills_with_details(Bill.objects.filter(tenant_id=tenant_id, pk=bill_id)).first()
    if bill is None:
        raise NotFoundError("INVALID_BILL_ID", f"no bill '{bill_id}' in {tenant_id}", field="billId")
    return bill


@dataclass(frozen=True)
class BillRow:
    label: str
    amount: Decimal
    kind: str  # CURRENT, ARREAR, PENALTY or ADVANCE


def counter_bill_rows(*, bill: Bill) -> list[BillRow]:
    """The bill as the collect-payment screen shows it (mGramSeva's): the latest period's heads, arrears per head
    as `BL_<head>`, and the penalty and advance rows only when the service's flags say so (otherwise those heads
    are listed like any other). The rows add up to the bill's total."""
    service = bill.business_service
    categories = dict(TaxHead.objects.filter(service=service).values_list("code", "category"))
    penalty = (TaxHead.Category.PENALTY, TaxHead.Category.FINES)
    details = list(bill.details.all())
    current: dict[str, BillRow] = {}
    arrears: dict[str, BillRow] = {}
    sums = {"PENALTY": ZERO, "ADVANCE": ZERO}
    for detail in details:
        is_current = detail is details[-1]
        for account in detail.account_details.all():
            category = categories.get(account.tax_head_code)
            if category in penalty and service.display_penalty:
                sums["PENALTY"] += account.amount
                continue
            if category == TaxHead.Category.ADVANCE_COLLECTION and service.display_advance:
                sums["ADVANCE"] += account.amount
                continue
            name = account.description or account.tax_head_code or account.gl_code
            key = account.tax_head_code or name
            rows, label, kind = (current, name, "CURRENT") if is_current else (arrears, f"BL_{key} ({name})", "ARREAR")
            row = rows.get(key)
            rows[key] = BillRow(label, (row.amount if row else ZERO) + account.amount, kind)
    result = [row for row in [*current.values(), *arrears.values()] if row.amount]
    if service.display_penalty:
        result.append(BillRow("Penalty", sums["PENALTY"], "PENALTY"))
    if service.display_advance:
        result.append(BillRow("Advance", sums["ADVANCE"], "ADVANCE"))
    return result


# --- Online payment transactions --------------------------------------------------------------


@dataclass(frozen=True)
class PgTransactionCriteria:
    """DIGIT pg-service's transaction search criteria."""

    tenant_id: str
    txn_ids: Iterable[str] = ()
    bill_ids: Iterable[str] = ()
    consumer_codes: Iterable[str] = ()
    user_uuid: str = ""
    receipt: str = ""
    txn_statuses: Iterable[str] = ()
    limit: int = 100
    offset: int = 0


def pg_transactions_with_payment(transactions: QuerySet[PgTransaction]) -> QuerySet[PgTransaction]:
    return transactions.select_related("bill", "business_service", "created_by", "payment").prefetch_related(
        Prefetch("payment__details", queryset=PaymentDetail.objects.order_by("receipt_number"))
    )


def pg_transaction_get(*, tenant_id: str, txn_id: str) -> PgTransaction | None:
    return pg_transactions_with_payment(PgTransaction.objects.filter(tenant_scope(tenant_id), txn_id=txn_id)).first()


def pg_transaction_list(*, criteria: PgTransactionCriteria) -> list[PgTransaction]:
    """Transactions matching every given criterion, newest first."""
    transactions = PgTransaction.objects.filter(tenant_scope(criteria.tenant_id))
    if criteria.txn_ids:
        transactions = transactions.filter(txn_id__in=list(criteria.txn_ids))
    if criteria.bill_ids:
        transactions = transactions.filter(bill_id__in=list(criteria.bill_ids))
    if criteria.consumer_codes:
        transactions = transactions.filter(consumer_code__in=list(criteria.consumer_codes))
    if criteria.user_uuid:
        transactions = transactions.filter(payer_uuid=criteria.user_uuid)
    if criteria.receipt:
        transactions = transactions.filter(payment__details__receipt_number=criteria.receipt)
    if criteria.txn_statuses:
        transactions = transactions.filter(txn_status__in=list(criteria.txn_statuses))
    return list(
        pg_transactions_with_payment(transactions).order_by("-created_at", "-pk")[
            criteria.offset : criteria.offset + criteria.limit
        ]
    )


def pg_bill_get(*, tenant_id: str, bill_id: str) -> Bill | None:
    """The city's bill, with its business service; another city's bill is not found."""
    return Bill.objects.filter(tenant_id=tenant_id, pk=bill_id).select_related("business_service").first()
