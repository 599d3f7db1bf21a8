"""What every write on a consumer shares: the lock, advance carry-forward, paid-up flags and bill expiry.

Lock order for a consumer, everywhere in Kosh: its demands by primary key, then its bills by primary key.
Call these inside the caller's transaction."""

from collections import defaultdict

from django.db.models import Q

from billing.models import Bill, BusinessService, Demand, DemandDetail, TaxHead
from core.db import rows_update
from core.models import User
from core.money import ZERO
from core.services.audit import audit_record

Consumer = tuple[int, str]  # (business service pk, consumer code)


def author_of(actor: User | None) -> User | None:
    """The user to store as createdBy/lastModifiedBy; None for scheduled work."""
    return actor if actor is not None and actor.is_authenticated else None


def consumer_demands_lock(*, tenant_id: str, consumers: list[Consumer], include_ids: list[str] = ()) -> list[Demand]:
    """Lock the consumers' ACTIVE demands (and any demand named by id, whatever its status) in primary-key order."""
    match = Q(id__in=list(include_ids))
    by_service = defaultdict(list)
    for service_id, consumer_code in consumers:
        by_service[service_id].append(consumer_code)
    for service_id, codes in by_service.items():
        match |= Q(business_service_id=service_id, consumer_code__in=codes, status=Demand.Status.ACTIVE)
    if not by_service and not include_ids:
        return []
    demands = (
        Demand.objects.select_for_update(of=("self",))
        .filter(match, tenant_id=tenant_id)
        .select_related("business_service")
        .order_by("pk")
    )
    locked = list(demands)
    if not by_service:
        # Named rows only: each was waited for and read again at its latest version.
        return locked
    # The first read waits for whoever holds the consumer; but under READ COMMITTED it returns only the rows its
    # snapshot saw, not a demand that holder was inserting. The second read, once we hold the lock, sees those too.
    return list(demands.all())


def consumers_settle(
    *, tenant_id: str, consumers: list[Consumer], actor: User | None, source_ip: str | None, reason: str
) -> None:
    """After demands change: carry advances forward, mark demands paid up, expire the consumers' ACTIVE bills."""
    demands = consumer_demands_lock(tenant_id=tenant_id, consumers=consumers)
    services = BusinessService.objects.in_bulk([service_id for service_id, _ in consumers])
    for service_id, consumer_code in consumers:
        own = [d for d in demands if d.business_service_id == service_id and d.consumer_code == consumer_code]
        advance_carry_forward(service=services[service_id], demands=own, actor=actor)
    demand_completion_refresh(demands=demands)
    consumer_bills_expire(tenant_id=tenant_id, consumers=consumers, actor=actor, source_ip=source_ip, reason=reason)


def advance_carry_forward(*, service: BusinessService, demands: list[Demand], actor: User | None):
    """Spend one consumer's unconsumed advance (`<SVC>_ADVANCE_CARRYFORWARD`, negative tax) on its open dues, oldest
    period first and then by head order, as DIGIT's demand apportioning does. Answers the amount carried.

    Both sides are money already received, so only collection amounts move: the dues' collection rises, the
    advance's falls towards its (negative) tax. Nothing is carried twice: a consumed advance has no due left."""
    if not service.is_advance_allowed or not demands:
        return ZERO
    periods = {demand.pk: (demand.tax_period_from, demand.raised_at) for demand in demands}
    details = list(DemandDetail.objects.filter(demand__in=demands).select_related("tax_head"))
    advances = sorted(
        (d for d in details if d.tax_head.category == TaxHead.Category.ADVANCE_COLLECTION and d.due < 0),
        key=lambda d: (periods[d.demand_id], d.created_at),
    )
    dues = sorted(
        (d for d in details if d.tax_head.category != TaxHead.Category.ADVANCE_COLLECTION and d.due > 0),
        key=lambda d: (periods[d.demand_id], d.tax_head.order, d.tax_head.code),
    )
    carried = min(-sum((d.due for d in advances), ZERO), sum((d.due for d in dues), ZERO))
    if carried <= 0:
        return ZERO
    author = author_of(actor)
    for group, sign in ((dues, 1), (advances, -1)):
        remaining = carried
        for detail in group:
            take = min(abs(detail.due), remaining)
            if take <= 0:
                break
            detail.collection_amount += sign * take
            detail.modified_by = author
            detail.save(update_fields=["collection_amount", "modified_by", "modified_at"])
            remaining -= take
    audit_record(
        actor=actor,
        entity=demands[0],
        action="ADVANCE_CARRY_FORWARD",
        reason="advance spent on open dues",
        data={"consumerCode": demands[0].consumer_code, "businessService": service.code, "amount": carried},
    )
    return carried


def demand_completion_refresh(*, demands: list[Demand]) -> None:
    """`isPaymentCompleted` is true when everything taxed is collected (Σtax = Σcollection), recomputed from rows."""
    if not demands:
        return
    totals = defaultdict(lambda: [ZERO, ZERO])
    for demand_id, tax, collection in DemandDetail.objects.filter(demand__in=demands).values_list(
        "demand_id", "tax_amount", "collection_amount"
    ):
        totals[demand_id][0] += tax
        totals[demand_id][1] += collection
    changed = []
    for demand in demands:
        tax, collection = totals[demand.pk]
        completed = tax == collection
        if demand.is_payment_completed != completed:
            demand.is_payment_completed = completed
            changed.append(demand)
    rows_update(changed, ["is_payment_completed", "modified_at"])


def consumer_bills_expire(
    *, tenant_id: str, consumers: list[Consumer], actor: User | None, source_ip: str | None, reason: str
) -> list[Bill]:
    """Set the consumers' ACTIVE bills EXPIRED (the dues behind them changed)."""
    match = Q(pk__in=[])
    for service_id, consumer_code in consumers:
        match |= Q(business_service_id=service_id, consumer_code=consumer_code)
    bills = list(
        Bill.objects.select_for_update(of=("self",))
        .filter(match, tenant_id=tenant_id, status=Bill.Status.ACTIVE)
        .order_by("pk")
    )
    for bill in bills:
        bill_status_change(bill=bill, to_status=Bill.Status.EXPIRED, actor=actor, source_ip=source_ip, reason=reason)
    return bills


def bill_status_change(
    *, bill: Bill, to_status: str, actor: User | None, source_ip: str | None, reason: str, data: dict | None = None
) -> Bill:
    """Move a locked bill to `to_status` (the caller has checked the move is allowed), with its audit row."""
    from_status = bill.status
    bill.status = to_status
    bill.modified_by = author_of(actor)
    bill.save(update_fields=["status", "modified_by", "modified_at"])
    audit_record(
        actor=actor,
        entity=bill,
        action=f"BILL_{to_status}",
        from_state=from_status,
        to_state=to_status,
        reason=reason,
        source_ip=source_ip,
        data=data,
    )
    return bill
