"""Reads of collection rows, always scoped to one tenant (a state: its cities too)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet

from billing.models import Bill
from billing.selectors import bills_with_details
from collection.models import Payment, PaymentDetail, Remittance


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
