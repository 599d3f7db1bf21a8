"""Demo billing data: the standard masters in `pb` and `od`, and consumers with demands over several periods in
Amritsar, Jalandhar and Angul (arrears, a time penalty due, an advance, a consumer in net advance, one mobile
number across services) plus the bill-collect sample. Idempotent; the tenants come from `core`'s demo."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing.dates import ist_day_end, ist_day_start
from billing.models import Bill, Demand
from billing.services.bill_collect import bill_collect_import
from billing.services.demands import DemandDetailInput, DemandInput, PayerInput, demand_create
from billing.services.masters import billing_masters_seed
from core.errors import ApplicationError

DEMO_STATES = ("pb", "od")
BILL_COLLECT_SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "bpa_bill_collect_sample.xml"


@dataclass(frozen=True)
class DemoDemand:
    tenant_id: str
    service: str
    consumer_code: str
    payer: PayerInput
    period: tuple[date, date]
    heads: dict[str, tuple[str, str]]  # tax head → (tax, collected)
    raised_days_ago: int = 0


def _month(year: int, month: int) -> tuple[date, date]:
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, 1), following - timedelta(days=1)


def _financial_year(first: int) -> tuple[date, date]:
    return date(first, 4, 1), date(first + 1, 3, 31)


GURPREET = PayerInput(name="Gurpreet Kaur", mobile_number="9876500001", address="12 Lawrence Road, Amritsar")
HARJIT = PayerInput(name="Harjit Singh", mobile_number="9876500002", address="4 Mall Road, Amritsar")
SIMRAN = PayerInput(name="Simran Gill", mobile_number="9876500003", address="88 Ranjit Avenue, Amritsar")
BALDEV = PayerInput(name="Baldev Arora", mobile_number="9876500004", address="7 Green Avenue, Amritsar")
MANPREET = PayerInput(name="Manpreet Sandhu", mobile_number="9876500011", address="21 Model Town, Jalandhar")
SUBHASH = PayerInput(name="Subhash Pradhan", mobile_number="9876500021", address="3 Hakimpada, Angul")


def demo_demands(today: date) -> list[DemoDemand]:
    """Demands relative to today: the last three months of water, this and last year's property tax, a permit."""
    months = []
    cursor = today.replace(day=1)
    for _ in range(3):
        cursor = (cursor - timedelta(days=1)).replace(day=1)
        months.append(_month(cursor.year, cursor.month))
    older, middle, latest = reversed(months)
    year = today.year if today.month >= 4 else today.year - 1
    this_year, last_year = _financial_year(year), _financial_year(year - 1)
    water = "240.00"
    return [
        # Arrears over three months, part paid; the latest is past its due date, so a time penalty comes.
        DemoDemand("pb.amritsar", "WS", "WS-AMR-1001", GURPREET, older, {"10101": (water, water)}, 70),
        DemoDemand("pb.amritsar", "WS", "WS-AMR-1001", GURPREET, middle, {"10101": (water, "100.00")}, 40),
        DemoDemand("pb.amritsar", "WS", "WS-AMR-1001", GURPREET, latest, {"10101": (water, "0")}, 30),
        # Paid ahead last month: the advance lowers this month's bill.
        DemoDemand(
            "pb.amritsar",
            "WS",
            "WS-AMR-1002",
            HARJIT,
            middle,
            {"10101": (water, water), "WS_ADVANCE_CARRYFORWARD": ("-150.00", "0")},
            40,
        ),
        DemoDemand("pb.amritsar", "WS", "WS-AMR-1002", HARJIT, latest, {"10101": (water, "0")}),
        # Paid far ahead: still in advance after this month, so no bill.
        DemoDemand(
            "pb.amritsar",
            "WS",
            "WS-AMR-1003",
            SIMRAN,
            middle,
            {"10101": (water, water), "WS_ADVANCE_CARRYFORWARD": ("-500.00", "0")},
            40,
        ),
        DemoDemand("pb.amritsar", "WS", "WS-AMR-1003", SIMRAN, latest, {"10101": (water, "0")}),
        # A fraction of a rupee needs the round-off head.
        DemoDemand(
            "pb.amritsar",
            "WS",
            "WS-AMR-1004",
            BALDEV,
            latest,
            {"10101": ("180.60", "0"), "WS_Round_Off": ("0.40", "0")},
        ),
        # The same mobile number as WS-AMR-1001: a search by mobile finds both services.
        DemoDemand(
            "pb.amritsar",
            "PT",
            "PT-AMR-2001",
            GURPREET,
            last_year,
            {"PT_TAX": ("4800.00", "3000.00"), "PT_FIRE_CESS": ("120.00", "120.00")},
            300,
        ),
        DemoDemand(
            "pb.amritsar",
            "PT",
            "PT-AMR-2001",
            GURPREET,
            this_year,
            {"PT_TAX": ("5000.00", "0"), "PT_FIRE_CESS": ("125.00", "0"), "PT_CANCER_CESS": ("50.00", "0")},
            60,
        ),
        DemoDemand(
            "pb.amritsar",
            "BPA",
            "BPA-AMR-3001",
            BALDEV,
            this_year,
            {"BPA_SCRUTINY_FEE": ("1000.00", "0"), "BPA_PERMIT_FEE": ("598.00", "0"), "BPA_LABOUR_CESS": ("5.00", "0")},
        ),
        DemoDemand("pb.jalandhar", "WS", "WS-JAL-1001", MANPREET, middle, {"10101": ("300.00", "0")}, 40),
        DemoDemand("pb.jalandhar", "WS", "WS-JAL-1001", MANPREET, latest, {"10101": ("300.00", "0")}, 5),
        DemoDemand("pb.jalandhar", "PT", "PT-JAL-2001", MANPREET, this_year, {"PT_TAX": ("3600.00", "0")}, 60),
        DemoDemand("od.angul", "WS", "WS-ANG-1001", SUBHASH, latest, {"10101": ("150.00", "0")}, 5),
    ]


def demo_consumer_codes() -> list[str]:
    return sorted({demand.consumer_code for demand in demo_demands(timezone.localdate())} | {"01365-2019-HY"})


@transaction.atomic
def billing_demo_seed() -> None:
    """Create whatever of the billing demo is missing; running it again changes nothing."""
    if settings.KOSH_ENVIRONMENT == "production":
        raise ApplicationError("DEMO_IN_PRODUCTION", "Demo data is never loaded under production settings.")
    for state_id in DEMO_STATES:
        billing_masters_seed(state_id=state_id)
    now = timezone.now()
    for demo in demo_demands(timezone.localdate(now)):
        period_from, period_to = ist_day_start(demo.period[0]), ist_day_end(demo.period[1])
        if Demand.objects.filter(
            tenant_id=demo.tenant_id,
            business_service__code=demo.service,
            consumer_code=demo.consumer_code,
            tax_period_from=period_from,
            status=Demand.Status.ACTIVE,
        ).exists():
            continue
        demand_create(
            tenant_id=demo.tenant_id,
            demands=[
                DemandInput(
                    consumer_code=demo.consumer_code,
                    business_service_code=demo.service,
                    payer=demo.payer,
                    tax_period_from=period_from,
                    tax_period_to=period_to,
                    details=[
                        DemandDetailInput(
                            tax_head_code=code, tax_amount=Decimal(tax), collection_amount=Decimal(collected)
                        )
                        for code, (tax, collected) in demo.heads.items()
                    ],
                    raised_at=now - timedelta(days=demo.raised_days_ago),
                )
            ],
            actor=None,
        )
    if not Bill.objects.filter(tenant_id="pb.amritsar", consumer_code="01365-2019-HY").exists():
        bill_collect_import(tenant_id="pb.amritsar", document=BILL_COLLECT_SAMPLE.read_bytes(), actor=None)
