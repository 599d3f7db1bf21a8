"""bill-collect import: a revenue module's `<bill-collect>` document becomes payable bills of the named service,
one per `<bill>`, all or none. Importing the same document again answers the bills it made."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing.dates import ist_date, ist_day_end, ist_day_start
from billing.models import Bill, BillAccountDetail, BillDetail, BusinessService, CollectionMode
from billing.parsers.bill_collect import BillCollectBill, BillCollectError, bill_collect_parse
from billing.selectors import bills_with_details, business_service_get, city_get
from billing.services.consumers import author_of, bill_status_change, consumer_demands_lock
from billing.services.masters import BILL_NUMBER_ID_NAME
from core.errors import ApplicationError
from core.models import User
from core.money import ZERO
from core.services.audit import audit_record
from core.services.idgen import id_generate

# The ERP's mode names (any case) → Kosh's collection modes.
ERP_MODES = {
    "cash": [CollectionMode.CASH],
    "cheque": [CollectionMode.CHEQUE],
    "dd": [CollectionMode.DD],
    "card": [CollectionMode.CARD],
    "online": [CollectionMode.ONLINE],
    "bank": [CollectionMode.OFFLINE_NEFT, CollectionMode.OFFLINE_RTGS],
    "bankchallan": [CollectionMode.OFFLINE_NEFT, CollectionMode.OFFLINE_RTGS],
    "postalorder": [CollectionMode.POSTAL_ORDER],
    **{mode.lower(): [mode] for mode in CollectionMode.values},
}


def bill_collect_max_bytes() -> int:
    return settings.KOSH_BILL_COLLECT_MAX_BYTES


def bill_collect_import(
    *, tenant_id: str, document: bytes, actor: User | None, source_ip: str | None = None
) -> list[Bill]:
    """Validate the document (size, well-formed, no DTD or entities, the XSD, totals) and store its bills. A
    consumer's ACTIVE bill of the service is replaced (EXPIRED), unless it came from this very document."""
    tenant = city_get(tenant_id=tenant_id)
    try:
        parsed = bill_collect_parse(document, max_bytes=bill_collect_max_bytes())
    except BillCollectError as exc:
        raise ApplicationError("EG_BS_BILL_COLLECT_INVALID", f"{exc.path}: {exc.reason}", field=exc.path) from None
    service = business_service_get(tenant_id=tenant.code, code=parsed.service_code, field="bill-collect/serviceCode")
    modes_refused = _modes(parsed.collection_modes_not_allowed, service)
    bills = [(payee, bill) for payee in parsed.payees for bill in payee.bills]
    seen = set()
    for _payee, bill in bills:
        _bill_check(bill, service)
        if bill.consumer_code in seen:
            raise ApplicationError(
                "EG_BS_BILL_COLLECT_INVALID",
                f"{bill.path}/@consumerCode: '{bill.consumer_code}' has two bills in one document",
                field=f"{bill.path}/@consumerCode",
            )
        seen.add(bill.consumer_code)
    digest = hashlib.sha256(document).hexdigest()
    now = timezone.now()
    author = author_of(actor)
    header = {
        "fundCode": parsed.fund_code,
        "functionaryCode": parsed.functionary_code,
        "fundSourceCode": parsed.fund_source_code,
        "departmentCode": parsed.department_code,
        "displayMessage": parsed.display_message,
        "paidBy": parsed.paid_by,
        "callbackForApportioning": parsed.callback_for_apportioning,
        "collectionType": parsed.collection_type,
        "collectionModeNotAllowed": list(parsed.collection_modes_not_allowed),
    }
    stored = []
    with transaction.atomic():
        consumers = sorted((service.pk, bill.consumer_code) for _payee, bill in bills)
        consumer_demands_lock(tenant_id=tenant.code, consumers=consumers)
        active = {
            bill.consumer_code: bill
            for bill in Bill.objects.select_for_update(of=("self",))
            .filter(
                tenant_id=tenant.code,
                business_service=service,
                consumer_code__in=[code for _, code in consumers],
                status=Bill.Status.ACTIVE,
            )
            .order_by("pk")
        }
        for payee, source in bills:
            current = active.get(source.consumer_code)
            if current is not None and current.source_digest == digest:
                stored.append(current)
                continue
            if current is not None:
                bill_status_change(
                    bill=current,
                    to_status=Bill.Status.EXPIRED,
                    actor=actor,
                    source_ip=source_ip,
                    reason="replaced by a bill-collect document",
                )
            bill = Bill.objects.create(
                tenant_id=tenant.code,
                business_service=service,
                consumer_code=source.consumer_code,
                bill_number=id_generate(tenant_id=tenant.code, name=BILL_NUMBER_ID_NAME, at=now),
                bill_date=now,
                status=Bill.Status.ACTIVE,
                total_amount=source.total_amount,
                minimum_amount_payable=(
                    min(source.minimum_amount or ZERO, source.total_amount)
                    if parsed.part_payment_allowed
                    else source.total_amount
                ),
                part_payment_allowed=parsed.part_payment_allowed,
                is_advance_allowed=service.is_advance_allowed,
                collection_modes_not_allowed=modes_refused,
                override_account_heads_allowed=parsed.override_account_heads_allowed,
                payer_name=payee.name,
                payer_address=payee.address,
                expires_at=ist_day_end(ist_date(now) + timedelta(days=service.bill_expiry_days)),
                source=Bill.Source.BILL_COLLECT,
                source_digest=digest,
                additional_details=header,
                created_by=author,
                modified_by=author,
            )
            detail = BillDetail.objects.create(
                bill=bill,
                from_period=ist_day_start(source.bill_date),
                to_period=ist_day_end(source.bill_date),
                amount=source.total_amount,
                expiry_date=bill.expires_at,
                additional_details={
                    "refNo": source.ref_no,
                    "billDate": source.bill_date.isoformat(),
                    "consumerType": source.consumer_type,
                    "boundaryNum": source.boundary_num,
                    "boundaryType": source.boundary_type,
                    "description": source.description,
                },
            )
            BillAccountDetail.objects.bulk_create(
                BillAccountDetail(
                    bill_detail=detail,
                    order=account.order,
                    amount=account.amount,
                    gl_code=account.gl_code,
                    purpose=account.purpose,
                    is_actual_demand=account.is_actual_demand,
                    description=account.description,
                    additional_details={
                        "crAmount": account.cr_amount,
                        "drAmount": account.dr_amount,
                        "functionCode": account.function_code,
                        "groupId": account.group_id,
                    },
                )
                for account in sorted(source.accounts, key=lambda account: account.order)
            )
            audit_record(
                actor=actor,
                entity=bill,
                action="BILL_COLLECT_IMPORT",
                to_state=bill.status,
                source_ip=source_ip,
                data={"billNumber": bill.bill_number, "refNo": source.ref_no, "digest": digest},
            )
            stored.append(bill)
    by_id = {bill.pk: bill for bill in bills_with_details(Bill.objects.filter(pk__in=[b.pk for b in stored]))}
    return [by_id[bill.pk] for bill in stored]


def _modes(names: tuple[str, ...], service: BusinessService) -> list[str]:
    """The modes the document refuses, added to those the service refuses."""
    refused = set(service.collection_modes_not_allowed)
    for index, name in enumerate(names, start=1):
        modes = ERP_MODES.get(name.replace("_", "").lower()) or ERP_MODES.get(name.lower())
        if modes is None:
            where = f"bill-collect/collectionModeNotAllowed[{index}]"
            raise ApplicationError(
                "EG_BS_BILL_COLLECT_INVALID",
                f"{where}: unknown collection mode '{name}' (use cash, cheque, dd, card, bank, online)",
                field=where,
            )
        refused.update(modes)
    return [mode for mode in CollectionMode.values if mode in refused]


def _bill_check(bill: BillCollectBill, service: BusinessService) -> None:
    accounts_total = sum((account.amount for account in bill.accounts), ZERO)
    if accounts_total != bill.total_amount:
        raise ApplicationError(
            "EG_BS_BILL_COLLECT_INVALID",
            f"{bill.path}/totalAmount: {bill.total_amount} is not the accounts' total {accounts_total}",
            field=f"{bill.path}/totalAmount",
        )
    if bill.total_amount <= 0:
        raise ApplicationError(
            "EG_BS_BILL_COLLECT_INVALID",
            f"{bill.path}/totalAmount: a bill asks for more than 0",
            field=f"{bill.path}/totalAmount",
        )
    if bill.minimum_amount is not None and bill.minimum_amount > bill.total_amount:
        raise ApplicationError(
            "EG_BS_BILL_COLLECT_INVALID",
            f"{bill.path}/minimumAmount: more than totalAmount {bill.total_amount}",
            field=f"{bill.path}/minimumAmount",
        )
    if service.is_whole_rupee and bill.total_amount != bill.total_amount.to_integral_value():
        raise ApplicationError(
            "EG_BS_BILL_COLLECT_INVALID",
            f"{bill.path}/totalAmount: '{service.code}' bills whole rupees, not {bill.total_amount}",
            field=f"{bill.path}/totalAmount",
        )
