"""Billing masters for a state: loaded from MDMS-shaped JSON (`BusinessService`, `TaxHeadMaster`, `TaxPeriod`
lists, as DIGIT's `BillingService` module keeps them, with Kosh's own rules as extra keys).

Loading is idempotent and never overwrites: rows that exist (by code) are left as administrators edited them.
The functions take an app registry so the data migration can run them on its historical models."""

import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.apps import apps as global_apps
from django.db import transaction

from billing.models import CollectionMode, TaxHead, TaxPeriod
from core.digit.envelope import EPOCH
from core.errors import ApplicationError
from core.money import to_amount
from core.services.idgen import id_format_validate

MASTERS_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "masters.json"
BILL_NUMBER_ID_NAME = "billnumberid"
BILL_NUMBER_FORMAT = "BILLNO-[CITY.CODE]-[fy:yyyy-yy]-[SEQ_BILL]"
RECEIPT_FORMATS = {
    "receipt.id": "[cy:MM]/[fy:yyyy-yy]/[SEQ_COLL_RCPT_NUM]",
    "ws.receipt.id": "WS/[fy:yyyy-yy]/[SEQ_EGOV_COMMON]",
}

# Wire key → (model field, kind).
_SERVICE_FIELDS = {
    "businessService": ("name", "text"),
    "partPaymentAllowed": ("part_payment_allowed", "flag"),
    "isAdvanceAllowed": ("is_advance_allowed", "flag"),
    "minAmountPayable": ("min_amount_payable", "amount"),
    "collectionModesNotAllowed": ("collection_modes_not_allowed", "modes"),
    "billExpiryDays": ("bill_expiry_days", "count"),
    "isWholeRupee": ("is_whole_rupee", "flag"),
    "displayPenalty": ("display_penalty", "flag"),
    "displayAdvance": ("display_advance", "flag"),
    "receiptApprovalRequired": ("receipt_approval_required", "flag"),
    "isVoucherCreationEnabled": ("is_voucher_creation_enabled", "flag"),
    "receiptIdFormat": ("receipt_id_format", "text"),
    "timePenaltyPercent": ("time_penalty_percent", "percent"),
    "timePenaltyGraceDays": ("time_penalty_grace_days", "count"),
    "fundCode": ("fund_code", "text"),
    "functionCode": ("function_code", "text"),
    "departmentCode": ("department_code", "text"),
}
_HEAD_FIELDS = {
    "name": ("name", "text"),
    "category": ("category", "category"),
    "order": ("order", "integer"),
    "isDebit": ("is_debit", "flag"),
    "isActualDemand": ("is_actual_demand", "flag"),
    "isRequired": ("is_required", "flag"),
    "glCode": ("gl_code", "text"),
}


@dataclass(frozen=True)
class MastersLoaded:
    business_services: int
    tax_heads: int
    tax_periods: int
    id_formats: int


def masters_fixture_read(path: Path = MASTERS_FIXTURE) -> dict:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"), parse_float=Decimal)
    except (OSError, ValueError) as exc:
        raise ApplicationError("INVALID_MASTERS", f"file: cannot read {path} ({exc})", field="file") from None
    if not isinstance(document, dict):
        raise ApplicationError("INVALID_MASTERS", "file: a JSON object of master lists", field="file")
    return document


@transaction.atomic
def masters_load(*, state_id: str, document: dict, apps=global_apps) -> MastersLoaded:
    """Create the state's business services, tax heads and tax periods named in `document` that it lacks."""
    tenant_model = apps.get_model("core", "Tenant")
    service_model = apps.get_model("billing", "BusinessService")
    head_model = apps.get_model("billing", "TaxHead")
    period_model = apps.get_model("billing", "TaxPeriod")
    if not tenant_model.objects.filter(code=state_id, state__isnull=True).exists():
        raise ApplicationError("INVALID_TENANT_ID", f"tenantId: '{state_id}' is not a state", field="tenantId")

    services = {service.code: service for service in service_model.objects.filter(tenant_id=state_id)}
    created_services = 0
    for index, entry in enumerate(_entries(document, "BusinessService")):
        path = f"BusinessService[{index}]"
        code = _code(entry, "code", path)
        if code in services:
            continue
        values = _values(entry, _SERVICE_FIELDS, path)
        values.setdefault("name", code)
        services[code] = service_model.objects.create(tenant_id=state_id, code=code, **values)
        created_services += 1

    created_heads = 0
    existing_heads = set(head_model.objects.filter(service__tenant_id=state_id).values_list("service__code", "code"))
    for index, entry in enumerate(_entries(document, "TaxHeadMaster")):
        path = f"TaxHeadMaster[{index}]"
        service = _service_of(entry, services, path)
        code = _code(entry, "code", path)
        if (service.code, code) in existing_heads:
            continue
        values = _values(entry, _HEAD_FIELDS, path)
        values.setdefault("name", code)
        if "category" not in values:
            raise ApplicationError("INVALID_MASTERS", f"{path}.category: required", field=f"{path}.category")
        head_model.objects.create(service=service, code=code, **values)
        existing_heads.add((service.code, code))
        created_heads += 1

    created_periods = 0
    existing_periods = set(
        period_model.objects.filter(service__tenant_id=state_id).values_list("service__code", "code")
    )
    for index, entry in enumerate(_entries(document, "TaxPeriod")):
        path = f"TaxPeriod[{index}]"
        service = _service_of(entry, services, path)
        code = _code(entry, "code", path)
        if (service.code, code) in existing_periods:
            continue
        cycle = entry.get("periodCycle")
        if cycle not in TaxPeriod.Cycle.values:
            raise ApplicationError(
                "INVALID_MASTERS",
                f"{path}.periodCycle: one of {', '.join(TaxPeriod.Cycle.values)}",
                field=f"{path}.periodCycle",
            )
        from_date, to_date = _moment(entry, "fromDate", path), _moment(entry, "toDate", path)
        if from_date >= to_date:
            raise ApplicationError("INVALID_MASTERS", f"{path}.toDate: after fromDate", field=f"{path}.toDate")
        period_model.objects.create(
            service=service,
            code=code,
            from_date=from_date,
            to_date=to_date,
            period_cycle=cycle,
            financial_year=str(entry.get("financialYear", ""))[:9],
        )
        existing_periods.add((service.code, code))
        created_periods += 1

    id_formats = _id_formats_ensure(state_id=state_id, services=services.values(), apps=apps)
    return MastersLoaded(created_services, created_heads, created_periods, id_formats)


def billing_masters_seed(*, state_id: str, apps=global_apps) -> MastersLoaded:
    """Kosh's standard masters (water `WS` shaped like mGramSeva's, property tax `PT`, building permits `BPA`) and
    the bill and receipt number formats, for one state."""
    return masters_load(state_id=state_id, document=masters_fixture_read(), apps=apps)


def _id_formats_ensure(*, state_id: str, services, apps) -> int:
    id_format_model = apps.get_model("core", "IdFormat")
    wanted = {BILL_NUMBER_ID_NAME: BILL_NUMBER_FORMAT}
    for service in services:
        if service.receipt_id_format in RECEIPT_FORMATS:
            wanted[service.receipt_id_format] = RECEIPT_FORMATS[service.receipt_id_format]
    existing = set(id_format_model.objects.filter(tenant_id=state_id, name__in=wanted).values_list("name", flat=True))
    created = 0
    for name, text in wanted.items():
        if name not in existing:
            id_format_validate(text=text)
            id_format_model.objects.create(tenant_id=state_id, name=name, format=text, reset="FINANCIAL_YEAR")
            created += 1
    return created


def _entries(document: dict, key: str) -> list[dict]:
    entries = document.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ApplicationError("INVALID_MASTERS", f"{key}: a list of objects", field=key)
    return entries


def _code(entry: dict, key: str, path: str) -> str:
    code = entry.get(key)
    if not isinstance(code, str) or not code.strip() or len(code) > 64:
        raise ApplicationError("INVALID_MASTERS", f"{path}.{key}: 1 to 64 characters", field=f"{path}.{key}")
    return code.strip()


def _service_of(entry: dict, services: dict, path: str):
    code = entry.get("service")
    if code not in services:
        raise ApplicationError(
            "INVALID_MASTERS", f"{path}.service: unknown business service '{code}'", field=f"{path}.service"
        )
    return services[code]


def _moment(entry: dict, key: str, path: str):
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ApplicationError("INVALID_MASTERS", f"{path}.{key}: epoch milliseconds", field=f"{path}.{key}")
    return EPOCH + timedelta(milliseconds=value)


def _values(entry: dict, fields: dict, path: str) -> dict:
    values = {}
    for key, (name, kind) in fields.items():
        if key not in entry:
            continue
        value, where = entry[key], f"{path}.{key}"
        if kind == "flag" and not isinstance(value, bool):
            raise ApplicationError("INVALID_MASTERS", f"{where}: true or false", field=where)
        if kind == "text" and not isinstance(value, str):
            raise ApplicationError("INVALID_MASTERS", f"{where}: text", field=where)
        if kind in ("count", "integer") and (isinstance(value, bool) or not isinstance(value, int)):
            raise ApplicationError("INVALID_MASTERS", f"{where}: a whole number", field=where)
        if kind == "count" and value < 0:
            raise ApplicationError("INVALID_MASTERS", f"{where}: 0 or more", field=where)
        if kind == "amount":
            value = to_amount(value, field=where)
        if kind == "percent":
            value = to_amount(value, field=where)
            if value > 100:
                raise ApplicationError("INVALID_MASTERS", f"{where}: 0 to 100", field=where)
        if kind == "modes" and (not isinstance(value, list) or not set(value) <= set(CollectionMode.values)):
            raise ApplicationError(
                "INVALID_MASTERS", f"{where}: a list of {', '.join(CollectionMode.values)}", field=where
            )
        if kind == "category" and value not in TaxHead.Category.values:
            raise ApplicationError(
                "INVALID_MASTERS", f"{where}: one of {', '.join(TaxHead.Category.values)}", field=where
            )
        values[name] = value
    return values
