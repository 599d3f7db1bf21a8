from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from billing.dates import ist_day_end, ist_day_start
from billing.models import BusinessService, TaxHead, TaxPeriod
from billing.services.demands import DemandDetailInput, DemandInput, PayerInput, demand_create
from core.digit.envelope import epoch_millis
from tests.core.factories import TenantFactory

GURPREET = {"name": "Gurpreet Kaur", "mobileNumber": "9876500001", "permanentAddress": "12 Lawrence Road"}


class BusinessServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessService
        django_get_or_create = ("tenant", "code")

    tenant = factory.SubFactory(TenantFactory, code="pb")
    code = factory.Sequence(lambda n: f"SVC{n}")
    name = factory.LazyAttribute(lambda service: f"Service {service.code}")
    bill_expiry_days = 7


class TaxHeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxHead
        django_get_or_create = ("service", "code")

    service = factory.SubFactory(BusinessServiceFactory)
    code = factory.Sequence(lambda n: f"HEAD{n}")
    name = factory.LazyAttribute(lambda head: head.code.title())
    category = TaxHead.Category.TAX
    order = 1
    gl_code = "1100101"


class TaxPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxPeriod
        django_get_or_create = ("service", "code")

    service = factory.SubFactory(BusinessServiceFactory)
    code = factory.Sequence(lambda n: f"PERIOD{n}")
    from_date = factory.LazyFunction(lambda: ist_day_start(date(2026, 4, 1)))
    to_date = factory.LazyFunction(lambda: ist_day_end(date(2027, 3, 31)))
    period_cycle = TaxPeriod.Cycle.ANNUAL
    financial_year = "2026-27"


def month(year: int, number: int) -> tuple[date, date]:
    following = date(year + number // 12, number % 12 + 1, 1)
    return date(year, number, 1), following - timedelta(days=1)


def financial_year(first: int) -> tuple[date, date]:
    return date(first, 4, 1), date(first + 1, 3, 31)


def raise_demand(
    *,
    tenant: str = "pb.amritsar",
    service: str = "WS",
    consumer: str = "WS-1",
    heads: dict[str, str] | None = None,
    collected: dict[str, str] | None = None,
    period: tuple[date, date] | None = None,
    payer: dict | None = None,
    raised_days_ago: int = 0,
    minimum: str = "0",
):
    """A demand through the service, as a billing administrator's system would raise it."""
    payer = payer or GURPREET
    period = period or month(2026, 10)
    collected = collected or {}
    return demand_create(
        tenant_id=tenant,
        demands=[
            DemandInput(
                consumer_code=consumer,
                business_service_code=service,
                payer=PayerInput(
                    name=payer["name"],
                    mobile_number=payer.get("mobileNumber", ""),
                    address=payer.get("permanentAddress", ""),
                ),
                tax_period_from=ist_day_start(period[0]),
                tax_period_to=ist_day_end(period[1]),
                details=[
                    DemandDetailInput(
                        tax_head_code=code,
                        tax_amount=Decimal(amount),
                        collection_amount=Decimal(collected.get(code, "0")),
                    )
                    for code, amount in (heads or {"10101": "240"}).items()
                ],
                minimum_amount_payable=Decimal(minimum),
                raised_at=timezone.now() - timedelta(days=raised_days_ago),
            )
        ],
        actor=None,
    )[0]


def demand_body(
    *,
    tenant: str = "pb.amritsar",
    service: str = "WS",
    consumer: str = "WS-1",
    details: list[dict] | None = None,
    period: tuple[date, date] | None = None,
    payer: dict | None = None,
    **extra,
) -> dict:
    """A demand as a DIGIT client sends it to /demand/_create."""
    period = period or month(2026, 10)
    return {
        "tenantId": tenant,
        "consumerCode": consumer,
        "businessService": service,
        "payer": payer if payer is not None else GURPREET,
        "taxPeriodFrom": epoch_millis(ist_day_start(period[0])),
        "taxPeriodTo": epoch_millis(ist_day_end(period[1])),
        "demandDetails": details
        if details is not None
        else [{"taxHeadMasterCode": "10101", "taxAmount": 240, "collectionAmount": 0}],
        **extra,
    }
