"""Reads of billing rows, always scoped to one tenant (masters: the tenant and its state)."""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from billing.models import (
    Bill,
    BillAccountDetail,
    BillDetail,
    BusinessService,
    Demand,
    DemandDetail,
    TaxHead,
    TaxPeriod,
)
from core.errors import ApplicationError
from core.lookups import cached
from core.models import Tenant
from core.selectors import tenant_get, tenant_masters_visible


def city_get(*, tenant_id: str) -> Tenant:
    """The city a demand or bill request names. A state holds masters only (DIGIT's EG_BS_INVALID_TENANTID)."""
    tenant = tenant_get(code=tenant_id)
    if tenant.is_state:
        raise ApplicationError(
            "EG_BS_INVALID_TENANTID",
            f"tenantId: '{tenant.code}' is a state; demands and bills belong to one of its cities",
            field="tenantId",
        )
    return tenant


# --- Masters --------------------------------------------------------------------------------


def business_service_list(*, tenant_id: str, codes: Iterable[str] = ()) -> QuerySet[BusinessService]:
    services = tenant_masters_visible(BusinessService.objects.filter(is_active=True), tenant_id=tenant_id)
    if codes:
        services = services.filter(code__in=list(codes))
    return services.order_by("code")


def business_service_get(*, tenant_id: str, code: str, field: str = "businessService") -> BusinessService:
    """The active business service `code` a tenant sees, or a 400 naming the field."""
    service = business_service_list(tenant_id=tenant_id, codes=[code]).first() if code else None
    if service is None:
        raise ApplicationError(
            "EG_BS_BUSINESS_SERVICE_INVALID", f"{field}: unknown business service '{code}'", field=field
        )
    return service


def tax_head_list(
    *, tenant_id: str, services: Iterable[str] = (), codes: Iterable[str] = (), categories: Iterable[str] = ()
) -> QuerySet[TaxHead]:
    heads = tenant_masters_visible(
        TaxHead.objects.filter(service__is_active=True), tenant_id=tenant_id, field="service__tenant"
    )
    if services:
        heads = heads.filter(service__code__in=list(services))
    if codes:
        heads = heads.filter(code__in=list(codes))
    if categories:
        heads = heads.filter(category__in=list(categories))
    return heads.select_related("service").order_by("service__code", "order", "code")


def tax_period_list(
    *, tenant_id: str, services: Iterable[str] = (), codes: Iterable[str] = (), on: datetime | None = None
) -> QuerySet[TaxPeriod]:
    periods = tenant_masters_visible(
        TaxPeriod.objects.filter(service__is_active=True), tenant_id=tenant_id, field="service__tenant"
    )
    if services:
        periods = periods.filter(service__code__in=list(services))
    if codes:
        periods = periods.filter(code__in=list(codes))
    if on is not None:
        periods = periods.filter(from_date__lte=on, to_date__gte=on)
    return periods.select_related("service").order_by("service__code", "from_date")


# --- Demands --------------------------------------------------------------------------------


def demand_details_prefetch() -> Prefetch:
    return Prefetch(
        "details",
        queryset=DemandDetail.objects.select_related("tax_head", "created_by", "modified_by").order_by(
            "tax_head__order", "tax_head__code"
        ),
    )


def demand_list(
    *,
    tenant_id: str,
    consumer_codes: Iterable[str] = (),
    business_service: BusinessService | None = None,
    demand_ids: Iterable[str] = (),
    status: str | None = None,
    mobile_number: str = "",
    email: str = "",
    period_from: datetime | None = None,
    period_to: datetime | None = None,
    is_payment_completed: bool | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Demand]:
    """Demands of one city matching every given criterion, newest period first, with their details."""
    demands = Demand.objects.filter(tenant_id=tenant_id)
    if consumer_codes:
        demands = demands.filter(consumer_code__in=list(consumer_codes))
    if business_service is not None:
        demands = demands.filter(business_service=business_service)
    if demand_ids:
        demands = demands.filter(id__in=list(demand_ids))
    if status:
        demands = demands.filter(status=status)
    if mobile_number:
        demands = demands.filter(payer_mobile_number=mobile_number)
    if email:
        demands = demands.filter(payer_email__iexact=email)
    if period_from is not None:
        demands = demands.filter(tax_period_from__gte=period_from)
    if period_to is not None:
        demands = demands.filter(tax_period_to__lte=period_to)
    if is_payment_completed is not None:
        demands = demands.filter(is_payment_completed=is_payment_completed)
    return list(
        demands.select_related("business_service", "created_by", "modified_by")
        .prefetch_related(demand_details_prefetch())
        .order_by("-tax_period_from", "consumer_code", "-created_at")[offset : offset + limit]
    )


def demand_consumers_of_payer(
    *, tenant_id: str, mobile_number: str = "", email: str = "", business_service: BusinessService | None = None
) -> list[tuple[BusinessService, str]]:
    """The (service, consumer code) pairs whose ACTIVE demands name this payer, across services."""
    demands = Demand.objects.filter(tenant_id=tenant_id, status=Demand.Status.ACTIVE)
    if mobile_number:
        demands = demands.filter(payer_mobile_number=mobile_number)
    if email:
        demands = demands.filter(payer_email__iexact=email)
    if business_service is not None:
        demands = demands.filter(business_service=business_service)
    pairs = demands.values_list("business_service_id", "consumer_code").distinct().order_by("business_service_id")
    services = {service.pk: service for service in BusinessService.objects.filter(pk__in={pk for pk, _ in pairs})}
    return sorted(((services[pk], code) for pk, code in pairs), key=lambda pair: (pair[0].code, pair[1]))


# --- Bills ----------------------------------------------------------------------------------


def bills_with_details(bills: QuerySet[Bill]) -> QuerySet[Bill]:
    """Bills with everything their DIGIT representation reads: three queries whatever the count."""
    return bills.select_related("business_service", "created_by", "modified_by").prefetch_related(
        Prefetch(
            "details",
            queryset=BillDetail.objects.order_by("from_period", "id").prefetch_related(
                Prefetch("account_details", queryset=BillAccountDetail.objects.order_by("order", "tax_head_code", "id"))
            ),
        )
    )


def bill_active_get(*, tenant_id: str, business_service: BusinessService, consumer_code: str) -> Bill | None:
    """The consumer's ACTIVE bill (at most one, by constraint) with its details, whether or not it has expired."""
    return bills_with_details(
        Bill.objects.filter(
            tenant_id=tenant_id,
            business_service=business_service,
            consumer_code=consumer_code,
            status=Bill.Status.ACTIVE,
        )
    ).first()


def bills_valid_list(
    *, tenant_id: str, business_service_code: str, consumer_codes: Iterable[str], now: datetime
) -> list[Bill]:
    """The consumers' ACTIVE bills of an active service that are still payable at `now`, with their details.

    The hot path of `_fetchbill`, so one query: account details joined to their detail and bill (every detail has
    at least one account), regrouped here as `bills_with_details` would prefetch them."""
    accounts = (
        BillAccountDetail.objects.filter(
            bill_detail__bill__tenant_id=tenant_id,
            bill_detail__bill__business_service__code=business_service_code,
            bill_detail__bill__business_service__is_active=True,
            bill_detail__bill__consumer_code__in=list(consumer_codes),
            bill_detail__bill__status=Bill.Status.ACTIVE,
            bill_detail__bill__expires_at__gte=now,
        )
        .select_related(
            "bill_detail__bill__business_service", "bill_detail__bill__created_by", "bill_detail__bill__modified_by"
        )
        .order_by("bill_detail__bill_id", "bill_detail__from_period", "bill_detail_id", "order", "tax_head_code", "id")
    )
    bills: dict = {}
    details: dict = {}
    for account in accounts:
        detail = details.setdefault(account.bill_detail_id, account.bill_detail)
        bill = bills.setdefault(detail.bill_id, detail.bill)
        # What prefetch_related would have stored: `bill.details.all()` and `detail.account_details.all()` read it.
        detail_cache = detail.__dict__.setdefault("_prefetched_objects_cache", {})
        detail_cache.setdefault("account_details", []).append(account)
        bill_details = bill.__dict__.setdefault("_prefetched_objects_cache", {}).setdefault("details", [])
        # Rows come detail by detail, so a new detail is one not last in its bill's list.
        if not bill_details or bill_details[-1] is not detail:
            bill_details.append(detail)
    return list(bills.values())


def bill_valid_key(*, tenant_id: str, business_service_code: str, consumer_code: str) -> str:
    return f"bill:{tenant_id}:{business_service_code}:{consumer_code}"


def bill_valid_rendered(
    *, tenant_id: str, business_service_code: str, consumer_code: str, now: datetime, render: Callable[[Bill], dict]
) -> dict | None:
    """The consumer's still-valid ACTIVE bill as `render` draws it, through the lookup cache: the answer to an
    integrator's repeated `_fetchbill`. None when there is none (the fetch then builds one). A saved bill (paid,
    expired, cancelled, superseded) is forgotten at once (billing/signals.py)."""

    def load() -> dict | None:
        bills = bills_valid_list(
            tenant_id=tenant_id, business_service_code=business_service_code, consumer_codes=[consumer_code], now=now
        )
        return {"expires_at": bills[0].expires_at, "bill": render(bills[0])} if bills else None

    held = cached(
        bill_valid_key(tenant_id=tenant_id, business_service_code=business_service_code, consumer_code=consumer_code),
        load,
    )
    if held is None or held["expires_at"] < now:
        return None
    return held["bill"]


def bill_list(
    *,
    tenant_id: str,
    bill_ids: Iterable[str] = (),
    bill_numbers: Iterable[str] = (),
    consumer_codes: Iterable[str] = (),
    business_service: BusinessService | None = None,
    mobile_number: str = "",
    email: str = "",
    statuses: Iterable[str] = (),
    limit: int = 100,
    offset: int = 0,
) -> list[Bill]:
    """Bills of one city matching every given criterion, newest first."""
    bills = Bill.objects.filter(tenant_id=tenant_id)
    if bill_ids:
        bills = bills.filter(id__in=list(bill_ids))
    if bill_numbers:
        bills = bills.filter(bill_number__in=list(bill_numbers))
    if consumer_codes:
        bills = bills.filter(consumer_code__in=list(consumer_codes))
    if business_service is not None:
        bills = bills.filter(business_service=business_service)
    if mobile_number:
        bills = bills.filter(mobile_number=mobile_number)
    if email:
        bills = bills.filter(payer_email__iexact=email)
    if statuses:
        bills = bills.filter(status__in=list(statuses))
    return list(bills_with_details(bills).order_by("-bill_date", "-created_at")[offset : offset + limit])


def bill_latest_get(*, tenant_id: str, business_service: BusinessService, consumer_code: str) -> Bill | None:
    return (
        Bill.objects.filter(tenant_id=tenant_id, business_service=business_service, consumer_code=consumer_code)
        .order_by("-bill_date", "-created_at")
        .first()
    )
