"""Bills: fetch (the still-valid ACTIVE bill, or a new one), generate, cancel.

A bill is built from the consumer's open demands: one BillDetail per demand, one BillAccountDetail per head,
amounts `taxAmount − collectionAmount`, after the service's recalculation hook (e.g. the water time penalty) and
advance carry-forward have run. Two fetches for one consumer never make two ACTIVE bills: the slow path locks the
consumer's demands, then its bill, and a partial UNIQUE index backs that up."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.dates import ist_date, ist_day_end
from billing.models import Bill, BillAccountDetail, BillDetail, BusinessService, Demand, DemandDetail, TaxHead
from billing.selectors import (
    bill_active_get,
    bill_latest_get,
    bills_valid_list,
    bills_with_details,
    business_service_get,
    city_get,
    demand_consumers_of_payer,
)
from billing.services.consumers import (
    advance_carry_forward,
    author_of,
    bill_status_change,
    consumer_demands_lock,
    demand_completion_refresh,
)
from billing.services.masters import BILL_NUMBER_ID_NAME
from billing.services.recalculation import recalculation_hook_for
from core.errors import ApplicationError, NotFoundError
from core.models import User
from core.money import ZERO
from core.services.audit import audit_record
from core.services.idgen import id_generate

# A unique-index clash means a concurrent request made the bill first: fetching again finds it.
FETCH_ATTEMPTS = 2

PURPOSE_BY_CATEGORY = {
    TaxHead.Category.ADVANCE_COLLECTION: "ADVANCE_AMOUNT",
    TaxHead.Category.REBATE: "REBATE",
    TaxHead.Category.EXEMPTION: "REBATE",
}
LATE_PAYMENT_CATEGORIES = (TaxHead.Category.PENALTY, TaxHead.Category.FINES)


@dataclass(frozen=True)
class BillCriteria:
    """Whom to bill (DIGIT's GenerateBillCriteria): businessService + consumerCode(s), or a demandId, or the payer's
    mobile number or e-mail (across services unless businessService is given)."""

    tenant_id: str
    business_service_code: str = ""
    consumer_codes: tuple[str, ...] = ()
    demand_id: str = ""
    mobile_number: str = ""
    email: str = ""


def bill_fetch(*, criteria: BillCriteria, actor: User | None, source_ip: str | None = None) -> list[Bill]:
    """The consumers' still-valid ACTIVE bills as they are (so fetching is idempotent), and new bills for consumers
    whose bill expired or who have none."""
    return _bills_for(criteria=criteria, actor=actor, source_ip=source_ip, regenerate=False)


def bill_generate(*, criteria: BillCriteria, actor: User | None, source_ip: str | None = None) -> list[Bill]:
    """New bills from the open demands, whatever the consumers' ACTIVE bills (which expire)."""
    return _bills_for(criteria=criteria, actor=actor, source_ip=source_ip, regenerate=True)


def bill_cancel(
    *,
    tenant_id: str,
    business_service_code: str,
    consumer_code: str,
    actor: User | None,
    reason: str = "",
    source_ip: str | None = None,
) -> Bill:
    """Cancel the consumer's ACTIVE bill. A paid or part-paid bill is in collection's hands and stays as it is."""
    tenant = city_get(tenant_id=tenant_id)
    service = business_service_get(
        tenant_id=tenant.code, code=business_service_code, field="UpdateBillCriteria.businessService"
    )
    with transaction.atomic():
        consumer_demands_lock(tenant_id=tenant.code, consumers=[(service.pk, consumer_code)])
        bill = (
            Bill.objects.select_for_update(of=("self",))
            .filter(
                tenant_id=tenant.code,
                business_service=service,
                consumer_code=consumer_code,
                status=Bill.Status.ACTIVE,
            )
            .first()
        )
        if bill is None:
            latest = bill_latest_get(tenant_id=tenant.code, business_service=service, consumer_code=consumer_code)
            if latest is not None and latest.status in (Bill.Status.PAID, Bill.Status.PARTIALLY_PAID):
                raise ApplicationError(
                    "EG_BS_BILL_CANCEL_PAID",
                    f"UpdateBillCriteria.consumerCodes: bill {latest.bill_number} is {latest.status}; cannot cancel "
                    "the bill in the workflow",
                    field="UpdateBillCriteria.consumerCodes",
                )
            raise ApplicationError(
                "EG_BS_BILL_CANCEL_NO_ACTIVE",
                f"UpdateBillCriteria.consumerCodes: '{consumer_code}' has no ACTIVE {service.code} bill to cancel",
                field="UpdateBillCriteria.consumerCodes",
            )
        return bill_status_change(
            bill=bill,
            to_status=Bill.Status.CANCELLED,
            actor=actor,
            source_ip=source_ip,
            reason=reason or "cancelled",
        )


# --- Fetch ----------------------------------------------------------------------------------


def _bills_for(*, criteria: BillCriteria, actor: User | None, source_ip: str | None, regenerate: bool) -> list[Bill]:
    _criteria_check(criteria)
    if not regenerate and criteria.consumer_codes and "." in criteria.tenant_id:
        # An integrator's repeated fetch: every consumer named still has a valid bill, read in one query.
        codes = list(dict.fromkeys(criteria.consumer_codes))
        valid = {
            bill.consumer_code: bill
            for bill in bills_valid_list(
                tenant_id=criteria.tenant_id,
                business_service_code=criteria.business_service_code,
                consumer_codes=codes,
                now=timezone.now(),
            )
        }
        if len(valid) == len(codes):
            return [valid[code] for code in codes]
    tenant = city_get(tenant_id=criteria.tenant_id)
    consumers = _consumers_of(criteria=criteria, tenant_id=tenant.code)
    bills, refusals = [], []
    for service, consumer_code in consumers:
        try:
            bills.append(
                _bill_for_consumer(
                    tenant_id=tenant.code,
                    service=service,
                    consumer_code=consumer_code,
                    actor=actor,
                    source_ip=source_ip,
                    regenerate=regenerate,
                )
            )
        except ApplicationError as refusal:
            refusals.append(refusal)
    # One consumer's refusal (no dues, in advance) is the answer; among several, those with a bill are.
    if not bills:
        raise refusals[0]
    ids = [bill.pk for bill in bills]
    by_id = {bill.pk: bill for bill in bills_with_details(Bill.objects.filter(pk__in=ids))}
    return [by_id[pk] for pk in ids]


MANDATORY_CRITERIA = ["businessService", "consumerCode", "demandId", "mobileNumber", "email"]


def _criteria_check(criteria: BillCriteria) -> None:
    if criteria.consumer_codes and not criteria.business_service_code:
        raise ApplicationError(
            "BILL_GEN_MANDATORY_FIELDS_MISSING",
            "businessService: required with consumerCode",
            field="businessService",
        )
    if not (criteria.consumer_codes or criteria.demand_id or criteria.mobile_number or criteria.email):
        raise ApplicationError(
            "BILL_GEN_MANDATORY_FIELDS_MISSING",
            "consumerCode: give businessService and consumerCode, or demandId, or mobileNumber or email",
            params=MANDATORY_CRITERIA,
        )


def _consumers_of(*, criteria: BillCriteria, tenant_id: str) -> list[tuple[BusinessService, str]]:
    service = None
    if criteria.business_service_code:
        service = business_service_get(tenant_id=tenant_id, code=criteria.business_service_code)
    if criteria.consumer_codes:
        return [(service, code) for code in dict.fromkeys(criteria.consumer_codes)]
    if criteria.demand_id:
        demand = (
            Demand.objects.filter(tenant_id=tenant_id, pk=criteria.demand_id, status=Demand.Status.ACTIVE)
            .select_related("business_service")
            .first()
        )
        if demand is None:
            raise NotFoundError(
                "EG_BS_DEMAND_NOT_FOUND", f"demandId: no ACTIVE demand '{criteria.demand_id}'", field="demandId"
            )
        return [(demand.business_service, demand.consumer_code)]
    consumers = demand_consumers_of_payer(
        tenant_id=tenant_id, mobile_number=criteria.mobile_number, email=criteria.email, business_service=service
    )
    if not consumers:
        raise ApplicationError(
            "EG_BS_BILL_NO_DEMANDS_FOUND",
            f"{'mobileNumber' if criteria.mobile_number else 'email'}: no open demands name this payer",
            field="mobileNumber" if criteria.mobile_number else "email",
        )
    return consumers


def _bill_for_consumer(
    *,
    tenant_id: str,
    service: BusinessService,
    consumer_code: str,
    actor: User | None,
    source_ip: str | None,
    regenerate: bool,
) -> Bill:
    for attempt in range(FETCH_ATTEMPTS):
        now = timezone.now()
        if not regenerate:
            # The fast path: a valid bill is answered with reads only, no lock.
            bill = bill_active_get(tenant_id=tenant_id, business_service=service, consumer_code=consumer_code)
            if bill is not None and bill.expires_at >= now:
                return bill
        try:
            with transaction.atomic():
                demands = consumer_demands_lock(tenant_id=tenant_id, consumers=[(service.pk, consumer_code)])
                bill = (
                    Bill.objects.select_for_update(of=("self",))
                    .filter(
                        tenant_id=tenant_id,
                        business_service=service,
                        consumer_code=consumer_code,
                        status=Bill.Status.ACTIVE,
                    )
                    .first()
                )
                if bill is not None:
                    if not regenerate and bill.expires_at >= now:
                        return bill
                    bill_status_change(
                        bill=bill,
                        to_status=Bill.Status.EXPIRED,
                        actor=actor,
                        source_ip=source_ip,
                        reason="regenerated" if regenerate else "expired",
                    )
                return _bill_build(
                    tenant_id=tenant_id,
                    service=service,
                    consumer_code=consumer_code,
                    demands=demands,
                    actor=actor,
                    source_ip=source_ip,
                    now=now,
                )
        except IntegrityError:
            if attempt + 1 == FETCH_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


# --- Build ----------------------------------------------------------------------------------


def _bill_build(
    *,
    tenant_id: str,
    service: BusinessService,
    consumer_code: str,
    demands: list[Demand],
    actor: User | None,
    source_ip: str | None,
    now: datetime,
) -> Bill:
    """A new ACTIVE bill from the consumer's locked ACTIVE demands, or the reason there is nothing to pay."""
    today = ist_date(now)
    hook = recalculation_hook_for(service_code=service.code)
    if hook is not None:
        hook.recalculate(service=service, demands=demands, today=today, actor=actor)
    advance_carry_forward(service=service, demands=demands, actor=actor)
    demand_completion_refresh(demands=demands)
    open_demands = sorted(
        (demand for demand in demands if not demand.is_payment_completed),
        key=lambda demand: (demand.tax_period_from, demand.raised_at),
    )
    if not open_demands:
        raise ApplicationError(
            "EG_BS_BILL_NO_DEMANDS_FOUND",
            f"consumerCode: '{consumer_code}' owes nothing to {service.code}: no open demands",
            field="consumerCode",
        )
    details_by_demand = {demand.pk: [] for demand in open_demands}
    for detail in (
        DemandDetail.objects.filter(demand__in=open_demands)
        .select_related("tax_head")
        .order_by("tax_head__order", "tax_head__code")
    ):
        details_by_demand[detail.demand_id].append(detail)
    total = sum((detail.due for details in details_by_demand.values() for detail in details), ZERO)
    if total < 0:
        raise ApplicationError(
            "EG_BS_BILL_NET_ADVANCE",
            f"consumerCode: '{consumer_code}' holds an advance of {-total} with {service.code}; there is nothing "
            "to pay and no bill is made",
            field="consumerCode",
        )
    if total == 0:
        raise ApplicationError(
            "EG_BS_BILL_NO_DEMANDS_FOUND",
            f"consumerCode: '{consumer_code}' owes nothing to {service.code}",
            field="consumerCode",
        )
    limit = hook.expiry_limit(service=service, demands=demands, today=today) if hook is not None else None
    expiries = {demand.pk: _expiry_of(service=service, demand=demand, now=now, limit=limit) for demand in open_demands}
    payer = open_demands[-1]
    minimum = total
    if service.part_payment_allowed:
        asked = max(service.min_amount_payable, sum((d.minimum_amount_payable for d in open_demands), ZERO))
        minimum = min(total, asked)
    author = author_of(actor)
    bill = Bill.objects.create(
        tenant_id=tenant_id,
        business_service=service,
        consumer_code=consumer_code,
        bill_number=id_generate(tenant_id=tenant_id, name=BILL_NUMBER_ID_NAME, at=now),
        bill_date=now,
        status=Bill.Status.ACTIVE,
        total_amount=total,
        minimum_amount_payable=minimum,
        part_payment_allowed=service.part_payment_allowed,
        is_advance_allowed=service.is_advance_allowed,
        collection_modes_not_allowed=list(service.collection_modes_not_allowed),
        payer_name=payer.payer_name,
        payer_address=payer.payer_address,
        payer_email=payer.payer_email,
        mobile_number=payer.payer_mobile_number,
        expires_at=min(expiries.values()),
        source=Bill.Source.DEMANDS,
        created_by=author,
        modified_by=author,
    )
    current = open_demands[-1]
    bill_details, account_details = [], []
    for demand in open_demands:
        details = details_by_demand[demand.pk]
        bill_detail = BillDetail(
            bill=bill,
            demand=demand,
            from_period=demand.tax_period_from,
            to_period=demand.tax_period_to,
            amount=sum((detail.due for detail in details), ZERO),
            expiry_date=expiries[demand.pk],
            additional_details=demand.additional_details,
        )
        bill_details.append(bill_detail)
        account_details.extend(
            BillAccountDetail(
                bill_detail=bill_detail,
                demand_detail=detail,
                tax_head_code=detail.tax_head.code,
                order=detail.tax_head.order,
                amount=detail.due,
                gl_code=detail.tax_head.gl_code,
                purpose=_purpose(detail.tax_head, is_current=demand.pk == current.pk),
                is_actual_demand=detail.tax_head.is_actual_demand,
                description=detail.tax_head.name,
            )
            for detail in details
        )
    BillDetail.objects.bulk_create(bill_details)
    BillAccountDetail.objects.bulk_create(account_details)
    audit_record(
        actor=actor,
        entity=bill,
        action="BILL_GENERATE",
        to_state=bill.status,
        source_ip=source_ip,
        data={"billNumber": bill.bill_number, "totalAmount": total, "demands": [str(d.pk) for d in open_demands]},
    )
    return bill


def _expiry_of(*, service: BusinessService, demand: Demand, now: datetime, limit: date | None) -> datetime:
    """DIGIT's rule: the demand's fixed expiry if still ahead, else now + its billExpiryTime, else the service's
    expiry days; always 23:59:59 IST of that day, and never past the day the recalculation hook will act."""
    if demand.fixed_bill_expiry_date is not None and demand.fixed_bill_expiry_date > now:
        day = ist_date(demand.fixed_bill_expiry_date)
    elif demand.bill_expiry_time:
        day = ist_date(now + timedelta(milliseconds=demand.bill_expiry_time))
    else:
        day = ist_date(now) + timedelta(days=service.bill_expiry_days)
    if limit is not None:
        day = min(day, limit)
    return ist_day_end(day)


def _purpose(head: TaxHead, *, is_current: bool) -> str:
    """The legacy collection `purpose` a voucher reads: arrear or current, late-payment charges, rebate, advance."""
    if head.category in PURPOSE_BY_CATEGORY:
        return PURPOSE_BY_CATEGORY[head.category]
    if head.category in LATE_PAYMENT_CATEGORIES:
        return "CURRENT_LATEPAYMENT_CHARGES" if is_current else "ARREAR_LATEPAYMENT_CHARGES"
    return "CURRENT_AMOUNT" if is_current else "ARREAR_AMOUNT"
