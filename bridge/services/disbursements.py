"""Disbursements: received in batches from the PBMS (all or nothing, per-item error codes), cancelled before
they reach the bank. Bulk writes only: one insert per call, whatever its size."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from bridge.bulk import ids_in, rows_insert
from bridge.errors import BridgeRejection, ErrorCode
from bridge.models import BridgeClient, Disbursement, Envelope
from bridge.services import wire
from bridge.services.envelopes import envelope_get_locked
from bridge.services.pipeline import envelope_start_if_ready
from core.services.audit import audit_record

ZERO = Decimal("0.00")
_COMPARED = ("mis_reference_number", "beneficiary_id", "beneficiary_name", "amount", "narrative")
_INSERTED = (
    "tenant_id",
    "envelope_id",
    "disbursement_id",
    "mis_reference_number",
    "beneficiary_id",
    "beneficiary_name",
    "amount",
    "narrative",
    "status",
    "failure_code",
    "failure_reason",
    "received_at",
    "status_changed_at",
)


def _items(items) -> list[dict]:
    if not isinstance(items, list) or not items:
        raise BridgeRejection(ErrorCode.INVALID_DISBURSEMENT_PAYLOAD, "message: a non-empty list of disbursements")
    if len(items) > settings.BRIDGE_MAX_DISBURSEMENTS_PER_CALL:
        raise BridgeRejection(
            ErrorCode.TOO_MANY_ITEMS,
            f"message: at most {settings.BRIDGE_MAX_DISBURSEMENTS_PER_CALL} disbursements per call",
        )
    if not all(isinstance(item, dict) for item in items):
        raise BridgeRejection(ErrorCode.INVALID_DISBURSEMENT_PAYLOAD, "message: every item must be an object")
    return items


def _check(check, codes: list[str], *args, **kwargs):
    try:
        return check(*args, **kwargs)
    except BridgeRejection as exc:
        codes.append(exc.code.value)
        return None


def _validated(items: list[dict]) -> tuple[list[dict], list[list[str]]]:
    """Each item read and checked on its own; returns the clean values and each item's error codes."""
    clean, errors, seen = [], [], set()
    for item in items:
        codes: list[str] = []
        envelope_id = item.get("disbursement_envelope_id")
        if not isinstance(envelope_id, str) or not envelope_id.strip():
            codes.append(ErrorCode.INVALID_DISBURSEMENT_ENVELOPE_ID.value)
        disbursement_id = item.get("disbursement_id")
        if disbursement_id not in (None, ""):
            valid = _check(
                wire.identifier, codes, disbursement_id, field="disbursement_id", code=ErrorCode.INVALID_DISBURSEMENT_ID
            )
            if valid is not None and valid in seen:
                codes.append(ErrorCode.INVALID_DISBURSEMENT_ID.value)
            seen.add(valid)
        values = {
            "envelope_id": envelope_id,
            "disbursement_id": disbursement_id or "",
            "mis_reference_number": _check(
                wire.text,
                codes,
                item,
                "mis_reference_number",
                ErrorCode.INVALID_DISBURSEMENT_PAYLOAD,
                limit=64,
                required=False,
            ),
            "beneficiary_id": _check(
                wire.text, codes, item, "beneficiary_id", ErrorCode.INVALID_BENEFICIARY_ID, limit=100
            ),
            "beneficiary_name": _check(
                wire.text, codes, item, "beneficiary_name", ErrorCode.INVALID_BENEFICIARY_NAME, limit=140
            ),
            "amount": _check(
                wire.amount,
                codes,
                item.get("disbursement_amount"),
                field="disbursement_amount",
                code=ErrorCode.INVALID_DISBURSEMENT_AMOUNT,
                allow_zero=False,
            ),
            "narrative": _check(wire.text, codes, item, "narrative", ErrorCode.INVALID_NARRATIVE, limit=140),
        }
        clean.append(values)
        errors.append(codes)
    return clean, errors


def _echo(item: dict, codes: list[str], *, disbursement_id: str = "", status: str = "") -> dict:
    """The anchor's DisbursementPayload back, with its response_error_codes (and Kosh's lifecycle status)."""
    echoed = {
        "mis_reference_number": item.get("mis_reference_number"),
        "disbursement_id": disbursement_id or item.get("disbursement_id"),
        "disbursement_envelope_id": item.get("disbursement_envelope_id"),
        "beneficiary_id": item.get("beneficiary_id"),
        "beneficiary_name": item.get("beneficiary_name"),
        "disbursement_amount": item.get("disbursement_amount"),
        "narrative": item.get("narrative"),
        "cancellation_status": "CANCELLED" if status == Disbursement.Status.CANCELLED else "NOT_CANCELLED",
        "response_error_codes": codes,
    }
    if status:
        echoed["status"] = status
    return echoed


def _reject_items(items: list[dict], errors: list[list[str]], detail: str) -> BridgeRejection:
    named = [f"#{index} {', '.join(codes)}" for index, codes in enumerate(errors) if codes]
    return BridgeRejection(
        ErrorCode.INVALID_DISBURSEMENT_PAYLOAD,
        f"{detail}: {'; '.join(named[:20])}{' …' if len(named) > 20 else ''}",
        message=[_echo(item, codes) for item, codes in zip(items, errors, strict=True)],
    )


@transaction.atomic
def disbursements_create(*, client: BridgeClient, items) -> list[dict]:
    """Add disbursements to one envelope. Any bad item refuses the whole call, naming the items; a disbursement
    id already received with the same values is answered again and not created twice.

    The envelope's row is locked only for the last step: one conditional update moves its received count and
    amount if they stay within the declared ones, then the rows go in with one bulk insert."""
    items = _items(items)
    clean, errors = _validated(items)
    if any(errors):
        raise _reject_items(items, errors, "some disbursements are invalid")
    envelope_ids = {values["envelope_id"] for values in clean}
    if len(envelope_ids) > 1:
        raise BridgeRejection(
            ErrorCode.MULTIPLE_ENVELOPES_FOUND, "disbursement_envelope_id: all items of a call go to one envelope"
        )
    envelope = _envelope_open(client.tenant_id, envelope_ids.pop())
    given_ids = [values["disbursement_id"] for values in clean if values["disbursement_id"]]
    existing = {
        row["disbursement_id"]: row
        for row in Disbursement.objects.filter(
            ids_in('"bridge_disbursement"."disbursement_id"', "disbursement_id", given_ids),
            tenant_id=client.tenant_id,
        ).values("disbursement_id", "envelope_id", "status", *_COMPARED)
    }
    conflicts = [[] for _ in clean]
    for index, values in enumerate(clean):
        row = existing.get(values["disbursement_id"])
        if row is not None and (
            row["envelope_id"] != envelope.pk or any(row[field] != values[field] for field in _COMPARED)
        ):
            conflicts[index].append(ErrorCode.DISBURSEMENT_ALREADY_EXISTS.value)
    if any(conflicts):
        raise _reject_items(items, conflicts, "disbursement ids already used for other disbursements")
    now = timezone.now()
    created_ids, rows = {}, []
    for index, values in enumerate(clean):
        if values["disbursement_id"] in existing:
            continue
        disbursement_id = values["disbursement_id"] or uuid.uuid4().hex
        created_ids[index] = disbursement_id
        rows.append(
            (
                client.tenant_id,
                envelope.pk,
                disbursement_id,
                values["mis_reference_number"],
                values["beneficiary_id"],
                values["beneficiary_name"],
                values["amount"],
                values["narrative"],
                Disbursement.Status.RECEIVED,
                "",
                "",
                now,
                now,
            )
        )
    if rows:
        envelope = _received_add(envelope, count=len(rows), amount=sum((row[6] for row in rows), ZERO))
        try:
            with transaction.atomic():
                rows_insert(Disbursement, _INSERTED, rows)
        except IntegrityError:
            # Another call took one of these ids a moment ago; the PBMS sends again and gets that call's answer.
            raise BridgeRejection(
                ErrorCode.DISBURSEMENT_ALREADY_EXISTS, "a disbursement id of this call was just received by another"
            ) from None
        audit_record(
            actor=None,
            entity=envelope,
            action="disbursements_receive",
            to_state="RECEIVED",
            data={"client": client.name, "count": len(rows), "replayed": len(clean) - len(rows)},
        )
        envelope_start_if_ready(envelope=envelope)
    return [
        _echo(
            item,
            [],
            disbursement_id=created_ids.get(index) or values["disbursement_id"],
            status=existing[values["disbursement_id"]]["status"] if index not in created_ids else "RECEIVED",
        )
        for index, (item, values) in enumerate(zip(items, clean, strict=True))
    ]


def _envelope_open(tenant_id: str, envelope_id: str) -> Envelope:
    envelope = Envelope.objects.select_related("program").filter(tenant_id=tenant_id, envelope_id=envelope_id).first()
    if envelope is None:
        raise BridgeRejection(
            ErrorCode.DISBURSEMENT_ENVELOPE_NOT_FOUND, f"disbursement_envelope_id: no envelope '{envelope_id}'"
        )
    if envelope.is_cancelled:
        raise BridgeRejection(
            ErrorCode.DISBURSEMENT_ENVELOPE_ALREADY_CANCELED,
            f"disbursement_envelope_id: '{envelope.envelope_id}' is cancelled",
        )
    return envelope


def _received_add(envelope: Envelope, *, count: int, amount: Decimal) -> Envelope:
    """Count the new disbursements in, if the envelope stays within what was declared. The update locks the row
    until commit; calls for one envelope queue here, and only here."""
    moved = Envelope.objects.filter(
        pk=envelope.pk,
        cancellation_status=Envelope.Cancellation.NOT_CANCELLED,
        received_count__lte=F("number_of_disbursements") - count,
        received_amount__lte=F("total_disbursement_amount") - amount,
    ).update(received_count=F("received_count") + count, received_amount=F("received_amount") + amount)
    locked = Envelope.objects.select_for_update().select_related("program").get(pk=envelope.pk)
    if moved:
        return locked
    if locked.is_cancelled:
        raise BridgeRejection(
            ErrorCode.DISBURSEMENT_ENVELOPE_ALREADY_CANCELED,
            f"disbursement_envelope_id: '{locked.envelope_id}' is cancelled",
        )
    if locked.received_count + count > locked.number_of_disbursements:
        raise BridgeRejection(
            ErrorCode.NO_OF_DISBURSEMENTS_EXCEEDS_DECLARED,
            f"{locked.received_count + count} disbursements would exceed the {locked.number_of_disbursements} declared",
        )
    raise BridgeRejection(
        ErrorCode.TOTAL_DISBURSEMENT_AMOUNT_EXCEEDS_DECLARED,
        f"{locked.received_amount + amount} would exceed the declared total {locked.total_disbursement_amount}",
    )


@transaction.atomic
def disbursements_cancel(*, client: BridgeClient, items) -> list[dict]:
    """Cancel disbursements of one envelope that have not gone to the bank; all or nothing."""
    items = _items(items)
    ids = [item.get("disbursement_id") for item in items]
    errors = [[] if isinstance(value, str) and value else [ErrorCode.INVALID_DISBURSEMENT_ID.value] for value in ids]
    rows = {
        row["disbursement_id"]: row
        for row in Disbursement.objects.filter(
            tenant_id=client.tenant_id, disbursement_id__in=[i for i in ids if isinstance(i, str)]
        ).values("pk", "disbursement_id", "envelope__envelope_id", "status", "bank_batch_id")
    }
    for index, value in enumerate(ids):
        if not errors[index] and value not in rows:
            errors[index].append(ErrorCode.INVALID_DISBURSEMENT_ID.value)
    if any(errors):
        raise _reject_items(items, errors, "unknown disbursement ids")
    envelope_ids = {rows[value]["envelope__envelope_id"] for value in ids}
    if len(envelope_ids) > 1:
        raise BridgeRejection(ErrorCode.MULTIPLE_ENVELOPES_FOUND, "disbursement_id: all items must be of one envelope")
    envelope = envelope_get_locked(tenant_id=client.tenant_id, envelope_id=envelope_ids.pop())
    if envelope.is_cancelled:
        raise BridgeRejection(
            ErrorCode.DISBURSEMENT_ENVELOPE_ALREADY_CANCELED,
            f"disbursement_envelope_id: '{envelope.envelope_id}' is cancelled",
        )
    locked = {
        row.disbursement_id: row
        for row in Disbursement.objects.select_for_update()
        .filter(pk__in=[rows[value]["pk"] for value in ids])
        .order_by("pk")
    }
    for index, value in enumerate(ids):
        row = locked[value]
        if row.status == Disbursement.Status.CANCELLED:
            errors[index].append(ErrorCode.DISBURSEMENT_ALREADY_CANCELED.value)
        elif row.bank_batch_id is not None or row.status not in (
            Disbursement.Status.RECEIVED,
            Disbursement.Status.RESOLVED,
        ):
            errors[index].append(ErrorCode.DISBURSEMENT_ALREADY_SHIPPED.value)
    if any(errors):
        raise _reject_items(items, errors, "some disbursements cannot be cancelled")
    now = timezone.now()
    Disbursement.objects.filter(pk__in=[row.pk for row in locked.values()]).update(
        status=Disbursement.Status.CANCELLED, status_changed_at=now
    )
    audit_record(
        actor=None,
        entity=envelope,
        action="disbursements_cancel",
        to_state="CANCELLED",
        data={"client": client.name, "disbursement_ids": ids[:100], "count": len(ids)},
    )
    return [{"disbursement_id": value, "cancellation_status": "CANCELLED", "response_error_codes": []} for value in ids]
