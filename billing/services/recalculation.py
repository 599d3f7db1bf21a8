"""Recalculation hooks: what a business service changes on a consumer's demands before a new bill is built
(DIGIT calls the module's `_updateDemand` URL; Kosh calls a function). The registry is keyed by business service
code; `BillingConfig.ready` registers the water service's time penalty."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from billing.dates import ist_date
from billing.models import BusinessService, Demand, DemandDetail, TaxHead
from core.errors import ApplicationError
from core.models import User
from core.money import quantize
from core.services.audit import audit_record

RUPEE = Decimal("1")
HUNDRED = Decimal("100")
# The heads a time penalty is charged on: the demand's actual charges, not penalties, round-offs, rebates or advances.
PENALTY_BASE_CATEGORIES = (TaxHead.Category.TAX, TaxHead.Category.FEE, TaxHead.Category.CHARGES)


class RecalculationHook(Protocol):
    def recalculate(
        self, *, service: BusinessService, demands: list[Demand], today: date, actor: User | None
    ) -> list[DemandDetail]:
        """Change the consumer's (locked, ACTIVE) demands as of `today`; answer the details added. Idempotent."""

    def expiry_limit(self, *, service: BusinessService, demands: list[Demand], today: date) -> date | None:
        """The last day a bill built today may stay valid, when the hook will change the dues after it."""


_hooks: dict[str, RecalculationHook] = {}


def recalculation_hook_register(*, service_code: str, hook: RecalculationHook) -> None:
    _hooks[service_code] = hook


def recalculation_hook_for(*, service_code: str) -> RecalculationHook | None:
    return _hooks.get(service_code)


def rupees_round(amount: Decimal) -> Decimal:
    """Half-up to whole rupees, for services whose amounts are whole rupees."""
    return quantize(amount.quantize(RUPEE, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class TimePenalty:
    """mGramSeva's time penalty: once the latest demand is still unpaid `time_penalty_grace_days` after it was
    raised, `<SVC>_TIME_PENALTY` of `time_penalty_percent` of its unpaid charges is added to it, once."""

    def penalty_head(self, service: BusinessService) -> TaxHead:
        code = f"{service.code}_TIME_PENALTY"
        head = TaxHead.objects.filter(service=service, code=code).first()
        if head is None:
            raise ApplicationError(
                "EG_BS_PENALTY_HEAD_MISSING",
                f"businessService: '{service.code}' charges a time penalty but has no tax head '{code}'",
                field="businessService",
            )
        return head

    def due_date(self, *, service: BusinessService, demand: Demand) -> date:
        return ist_date(demand.raised_at) + timedelta(days=service.time_penalty_grace_days)

    def latest_unpaid(self, demands: list[Demand]) -> Demand | None:
        active = [demand for demand in demands if demand.status == Demand.Status.ACTIVE]
        if not active:
            return None
        latest = max(active, key=lambda demand: (demand.tax_period_from, demand.raised_at))
        return None if latest.is_payment_completed else latest

    def recalculate(
        self, *, service: BusinessService, demands: list[Demand], today: date, actor: User | None
    ) -> list[DemandDetail]:
        demand = self.latest_unpaid(demands)
        if service.time_penalty_percent <= 0 or demand is None:
            return []
        due_date = self.due_date(service=service, demand=demand)
        if today <= due_date:
            return []
        head = self.penalty_head(service)
        details = list(demand.details.select_related("tax_head"))
        if any(detail.tax_head_id == head.pk for detail in details):
            return []
        base = sum(
            (
                detail.due
                for detail in details
                if detail.tax_head.category in PENALTY_BASE_CATEGORIES and detail.tax_head.is_actual_demand
            ),
            Decimal(0),
        )
        amount = quantize(base * service.time_penalty_percent / HUNDRED) if base > 0 else Decimal(0)
        if service.is_whole_rupee:
            amount = rupees_round(amount)
        if amount <= 0:
            return []
        penalty = DemandDetail.objects.create(
            demand=demand,
            tax_head=head,
            tax_amount=amount,
            collection_amount=Decimal(0),
            additional_details={
                "penaltyRatePercent": str(service.time_penalty_percent),
                "penaltyBase": str(base),
                "dueDate": due_date.isoformat(),
            },
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        audit_record(
            actor=actor,
            entity=demand,
            action="DEMAND_TIME_PENALTY",
            reason=f"unpaid after the due date {due_date.isoformat()}",
            data={"taxHeadMasterCode": head.code, "taxAmount": amount, "base": base},
        )
        return [penalty]

    def expiry_limit(self, *, service: BusinessService, demands: list[Demand], today: date) -> date | None:
        demand = self.latest_unpaid(demands)
        if service.time_penalty_percent <= 0 or demand is None:
            return None
        due_date = self.due_date(service=service, demand=demand)
        return due_date if due_date >= today else None
