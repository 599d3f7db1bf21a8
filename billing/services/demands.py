"""Demands: create, update (and cancel), with DIGIT's validation and Kosh's fixes. Every write locks the consumer's
demands in primary-key order, then their ACTIVE bill, carries any advance forward, and expires that bill.

Lock order for a consumer, everywhere in Kosh: its ACTIVE demands by primary key, then its bills."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.models import BusinessService, Demand, DemandDetail, TaxHead
from billing.selectors import business_service_get, city_get
from billing.services.consumers import author_of, consumer_demands_lock, consumers_settle
from core.errors import ApplicationError, NotFoundError
from core.models import MOBILE_NUMBER_VALIDATOR, User
from core.money import ZERO
from core.services.audit import audit_record

CONSUMER_CODE_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_/.:")
CONSUMER_CODE_MAX_LENGTH = 64
WHOLE_RUPEE = Decimal("1")


@dataclass(frozen=True)
class PayerInput:
    name: str
    mobile_number: str = ""
    email: str = ""
    address: str = ""
    uuid: str = ""
    type: str = ""


@dataclass(frozen=True)
class DemandDetailInput:
    tax_head_code: str
    tax_amount: Decimal
    # None: not sent. On create it means zero; on update it means "as stored".
    collection_amount: Decimal | None = None
    additional_details: dict = field(default_factory=dict)
    id: str | None = None


@dataclass(frozen=True)
class DemandInput:
    consumer_code: str
    business_service_code: str
    payer: PayerInput | None
    tax_period_from: datetime
    tax_period_to: datetime
    details: list[DemandDetailInput]
    consumer_type: str = ""
    bill_expiry_time: int | None = None
    fixed_bill_expiry_date: datetime | None = None
    minimum_amount_payable: Decimal = ZERO
    additional_details: dict = field(default_factory=dict)
    status: str | None = None
    id: str | None = None
    # When the demand was raised, for demands brought over from an older system; new demands are raised now.
    raised_at: datetime | None = None


def consumer_code_validate(*, code: str, field: str = "consumerCode") -> str:
    """Letters, digits and - _ / . : (no commas or spaces: searches take comma-separated lists)."""
    if not code or len(code) > CONSUMER_CODE_MAX_LENGTH or not set(code) <= CONSUMER_CODE_CHARACTERS:
        raise ApplicationError(
            "EG_BS_CONSUMERCODE_INVALID",
            f"{field}: 1 to {CONSUMER_CODE_MAX_LENGTH} letters, digits or - _ / . :",
            field=field,
        )
    return code


# --- Create ---------------------------------------------------------------------------------


def demand_create(
    *, tenant_id: str, demands: list[DemandInput], actor: User | None, source_ip: str | None = None
) -> list[Demand]:
    """Raise demands in one city, all or none. Each consumer's ACTIVE bill expires and any advance it holds is
    carried forward onto the new dues."""
    tenant = city_get(tenant_id=tenant_id)
    plans = [_demand_plan(tenant_id=tenant.code, demand=demand, index=index) for index, demand in enumerate(demands)]
    _refuse_duplicates_in_request(plans)
    now = timezone.now()
    author = author_of(actor)
    with transaction.atomic():
        consumers = sorted({(plan.service.pk, plan.demand.consumer_code) for plan in plans})
        locked = consumer_demands_lock(tenant_id=tenant.code, consumers=consumers)
        for plan in plans:
            clash = next((d for d in locked if _same_period(d, plan)), None)
            if clash is not None:
                raise _duplicate_error(plan)
        created = []
        for plan in plans:
            try:
                with transaction.atomic():
                    created.append(_demand_insert(tenant_id=tenant.code, plan=plan, author=author, now=now))
            except IntegrityError:
                # Another request raised this consumer's first demand for the period between our check and insert.
                raise _duplicate_error(plan) from None
        for demand in created:
            audit_record(
                actor=actor,
                entity=demand,
                action="DEMAND_CREATE",
                to_state=demand.status,
                source_ip=source_ip,
                data={"consumerCode": demand.consumer_code, "businessService": demand.business_service.code},
            )
        consumers_settle(
            tenant_id=tenant.code, consumers=consumers, actor=actor, source_ip=source_ip, reason="demand created"
        )
    return created


@dataclass
class _Plan:
    index: int
    demand: DemandInput
    service: BusinessService
    heads: dict[str, TaxHead]

    @property
    def path(self) -> str:
        return f"Demands[{self.index}]"


def _demand_plan(*, tenant_id: str, demand: DemandInput, index: int, existing: Demand | None = None) -> _Plan:
    """Check one demand against the masters and DIGIT's rules, before anything is locked or written."""
    path = f"Demands[{index}]"
    consumer_code_validate(code=demand.consumer_code, field=f"{path}.consumerCode")
    service = business_service_get(
        tenant_id=tenant_id, code=demand.business_service_code, field=f"{path}.businessService"
    )
    _payer_validate(demand.payer, path=f"{path}.payer")
    if demand.tax_period_from > demand.tax_period_to:
        raise ApplicationError(
            "EG_BS_DEMAND_PERIOD_INVALID",
            f"{path}.taxPeriodFrom: after taxPeriodTo",
            field=f"{path}.taxPeriodFrom",
        )
    if not service.tax_periods.filter(
        from_date__lte=demand.tax_period_from, to_date__gte=demand.tax_period_to
    ).exists():
        raise ApplicationError(
            "EG_BS_TAXPERIODS_DEMAND",
            f"{path}.taxPeriodFrom: the period lies in no tax period of '{service.code}'",
            field=f"{path}.taxPeriodFrom",
        )
    if not demand.details and existing is None:
        raise ApplicationError(
            "EG_BS_DEMAND_DETAILS_MISSING", f"{path}.demandDetails: at least one head", field=f"{path}.demandDetails"
        )
    codes = [detail.tax_head_code for detail in demand.details]
    heads = {head.code: head for head in TaxHead.objects.filter(service=service, code__in=codes)}
    seen = set()
    for position, detail in enumerate(demand.details):
        detail_path = f"{path}.demandDetails[{position}]"
        head = heads.get(detail.tax_head_code)
        if head is None:
            raise ApplicationError(
                "EG_BS_TAXHEADCODE_INVALID",
                f"{detail_path}.taxHeadMasterCode: '{detail.tax_head_code}' is not a tax head of '{service.code}'",
                field=f"{detail_path}.taxHeadMasterCode",
            )
        if head.code in seen:
            raise ApplicationError(
                "EG_BS_TAXHEADCODE_DUPLICATE",
                f"{detail_path}.taxHeadMasterCode: '{head.code}' appears twice in one demand",
                field=f"{detail_path}.taxHeadMasterCode",
            )
        seen.add(head.code)
        if head.is_reduction and detail.tax_amount > 0:
            raise ApplicationError(
                "EG_DEMAND_DEATIL_INVALID",
                f"{detail_path}.taxAmount: '{head.code}' lowers what is owed, so its amount cannot be positive",
                field=f"{detail_path}.taxAmount",
            )
        if head.category == TaxHead.Category.ADVANCE_COLLECTION and not service.is_advance_allowed:
            raise ApplicationError(
                "EG_DEMAND_DEATIL_INVALID",
                f"{detail_path}.taxHeadMasterCode: '{service.code}' does not take advances",
                field=f"{detail_path}.taxHeadMasterCode",
            )
        if existing is None:
            _collection_check(detail.tax_amount, detail.collection_amount or ZERO, path=detail_path)
    return _Plan(index=index, demand=demand, service=service, heads=heads)


def _collection_check(tax: Decimal, collection: Decimal, *, path: str) -> None:
    """DIGIT's rule: a positive head is collected from 0 up to its tax; a negative head (rebate, advance) arrives
    unconsumed (0) or wholly consumed (= tax)."""
    if tax >= 0 and not ZERO <= collection <= tax:
        raise ApplicationError(
            "EG_DEMAND_DEATIL_INVALID",
            f"{path}.collectionAmount: must lie between 0 and taxAmount {tax}",
            field=f"{path}.collectionAmount",
        )
    if tax < 0 and collection not in (ZERO, tax):
        raise ApplicationError(
            "EG_DEMAND_DEATIL_INVALID",
            f"{path}.collectionAmount: for a negative taxAmount it is 0 or equal to taxAmount {tax}",
            field=f"{path}.collectionAmount",
        )


def _whole_rupee_check(plan: _Plan, total: Decimal) -> None:
    if plan.service.is_whole_rupee and total != total.to_integral_value():
        round_off = f"{plan.service.code}_Round_Off"
        raise ApplicationError(
            "EG_BS_DEMAND_NOT_WHOLE_RUPEES",
            f"{plan.path}.demandDetails: the total {total} is not whole rupees; '{plan.service.code}' bills whole "
            f"rupees, so add a round-off head such as {round_off}",
            field=f"{plan.path}.demandDetails",
        )


def _payer_validate(payer: PayerInput | None, *, path: str) -> None:
    if payer is None or not payer.name.strip():
        raise ApplicationError(
            "EG_BS_DEMAND_PAYER_MISSING", f"{path}.name: a demand needs a payer", field=f"{path}.name"
        )
    if payer.type and payer.type != User.Type.CITIZEN:
        raise ApplicationError(
            "EG_BS_DEMAND_PAYER_INVALID", f"{path}.type: a payer is a CITIZEN, not {payer.type}", field=f"{path}.type"
        )
    if payer.uuid and _is_uuid(payer.uuid) and User.objects.filter(uuid=payer.uuid).exists():
        raise ApplicationError(
            "EG_BS_DEMAND_PAYER_INVALID", f"{path}.uuid: an employee cannot be a payer", field=f"{path}.uuid"
        )
    if payer.mobile_number:
        try:
            MOBILE_NUMBER_VALIDATOR(payer.mobile_number)
        except ValidationError:
            raise ApplicationError(
                "EG_BS_DEMAND_PAYER_INVALID",
                f"{path}.mobileNumber: 10 digits starting 6-9",
                field=f"{path}.mobileNumber",
            ) from None
    if payer.email:
        try:
            EmailValidator()(payer.email)
        except ValidationError:
            raise ApplicationError(
                "EG_BS_DEMAND_PAYER_INVALID", f"{path}.emailId: not an e-mail address", field=f"{path}.emailId"
            ) from None


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _refuse_duplicates_in_request(plans: list[_Plan]) -> None:
    seen = set()
    for plan in plans:
        key = (plan.service.pk, plan.demand.consumer_code, plan.demand.tax_period_from, plan.demand.tax_period_to)
        if key in seen:
            raise _duplicate_error(plan)
        seen.add(key)


def _same_period(demand: Demand, plan: _Plan) -> bool:
    return (
        demand.business_service_id == plan.service.pk
        and demand.consumer_code == plan.demand.consumer_code
        and demand.tax_period_from == plan.demand.tax_period_from
        and demand.tax_period_to == plan.demand.tax_period_to
        and demand.pk != plan.demand.id
    )


def _duplicate_error(plan: _Plan) -> ApplicationError:
    return ApplicationError(
        "EG_BS_DUPLICATE_CONSUMERCODE",
        f"{plan.path}.consumerCode: '{plan.demand.consumer_code}' already has an ACTIVE {plan.service.code} demand "
        "for this period",
        field=f"{plan.path}.consumerCode",
    )


def _demand_insert(*, tenant_id: str, plan: _Plan, author: User | None, now: datetime) -> Demand:
    source = plan.demand
    total = sum((detail.tax_amount for detail in source.details), ZERO)
    _whole_rupee_check(plan, total)
    payer = source.payer
    demand = Demand.objects.create(
        tenant_id=tenant_id,
        business_service=plan.service,
        consumer_code=source.consumer_code,
        consumer_type=source.consumer_type,
        payer_name=payer.name.strip(),
        payer_mobile_number=payer.mobile_number,
        payer_email=payer.email,
        payer_address=payer.address,
        payer_uuid=payer.uuid,
        tax_period_from=source.tax_period_from,
        tax_period_to=source.tax_period_to,
        bill_expiry_time=source.bill_expiry_time,
        fixed_bill_expiry_date=source.fixed_bill_expiry_date,
        minimum_amount_payable=source.minimum_amount_payable,
        additional_details=source.additional_details,
        raised_at=source.raised_at or now,
        created_by=author,
        modified_by=author,
    )
    DemandDetail.objects.bulk_create(
        DemandDetail(
            demand=demand,
            tax_head=plan.heads[detail.tax_head_code],
            tax_amount=detail.tax_amount,
            collection_amount=detail.collection_amount or ZERO,
            additional_details=detail.additional_details,
            created_by=author,
            modified_by=author,
        )
        for detail in source.details
    )
    return demand


# --- Update and cancel ----------------------------------------------------------------------

UPDATABLE_STATUSES = (Demand.Status.ACTIVE, Demand.Status.CANCELLED)


def demand_update(
    *, tenant_id: str, demands: list[DemandInput], actor: User | None, source_ip: str | None = None
) -> list[Demand]:
    """Change demands of one city, all or none: payer, amounts (never below what is collected), expiry, or
    status ACTIVE → CANCELLED for a demand nothing has been collected on. A head not sent is left as it is.
    Collection amounts are Kosh's (payments set them): one sent must equal the stored one."""
    tenant = city_get(tenant_id=tenant_id)
    author = author_of(actor)
    for index, demand in enumerate(demands):
        if not demand.id:
            raise ApplicationError(
                "EG_BS_DEMAND_ID_MISSING", f"Demands[{index}].id: required to update", field=f"Demands[{index}].id"
            )
    ids = [demand.id for demand in demands]
    if len(set(ids)) != len(ids):
        raise ApplicationError("EG_BS_DEMAND_ID_DUPLICATE", "Demands: a demand appears twice", field="Demands")
    stored_consumers = (
        Demand.objects.filter(tenant_id=tenant.code, id__in=ids)
        .values_list("business_service_id", "consumer_code")
        .distinct()
    )
    consumers = sorted(set(stored_consumers))
    with transaction.atomic():
        locked = consumer_demands_lock(tenant_id=tenant.code, consumers=consumers, include_ids=ids)
        by_id = {str(demand.pk): demand for demand in locked}
        updated = []
        for index, source in enumerate(demands):
            stored = by_id.get(str(source.id))
            if stored is None:
                raise NotFoundError(
                    "EG_BS_DEMAND_NOT_FOUND",
                    f"Demands[{index}].id: no demand '{source.id}'",
                    field=f"Demands[{index}].id",
                )
            updated.append(
                _demand_apply(
                    stored=stored,
                    source=source,
                    index=index,
                    author=author,
                    actor=actor,
                    source_ip=source_ip,
                )
            )
        consumers_settle(
            tenant_id=tenant.code, consumers=consumers, actor=actor, source_ip=source_ip, reason="demand updated"
        )
    return updated


def _demand_apply(
    *,
    stored: Demand,
    source: DemandInput,
    index: int,
    author: User | None,
    actor: User | None,
    source_ip: str | None,
) -> Demand:
    path = f"Demands[{index}]"
    if stored.status != Demand.Status.ACTIVE:
        raise ApplicationError(
            "EG_BS_DEMAND_NOT_ACTIVE", f"{path}.status: a {stored.status} demand cannot change", field=f"{path}.status"
        )
    for wire, sent, kept in (
        ("consumerCode", source.consumer_code, stored.consumer_code),
        ("businessService", source.business_service_code, stored.business_service.code),
        ("taxPeriodFrom", source.tax_period_from, stored.tax_period_from),
        ("taxPeriodTo", source.tax_period_to, stored.tax_period_to),
    ):
        if sent != kept:
            raise ApplicationError(
                "EG_BS_DEMAND_IMMUTABLE_FIELD",
                f"{path}.{wire}: cannot change; cancel this demand and raise a new one",
                field=f"{path}.{wire}",
            )
    status = source.status or stored.status
    if status not in UPDATABLE_STATUSES:
        raise ApplicationError(
            "EG_BS_DEMAND_STATUS_INVALID", f"{path}.status: ACTIVE or CANCELLED", field=f"{path}.status"
        )
    plan = _demand_plan(tenant_id=stored.tenant_id, demand=source, index=index, existing=stored)
    details = {detail.tax_head_id: detail for detail in stored.details.select_related("tax_head")}
    by_id = {str(detail.pk): detail for detail in details.values()}
    changes = []
    new_details = []
    for position, sent in enumerate(source.details):
        detail_path = f"{path}.demandDetails[{position}]"
        head = plan.heads[sent.tax_head_code]
        detail = by_id.get(str(sent.id)) if sent.id else details.get(head.pk)
        if sent.id and (detail is None or detail.tax_head_id != head.pk):
            raise NotFoundError(
                "EG_BS_DEMAND_DETAIL_NOT_FOUND",
                f"{detail_path}.id: no '{head.code}' detail '{sent.id}' on this demand",
                field=f"{detail_path}.id",
            )
        if detail is None:
            if sent.collection_amount not in (None, ZERO):
                raise _collection_owned_error(detail_path)
            _collection_check(sent.tax_amount, ZERO, path=detail_path)
            new_details.append(
                DemandDetail(
                    demand=stored,
                    tax_head=head,
                    tax_amount=sent.tax_amount,
                    additional_details=sent.additional_details,
                    created_by=author,
                    modified_by=author,
                )
            )
            changes.append({"taxHeadMasterCode": head.code, "from": None, "to": sent.tax_amount})
            continue
        if sent.collection_amount is not None and sent.collection_amount != detail.collection_amount:
            raise _collection_owned_error(detail_path)
        if detail.collection_amount != 0:
            _collected_check(sent.tax_amount, detail.collection_amount, path=detail_path)
        else:
            _collection_check(sent.tax_amount, ZERO, path=detail_path)
        if detail.tax_amount != sent.tax_amount or detail.additional_details != sent.additional_details:
            changes.append({"taxHeadMasterCode": head.code, "from": detail.tax_amount, "to": sent.tax_amount})
            detail.tax_amount = sent.tax_amount
            detail.additional_details = sent.additional_details
            detail.modified_by = author
            detail.save(update_fields=["tax_amount", "additional_details", "modified_by", "modified_at"])
    DemandDetail.objects.bulk_create(new_details)
    total = sum((detail.tax_amount for detail in details.values()), ZERO) + sum(
        (detail.tax_amount for detail in new_details), ZERO
    )
    _whole_rupee_check(plan, total)
    if status == Demand.Status.CANCELLED:
        collected = [d for d in list(details.values()) if d.collection_amount != 0]
        if collected:
            raise ApplicationError(
                "EG_BS_DEMAND_CANCEL_COLLECTED",
                f"{path}.status: '{collected[0].tax_head.code}' has collections; cancel the receipts first",
                field=f"{path}.status",
            )
    payer = source.payer
    from_status = stored.status
    stored.consumer_type = source.consumer_type
    stored.payer_name = payer.name.strip()
    stored.payer_mobile_number = payer.mobile_number
    stored.payer_email = payer.email
    stored.payer_address = payer.address
    stored.payer_uuid = payer.uuid
    stored.bill_expiry_time = source.bill_expiry_time
    stored.fixed_bill_expiry_date = source.fixed_bill_expiry_date
    stored.minimum_amount_payable = source.minimum_amount_payable
    stored.additional_details = source.additional_details
    stored.status = status
    stored.modified_by = author
    stored.save()
    audit_record(
        actor=actor,
        entity=stored,
        action="DEMAND_CANCEL" if status != from_status else "DEMAND_UPDATE",
        from_state=from_status,
        to_state=status,
        source_ip=source_ip,
        data={"changes": changes},
    )
    return stored


def _collected_check(tax: Decimal, collection: Decimal, *, path: str) -> None:
    """A head something was collected on keeps its sign and stays at or beyond what was collected."""
    if (collection > 0 and tax < collection) or (collection < 0 and not tax <= collection):
        raise ApplicationError(
            "EG_DEMAND_DEATIL_INVALID",
            f"{path}.taxAmount: {collection} is already collected on this head",
            field=f"{path}.taxAmount",
        )


def _collection_owned_error(path: str) -> ApplicationError:
    return ApplicationError(
        "EG_BS_DEMAND_COLLECTION_READONLY",
        f"{path}.collectionAmount: set by payments only; send the stored value or leave it out",
        field=f"{path}.collectionAmount",
    )
