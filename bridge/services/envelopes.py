"""Disbursement envelopes: created with declared counts and total, cancelled (stopping shipping, releasing funds)."""

import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from bridge.errors import BridgeRejection, ErrorCode
from bridge.models import (
    ENVELOPE_STAGES,
    SHIPPED_STATUSES,
    BankBatch,
    BenefitProgram,
    BridgeClient,
    Disbursement,
    Envelope,
    EnvelopeStage,
)
from bridge.services import wire
from core.services.audit import audit_record

_DECLARED = (
    "program_id",
    "frequency",
    "cycle_code_mnemonic",
    "number_of_beneficiaries",
    "number_of_disbursements",
    "total_disbursement_amount",
    "currency",
    "schedule_date",
)


def _declared(*, tenant_id: str, payload: dict, check_date: bool) -> dict:
    """The envelope's fields, checked in the anchor's order, each refusal with the anchor's code."""
    mnemonic = wire.text(payload, "benefit_program_mnemonic", ErrorCode.INVALID_PROGRAM_MNEMONIC, limit=50)
    program = BenefitProgram.objects.filter(tenant_id=tenant_id, mnemonic=mnemonic, is_active=True).first()
    if program is None:
        raise BridgeRejection(ErrorCode.INVALID_PROGRAM_MNEMONIC, f"benefit_program_mnemonic: no program '{mnemonic}'")
    frequency = payload.get("disbursement_frequency")
    if frequency not in Envelope.Frequency.values:
        raise BridgeRejection(
            ErrorCode.INVALID_DISBURSEMENT_FREQUENCY,
            f"disbursement_frequency: one of {', '.join(Envelope.Frequency.values)}",
        )
    cycle = wire.text(payload, "cycle_code_mnemonic", ErrorCode.INVALID_CYCLE_CODE_MNEMONIC, limit=50)
    beneficiaries = wire.count(payload, "number_of_beneficiaries", ErrorCode.INVALID_NO_OF_BENEFICIARIES)
    disbursements = wire.count(payload, "number_of_disbursements", ErrorCode.INVALID_NO_OF_DISBURSEMENTS)
    total = wire.amount(
        payload.get("total_disbursement_amount"),
        field="total_disbursement_amount",
        code=ErrorCode.INVALID_TOTAL_DISBURSEMENT_AMOUNT,
        allow_zero=True,
    )
    currency = payload.get("disbursement_currency_code")
    if currency != program.currency:
        raise BridgeRejection(
            ErrorCode.INVALID_DISBURSEMENT_CURRENCY_CODE,
            f"disbursement_currency_code: the program pays in {program.currency}",
        )
    schedule_date = wire.iso_date(
        payload.get("disbursement_schedule_date"),
        field="disbursement_schedule_date",
        code=ErrorCode.INVALID_DISBURSEMENT_SCHEDULE_DATE,
    )
    if check_date and schedule_date < timezone.localdate():
        raise BridgeRejection(
            ErrorCode.INVALID_DISBURSEMENT_SCHEDULE_DATE,
            f"disbursement_schedule_date: {schedule_date} is in the past (today is {timezone.localdate()} IST)",
        )
    return {
        "program_id": program.pk,
        "frequency": frequency,
        "cycle_code_mnemonic": cycle,
        "number_of_beneficiaries": beneficiaries,
        "number_of_disbursements": disbursements,
        "total_disbursement_amount": total,
        "currency": currency,
        "schedule_date": schedule_date,
    }


def envelope_create(*, client: BridgeClient, payload) -> Envelope:
    """Create an envelope from the anchor's DisbursementEnvelopePayload. With a caller-supplied
    disbursement_envelope_id, the same envelope sent again returns the first one and creates nothing."""
    if not isinstance(payload, dict):
        raise BridgeRejection(ErrorCode.INVALID_REQUEST, "message: a disbursement envelope object")
    tenant_id = client.tenant_id
    envelope_id = payload.get("disbursement_envelope_id")
    if envelope_id in (None, ""):
        envelope_id = uuid.uuid4().hex
    else:
        wire.identifier(envelope_id, field="disbursement_envelope_id", code=ErrorCode.INVALID_DISBURSEMENT_ENVELOPE_ID)
        existing = Envelope.objects.filter(tenant_id=tenant_id, envelope_id=envelope_id).first()
        if existing is not None:
            return _replayed(existing, tenant_id=tenant_id, payload=payload)
    declared = _declared(tenant_id=tenant_id, payload=payload, check_date=True)
    try:
        with transaction.atomic():
            envelope = Envelope.objects.create(
                tenant_id=tenant_id, envelope_id=envelope_id, created_by=client, **declared
            )
            EnvelopeStage.objects.bulk_create(
                EnvelopeStage(envelope=envelope, stage=stage) for stage in ENVELOPE_STAGES
            )
            audit_record(
                actor=None,
                entity=envelope,
                action="envelope_create",
                to_state="RECEIVED",
                data={"client": client.name, "envelope_id": envelope_id},
            )
    except IntegrityError:
        existing = Envelope.objects.filter(tenant_id=tenant_id, envelope_id=envelope_id).first()
        if existing is None:
            raise
        return _replayed(existing, tenant_id=tenant_id, payload=payload)
    return envelope


def _replayed(existing: Envelope, *, tenant_id: str, payload: dict) -> Envelope:
    declared = _declared(tenant_id=tenant_id, payload=payload, check_date=False)
    if any(getattr(existing, field) != value for field, value in declared.items()):
        raise BridgeRejection(
            ErrorCode.DISBURSEMENT_ENVELOPE_ALREADY_EXISTS,
            f"disbursement_envelope_id: '{existing.envelope_id}' exists with different declared values",
        )
    return existing


def envelope_get_locked(*, tenant_id: str, envelope_id) -> Envelope:
    if not isinstance(envelope_id, str) or not envelope_id.strip():
        raise BridgeRejection(ErrorCode.INVALID_DISBURSEMENT_ENVELOPE_ID, "disbursement_envelope_id: required")
    envelope = (
        Envelope.objects.select_for_update(of=("self",))
        .select_related("program")
        .filter(tenant_id=tenant_id, envelope_id=envelope_id)
        .first()
    )
    if envelope is None:
        raise BridgeRejection(
            ErrorCode.DISBURSEMENT_ENVELOPE_NOT_FOUND, f"disbursement_envelope_id: no envelope '{envelope_id}'"
        )
    return envelope


@transaction.atomic
def envelope_cancel(*, tenant_id: str, envelope_id, actor=None, client: BridgeClient | None = None) -> Envelope:
    """Stop an envelope: its unshipped disbursements and batches are cancelled, waiting stages skipped, and a fund
    block, if one was made, is released once no batch is in flight. Batches the bank already took stay paid."""
    from bridge.services.pipeline import dispatch_settle, release_open

    envelope = envelope_get_locked(tenant_id=tenant_id, envelope_id=envelope_id)
    if envelope.is_cancelled:
        raise BridgeRejection(
            ErrorCode.DISBURSEMENT_ENVELOPE_ALREADY_CANCELED, f"disbursement_envelope_id: '{envelope_id}' is cancelled"
        )
    stages = {row.stage: row for row in EnvelopeStage.objects.select_for_update().filter(envelope=envelope)}
    if stages[EnvelopeStage.Stage.DISPATCH].status == EnvelopeStage.Status.DONE:
        raise BridgeRejection(
            ErrorCode.DISBURSEMENT_ENVELOPE_ALREADY_SHIPPED,
            f"disbursement_envelope_id: every payment of '{envelope_id}' is already with the bank",
        )
    now = timezone.now()
    envelope.cancellation_status, envelope.cancelled_at = Envelope.Cancellation.CANCELLED, now
    envelope.save(update_fields=["cancellation_status", "cancelled_at"])
    cancelled = Disbursement.objects.filter(
        envelope=envelope, status__in=[Disbursement.Status.RECEIVED, Disbursement.Status.RESOLVED]
    ).update(status=Disbursement.Status.CANCELLED, status_changed_at=now)
    BankBatch.objects.filter(envelope=envelope, status=BankBatch.Status.PENDING).update(
        status=BankBatch.Status.CANCELLED
    )
    # Payments already with the bank still get their statements; reconciliation waits for them.
    keep_reconcile = (
        BankBatch.objects.filter(envelope=envelope, status=BankBatch.Status.SENDING).exists()
        or Disbursement.objects.filter(envelope=envelope, status__in=SHIPPED_STATUSES).exists()
    )
    for row in stages.values():
        if row.stage == EnvelopeStage.Stage.RECONCILE and keep_reconcile:
            continue
        if row.status in (EnvelopeStage.Status.WAITING, EnvelopeStage.Status.PENDING, EnvelopeStage.Status.ERROR):
            row.status, row.finished_at, row.next_attempt_at = EnvelopeStage.Status.SKIPPED, now, None
            row.save(update_fields=["status", "finished_at", "next_attempt_at", "updated_at"])
    dispatch_settle(envelope_pk=envelope.pk)
    block = stages[EnvelopeStage.Stage.FUNDS_BLOCK]
    if block.status == EnvelopeStage.Status.DONE and block.reference:
        release_open(envelope_pk=envelope.pk, block_reference=block.reference)
    audit_record(
        actor=actor,
        entity=envelope,
        action="envelope_cancel",
        from_state="Not_Cancelled",
        to_state="Cancelled",
        data={"client": client.name if client else "", "disbursements_cancelled": cancelled},
    )
    return envelope


def envelope_payload(envelope: Envelope) -> dict:
    """The anchor's DisbursementEnvelopePayload, as stored."""
    return {
        "disbursement_envelope_id": envelope.envelope_id,
        "benefit_program_mnemonic": envelope.program.mnemonic,
        "disbursement_frequency": envelope.frequency,
        "cycle_code_mnemonic": envelope.cycle_code_mnemonic,
        "number_of_beneficiaries": envelope.number_of_beneficiaries,
        "number_of_disbursements": envelope.number_of_disbursements,
        "total_disbursement_amount": envelope.total_disbursement_amount,
        "disbursement_currency_code": envelope.currency,
        "disbursement_schedule_date": envelope.schedule_date.isoformat(),
        "cancellation_status": envelope.cancellation_status,
    }


def envelope_is_due(envelope: Envelope) -> bool:
    return settings.BRIDGE_PROCESS_FUTURE_ENVELOPES or envelope.schedule_date <= timezone.localdate()
