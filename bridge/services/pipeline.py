"""The disbursement pipeline: resolve accounts → check funds → block funds → disburse in bank batches → reconcile.

Every unit of work (an envelope stage, a bank batch) is claimed with SELECT … FOR UPDATE SKIP LOCKED and held by
a lease, so two workers never take the same one and a crashed worker's claim runs out. The claim is committed
before the bank is called and the outcome recorded after, in a second transaction: no transaction stays open
across a bank call. A stage that succeeds queues the next (on commit); one that fails is tried again with
backoff and, when its attempts run out, ends in ERROR with the reason. `pipeline_tick` (beat) re-queues anything
due, so a lost message only delays work."""

import logging
from datetime import timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from bridge.bulk import rows_insert
from bridge.connectors import connector_for
from bridge.connectors.base import BankError, PaymentBatch, PaymentItem
from bridge.models import (
    SHIPPED_STATUSES,
    BankBatch,
    Disbursement,
    DisbursementAccount,
    Envelope,
    EnvelopeStage,
    Statement,
)
from bridge.resolvers import ResolverError, account_resolver, inline_account
from bridge.services.envelopes import envelope_is_due
from core.errors import ApplicationError
from core.money import quantize
from core.services.audit import audit_record

logger = logging.getLogger(__name__)

Stage = EnvelopeStage.Stage
StageStatus = EnvelopeStage.Status
ZERO = Decimal("0.00")
RESOLVE_CHUNK = 5000
# Stages a worker runs for an envelope; DISPATCH is driven by its batches, RECONCILE by statements.
CLAIMABLE_STAGES = (Stage.RESOLVE, Stage.FUNDS_CHECK, Stage.FUNDS_BLOCK, Stage.RELEASE)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, settings.BRIDGE_RETRY_BACKOFF_SECONDS * 2 ** max(0, attempts - 1)))


def _due(now) -> Q:
    waiting = Q(status="PENDING") & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    return waiting | Q(status__in=["RUNNING", "SENDING"], lease_until__lt=now)


# --- Queueing -------------------------------------------------------------------------------


def stage_enqueue(*, envelope_pk: int, stage: str) -> None:
    """Queue the stage's task once the current transaction commits."""
    from bridge import tasks

    task = {
        Stage.RESOLVE: tasks.resolve_accounts_task,
        Stage.FUNDS_CHECK: tasks.check_funds_task,
        Stage.FUNDS_BLOCK: tasks.block_funds_task,
        Stage.RELEASE: tasks.release_funds_task,
    }[stage]
    transaction.on_commit(partial(task.delay, envelope_pk=envelope_pk))


def batches_enqueue(batch_pks: list[int]) -> None:
    from bridge.tasks import dispatch_batch_task

    for batch_pk in batch_pks:
        transaction.on_commit(partial(dispatch_batch_task.delay, batch_pk=batch_pk))


# --- Stage claims ---------------------------------------------------------------------------


def stage_claim(*, envelope_pk: int, stage: str) -> EnvelopeStage | None:
    """Take the stage if it is due and no other worker holds it; None otherwise."""
    now = timezone.now()
    with transaction.atomic():
        row = (
            EnvelopeStage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("envelope", "envelope__program")
            .filter(_due(now), envelope_id=envelope_pk, stage=stage)
            .first()
        )
        if row is None:
            return None
        row.status, row.attempts = StageStatus.RUNNING, row.attempts + 1
        row.lease_until = now + timedelta(seconds=settings.BRIDGE_LEASE_SECONDS)
        row.started_at = row.started_at or now
        row.save(update_fields=["status", "attempts", "lease_until", "started_at", "updated_at"])
    return row


def _owned(claimed: EnvelopeStage) -> EnvelopeStage | None:
    """The claimed row, locked, if this worker still holds it (its lease was not taken over)."""
    row = EnvelopeStage.objects.select_for_update().filter(pk=claimed.pk).first()
    if row is None or row.status != StageStatus.RUNNING or row.attempts != claimed.attempts:
        logger.warning("envelope %s stage %s was taken over; result dropped", claimed.envelope_id, claimed.stage)
        return None
    return row


def _finish(row: EnvelopeStage, status: str, *, amount=None, reference: str = "") -> None:
    now = timezone.now()
    row.status, row.finished_at, row.lease_until, row.next_attempt_at = status, now, None, None
    if status == StageStatus.DONE:
        row.last_error_code = ""
    if amount is not None:
        row.amount = amount
    if reference:
        row.reference = reference
    row.save()
    audit_record(
        actor=None,
        entity=row.envelope,
        action=f"stage_{row.stage.lower()}",
        from_state="RUNNING",
        to_state=status,
        tenant_id=row.envelope.tenant_id,
        data={"attempts": row.attempts, "amount": amount},
    )


def _fail(row: EnvelopeStage, *, code: str, message: str, retryable: bool = True) -> None:
    """Try again later with backoff, or give up with the reason once attempts run out."""
    now = timezone.now()
    row.last_error_code, row.last_error, row.lease_until = code[:60], message, None
    if retryable and row.attempts < settings.BRIDGE_STAGE_MAX_ATTEMPTS:
        row.status, row.next_attempt_at = StageStatus.PENDING, now + backoff(row.attempts)
    else:
        row.status, row.next_attempt_at, row.finished_at = StageStatus.ERROR, None, now
        audit_record(
            actor=None,
            entity=row.envelope,
            action=f"stage_{row.stage.lower()}",
            from_state="RUNNING",
            to_state="ERROR",
            reason=f"{code}: {message}",
            tenant_id=row.envelope.tenant_id,
            data={"attempts": row.attempts},
        )
    row.save()
    logger.warning("envelope %s stage %s failed (%s): %s", row.envelope_id, row.stage, code, message)


def _fail_claimed(claimed: EnvelopeStage, *, code: str, message: str, retryable: bool = True) -> None:
    with transaction.atomic():
        row = _owned(claimed)
        if row is not None:
            _fail(row, code=code, message=message, retryable=retryable)


def _stage_open(*, envelope_pk: int, stage: str) -> None:
    """Make the next stage due now and queue it."""
    EnvelopeStage.objects.filter(envelope_id=envelope_pk, stage=stage, status=StageStatus.WAITING).update(
        status=StageStatus.PENDING, next_attempt_at=None, updated_at=timezone.now()
    )
    stage_enqueue(envelope_pk=envelope_pk, stage=stage)


def _payable_total(envelope_pk: int) -> Decimal:
    total = Disbursement.objects.filter(envelope_id=envelope_pk, status=Disbursement.Status.RESOLVED).aggregate(
        total=Sum("amount")
    )["total"]
    # SQLite sums NUMERIC as "200", PostgreSQL as "200.00": amounts leave Kosh in paise either way.
    return quantize(total or ZERO)


# --- Start ----------------------------------------------------------------------------------


def envelope_start_if_ready(*, envelope: Envelope) -> bool:
    """Open RESOLVE when the envelope holds every declared disbursement and total and its date has come.
    Call inside a transaction holding the envelope's lock."""
    row = EnvelopeStage.objects.select_for_update().filter(envelope=envelope, stage=Stage.RESOLVE).first()
    if row is None or row.status != StageStatus.WAITING or envelope.is_cancelled:
        return False
    if envelope.received_count < envelope.number_of_disbursements:
        return False
    if envelope.received_amount != envelope.total_disbursement_amount:
        row.status, row.finished_at = StageStatus.ERROR, timezone.now()
        row.last_error_code = "RECEIVED_TOTAL_MISMATCH"
        row.last_error = (
            f"All {envelope.number_of_disbursements} disbursements are in, but they add up to "
            f"{envelope.received_amount}, not the declared {envelope.total_disbursement_amount}."
        )
        row.save()
        return False
    if not envelope_is_due(envelope):
        return False
    _stage_open(envelope_pk=envelope.pk, stage=Stage.RESOLVE)
    return True


# --- Resolve --------------------------------------------------------------------------------


def envelope_resolve(*, envelope_pk: int) -> str:
    """Find every received disbursement's account, in chunks; the unknown ones fail with ACCOUNT_NOT_RESOLVED."""
    claimed = stage_claim(envelope_pk=envelope_pk, stage=Stage.RESOLVE)
    if claimed is None:
        return "not due"
    envelope = claimed.envelope
    if envelope.is_cancelled:
        with transaction.atomic():
            if (row := _owned(claimed)) is not None:
                _finish(row, StageStatus.SKIPPED)
        return "cancelled"
    resolver = account_resolver() if envelope.program.id_mapper_resolution_required else None
    last_pk, resolved_count, failed_count = 0, 0, 0
    while True:
        chunk = list(
            Disbursement.objects.filter(envelope_id=envelope_pk, status=Disbursement.Status.RECEIVED, pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "beneficiary_id")[:RESOLVE_CHUNK]
        )
        if not chunk:
            break
        last_pk = chunk[-1][0]
        beneficiary_ids = sorted({beneficiary_id for _pk, beneficiary_id in chunk})
        if resolver is not None:
            try:
                accounts = resolver.resolve(tenant_id=envelope.tenant_id, beneficiary_ids=beneficiary_ids)
            except ResolverError as exc:
                _fail_claimed(claimed, code="RESOLVER_UNAVAILABLE", message=str(exc))
                return "retry"
        else:
            accounts = {b: account for b in beneficiary_ids if (account := inline_account(b)) is not None}
        resolved, failed = _resolution_record(envelope_pk, chunk, accounts)
        resolved_count, failed_count = resolved_count + resolved, failed_count + failed
    with transaction.atomic():
        row = _owned(claimed)
        if row is None:
            return "taken over"
        if failed_count:
            row.last_error_code = "ACCOUNT_NOT_RESOLVED"
            row.last_error = f"{failed_count} beneficiaries have no account; those disbursements failed."
        _finish(row, StageStatus.DONE)
        _stage_open(envelope_pk=envelope_pk, stage=Stage.FUNDS_CHECK)
    return f"resolved {resolved_count}, failed {failed_count}"


_ACCOUNT_FIELDS = (
    "disbursement_id",
    "fa_type",
    "account_number",
    "bank_code",
    "branch_code",
    "account_holder_name",
    "mobile_number",
    "wallet_provider",
    "email_address",
    "resolved_at",
)


@transaction.atomic
def _resolution_record(envelope_pk: int, chunk: list[tuple[int, str]], accounts: dict) -> tuple[int, int]:
    """Snapshot the chunk's accounts and move it on: resolved ones RESOLVED, the others FAILED. The chunk is every
    RECEIVED row of the envelope between its first and last id, so both updates are range updates."""
    now = timezone.now()
    rows = []
    for pk, beneficiary_id in chunk:
        account = accounts.get(beneficiary_id)
        if account is not None:
            rows.append(
                (
                    pk,
                    account.fa_type,
                    account.account_number,
                    account.bank_code,
                    account.branch_code,
                    account.account_holder_name,
                    account.mobile_number,
                    account.wallet_provider,
                    account.email_address,
                    now,
                )
            )
    rows_insert(DisbursementAccount, _ACCOUNT_FIELDS, rows)
    in_chunk = Disbursement.objects.filter(
        envelope_id=envelope_pk, status=Disbursement.Status.RECEIVED, pk__gte=chunk[0][0], pk__lte=chunk[-1][0]
    )
    resolved = in_chunk.filter(account__isnull=False).update(status=Disbursement.Status.RESOLVED, status_changed_at=now)
    failed = in_chunk.update(
        status=Disbursement.Status.FAILED,
        failure_code="ACCOUNT_NOT_RESOLVED",
        failure_reason="No account is known for this beneficiary.",
        status_changed_at=now,
    )
    return resolved, failed


# --- Funds ----------------------------------------------------------------------------------


def _skip_if_cancelled(claimed: EnvelopeStage) -> bool:
    if not claimed.envelope.is_cancelled:
        return False
    with transaction.atomic():
        if (row := _owned(claimed)) is not None:
            _finish(row, StageStatus.SKIPPED)
    return True


def _nothing_to_pay(claimed: EnvelopeStage) -> None:
    """Every disbursement failed or was cancelled: the bank stages have nothing to do."""
    with transaction.atomic():
        row = _owned(claimed)
        if row is None:
            return
        _finish(row, StageStatus.SKIPPED, amount=ZERO)
        EnvelopeStage.objects.filter(
            envelope_id=claimed.envelope_id, status__in=[StageStatus.WAITING, StageStatus.PENDING]
        ).update(status=StageStatus.SKIPPED, finished_at=timezone.now(), updated_at=timezone.now())


def envelope_check_funds(*, envelope_pk: int) -> str:
    claimed = stage_claim(envelope_pk=envelope_pk, stage=Stage.FUNDS_CHECK)
    if claimed is None:
        return "not due"
    if _skip_if_cancelled(claimed):
        return "cancelled"
    program = claimed.envelope.program
    amount = _payable_total(envelope_pk)
    if amount == 0:
        _nothing_to_pay(claimed)
        return "nothing to pay"
    try:
        result = connector_for(program.sponsor_bank_code).check_funds(
            account_number=program.sponsor_bank_account_number, currency=program.currency, amount=amount
        )
    except BankError as exc:
        _fail_claimed(claimed, code=exc.code, message=exc.message, retryable=exc.retryable)
        return "failed"
    with transaction.atomic():
        row = _owned(claimed)
        if row is None:
            return "taken over"
        if not result.has_sufficient_funds:
            _fail(
                row,
                code="FUNDS_NOT_AVAILABLE",
                message=f"Needs {amount}; the sponsor account has {result.available_balance} available.",
            )
            return "funds not available"
        _finish(row, StageStatus.DONE, amount=amount)
        _stage_open(envelope_pk=envelope_pk, stage=Stage.FUNDS_BLOCK)
    return "funds available"


def envelope_block_funds(*, envelope_pk: int) -> str:
    """Block the payable total; on success plan the bank batches and queue them."""
    claimed = stage_claim(envelope_pk=envelope_pk, stage=Stage.FUNDS_BLOCK)
    if claimed is None:
        return "not due"
    if _skip_if_cancelled(claimed):
        return "cancelled"
    envelope = claimed.envelope
    program = envelope.program
    amount = _payable_total(envelope_pk)
    if amount == 0:
        _nothing_to_pay(claimed)
        return "nothing to pay"
    try:
        result = connector_for(program.sponsor_bank_code).block_funds(
            account_number=program.sponsor_bank_account_number,
            currency=program.currency,
            amount=amount,
            # One block per envelope: a repeated call (after a crash) gets the same block back.
            idempotency_key=f"kosh-block-{envelope.tenant_id}-{envelope.pk}",
        )
    except BankError as exc:
        _fail_claimed(claimed, code=exc.code, message=exc.message, retryable=exc.retryable)
        return "failed"
    with transaction.atomic():
        locked = Envelope.objects.select_for_update().get(pk=envelope_pk)
        row = _owned(claimed)
        if row is None:
            return "taken over"
        _finish(row, StageStatus.DONE, amount=result.amount, reference=result.block_reference)
        if locked.is_cancelled:
            release_open(envelope_pk=envelope_pk, block_reference=result.block_reference)
            return "cancelled meanwhile; block released"
        batch_pks = _batches_plan(locked)
        EnvelopeStage.objects.filter(envelope_id=envelope_pk, stage=Stage.DISPATCH).update(
            status=StageStatus.RUNNING, started_at=timezone.now(), lease_until=None, updated_at=timezone.now()
        )
        batches_enqueue(batch_pks)
    return f"blocked; {len(batch_pks)} batches"


def release_open(*, envelope_pk: int, block_reference: str) -> None:
    row, _ = EnvelopeStage.objects.get_or_create(envelope_id=envelope_pk, stage=Stage.RELEASE)
    if row.status in (StageStatus.DONE, StageStatus.PENDING, StageStatus.RUNNING):
        return
    row.status, row.reference, row.next_attempt_at = StageStatus.PENDING, block_reference, None
    row.save()
    stage_enqueue(envelope_pk=envelope_pk, stage=Stage.RELEASE)


def envelope_release_funds(*, envelope_pk: int) -> str:
    """Release what the fund block still holds, once no batch is with the bank in flight."""
    claimed = stage_claim(envelope_pk=envelope_pk, stage=Stage.RELEASE)
    if claimed is None:
        return "not due"
    if BankBatch.objects.filter(envelope_id=envelope_pk, status=BankBatch.Status.SENDING).exists():
        _fail_claimed(claimed, code="BATCH_IN_FLIGHT", message="A batch is still with the bank; released after it.")
        return "waiting for a batch"
    program = claimed.envelope.program
    try:
        result = connector_for(program.sponsor_bank_code).release_funds(block_reference=claimed.reference)
    except BankError as exc:
        _fail_claimed(claimed, code=exc.code, message=exc.message, retryable=exc.retryable)
        return "failed"
    with transaction.atomic():
        if (row := _owned(claimed)) is not None:
            _finish(row, StageStatus.DONE, amount=result.released_amount)
    return f"released {result.released_amount}"


# --- Bank batches ---------------------------------------------------------------------------


def _batches_plan(envelope: Envelope) -> list[int]:
    """Put every resolved, unbatched disbursement into batches of BRIDGE_BATCH_SIZE, each with its idempotency
    key recorded now, before any bank call. Called with the envelope locked."""
    size = settings.BRIDGE_BATCH_SIZE
    rows = list(
        Disbursement.objects.filter(envelope=envelope, status=Disbursement.Status.RESOLVED, bank_batch__isnull=True)
        .order_by("pk")
        .values_list("pk", "amount")
    )
    if not rows:
        return []
    first_sequence = (BankBatch.objects.filter(envelope=envelope).aggregate(last=Max("sequence"))["last"] or 0) + 1
    chunks = [rows[start : start + size] for start in range(0, len(rows), size)]
    batches = BankBatch.objects.bulk_create(
        [
            BankBatch(
                tenant_id=envelope.tenant_id,
                envelope=envelope,
                sequence=first_sequence + number,
                idempotency_key=f"kosh-{envelope.pk}-{first_sequence + number}-{timezone.now():%y%m%d%H%M%S%f}",
                item_count=len(chunk),
                total_amount=sum((amount for _pk, amount in chunk), ZERO),
            )
            for number, chunk in enumerate(chunks)
        ]
    )
    for batch, chunk in zip(batches, chunks, strict=True):
        # The chunk is every unbatched resolved row between its first and last id, so a range update is exact.
        Disbursement.objects.filter(
            envelope=envelope,
            status=Disbursement.Status.RESOLVED,
            bank_batch__isnull=True,
            pk__gte=chunk[0][0],
            pk__lte=chunk[-1][0],
        ).update(bank_batch=batch)
    return [batch.pk for batch in batches]


def bank_batch_claim(*, batch_pk: int) -> BankBatch | None:
    now = timezone.now()
    with transaction.atomic():
        batch = (
            BankBatch.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("envelope", "envelope__program")
            .filter(_due(now), pk=batch_pk, envelope__cancellation_status=Envelope.Cancellation.NOT_CANCELLED)
            .first()
        )
        if batch is None:
            return None
        batch.status, batch.attempts = BankBatch.Status.SENDING, batch.attempts + 1
        batch.lease_until = now + timedelta(seconds=settings.BRIDGE_LEASE_SECONDS)
        batch.save(update_fields=["status", "attempts", "lease_until"])
    return batch


def bank_batch_payment(batch: BankBatch, block_reference: str) -> PaymentBatch:
    """What the bank is asked to pay: the batch's members still RESOLVED (never a cancelled one)."""
    rows = (
        Disbursement.objects.filter(bank_batch=batch, status=Disbursement.Status.RESOLVED)
        .order_by("pk")
        .values_list(
            "disbursement_id",
            "amount",
            "beneficiary_id",
            "beneficiary_name",
            "narrative",
            "account__fa_type",
            "account__account_number",
            "account__bank_code",
            "account__branch_code",
            "account__mobile_number",
            "account__wallet_provider",
            "account__email_address",
        )
    )
    program = batch.envelope.program
    return PaymentBatch(
        remitting_account=program.sponsor_bank_account_number,
        currency=program.currency,
        funds_blocked_reference=block_reference,
        program_mnemonic=program.mnemonic,
        cycle_code_mnemonic=batch.envelope.cycle_code_mnemonic,
        items=tuple(
            PaymentItem(
                disbursement_id=disbursement_id,
                amount=amount,
                beneficiary_id=beneficiary_id,
                beneficiary_name=name,
                narrative=narrative,
                beneficiary_account_type=fa_type or "",
                beneficiary_account=account or "",
                beneficiary_bank_code=bank or "",
                beneficiary_branch_code=branch or "",
                beneficiary_mobile_number=mobile or "",
                beneficiary_wallet_provider=wallet or "",
                beneficiary_email=email or "",
            )
            for (
                disbursement_id,
                amount,
                beneficiary_id,
                name,
                narrative,
                fa_type,
                account,
                bank,
                branch,
                mobile,
                wallet,
                email,
            ) in rows
        ),
    )


def bank_batch_send(batch: BankBatch):
    """The bank call for a claimed batch, with the key recorded when the batch was planned."""
    block_reference = (
        EnvelopeStage.objects.filter(envelope_id=batch.envelope_id, stage=Stage.FUNDS_BLOCK)
        .values_list("reference", flat=True)
        .first()
    )
    payment = bank_batch_payment(batch, block_reference or "")
    connector = connector_for(batch.envelope.program.sponsor_bank_code)
    return connector.initiate_payment(batch=payment, idempotency_key=batch.idempotency_key)


def bank_batch_dispatch(*, batch_pk: int) -> str:
    batch = bank_batch_claim(batch_pk=batch_pk)
    if batch is None:
        return "not due"
    try:
        result = bank_batch_send(batch)
    except BankError as exc:
        bank_batch_failed(batch, code=exc.code, message=exc.message, retryable=exc.retryable)
        return "failed"
    bank_batch_complete(batch, result)
    return f"sent{' (replayed)' if result.replayed else ''}"


def _owned_batch(claimed: BankBatch) -> BankBatch | None:
    batch = BankBatch.objects.select_for_update().filter(pk=claimed.pk).first()
    if batch is None or batch.status != BankBatch.Status.SENDING or batch.attempts != claimed.attempts:
        logger.warning("bank batch %s was taken over; result dropped", claimed.pk)
        return None
    return batch


@transaction.atomic
def bank_batch_complete(claimed: BankBatch, result) -> None:
    """Record what the bank took: accepted payments → SHIPPED, refused ones → FAILED with the bank's code."""
    batch = _owned_batch(claimed)
    if batch is None:
        return
    now = timezone.now()
    rejected: dict[str, list[str]] = {}
    for item in result.items:
        if not item.accepted:
            rejected.setdefault(item.error_code or "REJECTED_BY_BANK", []).append(item.disbursement_id)
    members = Disbursement.objects.filter(bank_batch=batch, status=Disbursement.Status.RESOLVED)
    rejected_count = 0
    for code, ids in rejected.items():
        rejected_count += members.filter(disbursement_id__in=ids).update(
            status=Disbursement.Status.FAILED,
            failure_code=code[:60],
            failure_reason="The sponsor bank refused the payment.",
            status_changed_at=now,
        )
    accepted_count = members.update(status=Disbursement.Status.SHIPPED, status_changed_at=now)
    batch.status, batch.sent_at, batch.lease_until = BankBatch.Status.SENT, now, None
    batch.bank_reference = result.bank_reference[:40]
    batch.accepted_count, batch.rejected_count = accepted_count, rejected_count
    batch.last_error_code = ""
    batch.save()
    audit_record(
        actor=None,
        entity=batch,
        action="bank_batch_sent",
        from_state="SENDING",
        to_state="SENT",
        data={"accepted": accepted_count, "rejected": rejected_count, "replayed": result.replayed},
    )
    dispatch_settle(envelope_pk=batch.envelope_id)


@transaction.atomic
def bank_batch_failed(claimed: BankBatch, *, code: str, message: str, retryable: bool) -> None:
    batch = _owned_batch(claimed)
    if batch is None:
        return
    batch.last_error_code, batch.last_error, batch.lease_until = code[:60], message, None
    if retryable and batch.attempts < settings.BRIDGE_STAGE_MAX_ATTEMPTS:
        batch.status, batch.next_attempt_at = BankBatch.Status.PENDING, timezone.now() + backoff(batch.attempts)
        batch.save()
        logger.warning("bank batch %s failed (%s), will retry: %s", batch.pk, code, message)
        return
    batch.status, batch.next_attempt_at = BankBatch.Status.ERROR, None
    batch.save()
    audit_record(
        actor=None,
        entity=batch,
        action="bank_batch_error",
        from_state="SENDING",
        to_state="ERROR",
        reason=f"{code}: {message}",
    )
    logger.error("bank batch %s gave up (%s): %s", batch.pk, code, message)
    dispatch_settle(envelope_pk=batch.envelope_id)


def dispatch_settle(*, envelope_pk: int) -> None:
    """When no batch of the envelope is waiting or in flight, end DISPATCH (DONE, or ERROR naming the failed
    batches), open RECONCILE to wait for statements, and release what the block no longer needs."""
    row = (
        EnvelopeStage.objects.select_for_update()
        .select_related("envelope")
        .filter(envelope_id=envelope_pk, stage=Stage.DISPATCH, status=StageStatus.RUNNING)
        .first()
    )
    if row is None:
        return
    counts = dict(
        BankBatch.objects.filter(envelope_id=envelope_pk).values_list("status").annotate(n=Count("id")).order_by()
    )
    if counts.get(BankBatch.Status.PENDING) or counts.get(BankBatch.Status.SENDING):
        return
    failed = counts.get(BankBatch.Status.ERROR, 0)
    if failed:
        first = (
            BankBatch.objects.filter(envelope_id=envelope_pk, status=BankBatch.Status.ERROR)
            .order_by("sequence")
            .first()
        )
        row.last_error_code = first.last_error_code
        row.last_error = f"{failed} batch(es) gave up; batch {first.sequence}: {first.last_error}"
        _finish(row, StageStatus.ERROR)
    else:
        _finish(row, StageStatus.DONE)
    shipped = Disbursement.objects.filter(envelope_id=envelope_pk, status__in=SHIPPED_STATUSES).aggregate(
        total=Sum("amount"), count=Count("id")
    )
    EnvelopeStage.objects.filter(envelope_id=envelope_pk, stage=Stage.RECONCILE, status=StageStatus.WAITING).update(
        status=StageStatus.PENDING if shipped["count"] else StageStatus.SKIPPED, updated_at=timezone.now()
    )
    block = EnvelopeStage.objects.filter(envelope_id=envelope_pk, stage=Stage.FUNDS_BLOCK).first()
    if block is not None and block.reference and (block.amount or ZERO) > (shipped["total"] or ZERO) and not failed:
        release_open(envelope_pk=envelope_pk, block_reference=block.reference)
    reconcile_settle(envelope_pks=[envelope_pk])


def reconcile_settle(*, envelope_pks) -> None:
    """RECONCILE is done for an envelope whose dispatch has ended and none of whose payments awaits a statement."""
    waiting = set(
        Disbursement.objects.filter(envelope_id__in=envelope_pks, status=Disbursement.Status.SHIPPED)
        .values_list("envelope_id", flat=True)
        .distinct()
    )
    dispatch_open = set(
        EnvelopeStage.objects.filter(
            envelope_id__in=envelope_pks, stage=Stage.DISPATCH, status__in=[StageStatus.WAITING, StageStatus.RUNNING]
        ).values_list("envelope_id", flat=True)
    )
    done = [pk for pk in envelope_pks if pk not in waiting and pk not in dispatch_open]
    EnvelopeStage.objects.filter(envelope_id__in=done, stage=Stage.RECONCILE, status=StageStatus.PENDING).update(
        status=StageStatus.DONE, finished_at=timezone.now(), updated_at=timezone.now()
    )


# --- Operator actions -----------------------------------------------------------------------


@transaction.atomic
def stage_retry(*, envelope: Envelope, stage: str, actor) -> EnvelopeStage:
    """Give a stage that ended in ERROR a fresh set of attempts (DISPATCH: its failed batches)."""
    row = EnvelopeStage.objects.select_for_update().get(envelope=envelope, stage=stage)
    if row.status != StageStatus.ERROR:
        raise ApplicationError("STAGE_NOT_IN_ERROR", f"{row.get_stage_display()} is {row.get_status_display()}")
    row.attempts, row.next_attempt_at, row.finished_at = 0, None, None
    if stage == Stage.DISPATCH:
        failed = list(
            BankBatch.objects.filter(envelope=envelope, status=BankBatch.Status.ERROR).values_list("pk", flat=True)
        )
        BankBatch.objects.filter(pk__in=failed).update(
            status=BankBatch.Status.PENDING, attempts=0, next_attempt_at=None
        )
        row.status = StageStatus.RUNNING
        batches_enqueue(failed)
    else:
        row.status = StageStatus.PENDING
        stage_enqueue(envelope_pk=envelope.pk, stage=stage)
    row.save()
    audit_record(
        actor=actor, entity=envelope, action=f"stage_{stage.lower()}_retry", from_state="ERROR", to_state=row.status
    )
    return row


# --- Safety net -----------------------------------------------------------------------------


def pipeline_tick() -> dict:
    """Beat's safety net: start envelopes whose day has come, re-queue every due stage, batch and statement,
    and settle dispatches and reconciliations whose last event was lost."""
    from bridge.tasks import process_statement_task

    now = timezone.now()
    started = 0
    candidates = EnvelopeStage.objects.filter(
        stage=Stage.RESOLVE,
        status=StageStatus.WAITING,
        envelope__cancellation_status=Envelope.Cancellation.NOT_CANCELLED,
    )
    if not settings.BRIDGE_PROCESS_FUTURE_ENVELOPES:
        candidates = candidates.filter(envelope__schedule_date__lte=timezone.localdate())
    for envelope_pk in candidates.values_list("envelope_id", flat=True)[:200]:
        with transaction.atomic():
            envelope = Envelope.objects.select_for_update().get(pk=envelope_pk)
            started += envelope_start_if_ready(envelope=envelope)
    due_stages = list(
        EnvelopeStage.objects.filter(_due(now), stage__in=CLAIMABLE_STAGES).values_list("envelope_id", "stage")[:500]
    )
    for envelope_pk, stage in due_stages:
        stage_enqueue(envelope_pk=envelope_pk, stage=stage)
    due_batches = list(
        BankBatch.objects.filter(_due(now), envelope__cancellation_status=Envelope.Cancellation.NOT_CANCELLED)
        .order_by("pk")
        .values_list("pk", flat=True)[:2000]
    )
    batches_enqueue(due_batches)
    for envelope_pk in EnvelopeStage.objects.filter(stage=Stage.DISPATCH, status=StageStatus.RUNNING).values_list(
        "envelope_id", flat=True
    )[:500]:
        with transaction.atomic():
            dispatch_settle(envelope_pk=envelope_pk)
    reconciling = list(
        EnvelopeStage.objects.filter(stage=Stage.RECONCILE, status=StageStatus.PENDING).values_list(
            "envelope_id", flat=True
        )[:500]
    )
    reconcile_settle(envelope_pks=reconciling)
    due_statements = list(Statement.objects.filter(_due(now)).values_list("pk", flat=True)[:100])
    for statement_pk in due_statements:
        transaction.on_commit(partial(process_statement_task.delay, statement_pk=statement_pk))
    return {
        "started": started,
        "stages": len(due_stages),
        "batches": len(due_batches),
        "statements": len(due_statements),
    }
