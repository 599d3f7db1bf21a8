"""MT940 statements: upload (kept whole, an exact re-upload refused), then reconciliation against the
disbursements the bank was sent. Lookups are batched (a few queries per statement, not per line), everything a
statement changes is written in one transaction, and processing it again changes nothing."""

import gc
import hashlib
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from operator import itemgetter

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from bridge.bulk import ids_in, rows_insert
from bridge.connectors import connector_for
from bridge.connectors.base import BankError, SponsorBankConnector
from bridge.models import (
    SHIPPED_STATUSES,
    BenefitProgram,
    BridgeClient,
    Disbursement,
    DisbursementRecon,
    ReviewItem,
    Statement,
    StatementBlock,
    StatementFile,
)
from bridge.parsers.mt940 import ParsedBlock, ParsedEntry, StatementRejected, decode, parse_statement, sniff
from bridge.services.pipeline import reconcile_settle
from core.errors import ApplicationError
from core.models import Tenant
from core.services.audit import audit_record

logger = logging.getLogger(__name__)

Reason = ReviewItem.Reason
LOOKUP_CHUNK = 5000


class StatementUploadRejected(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


# --- Upload ---------------------------------------------------------------------------------


def statement_upload(
    *,
    tenant_id: str,
    content: bytes,
    filename: str,
    encoding: str = "",
    client: BridgeClient | None = None,
    user=None,
) -> Statement:
    """Keep the file and queue its processing. Refused: too large, not MT940, the same bytes again."""
    limit = settings.BRIDGE_STATEMENT_MAX_BYTES
    if len(content) > limit:
        raise StatementUploadRejected("FILE_TOO_LARGE", f"statement_file: {len(content):,} bytes; at most {limit:,}")
    try:
        text, _used = decode(
            content, encoding=encoding or None, fallback_encoding=settings.BRIDGE_MT940_FALLBACK_ENCODING
        )
        sniff(text)
    except StatementRejected as exc:
        raise StatementUploadRejected(exc.code, f"statement_file: {exc.message}") from None
    digest = hashlib.sha256(content).hexdigest()
    try:
        return _statement_store(tenant_id, content, digest, filename, encoding, client, user)
    except IntegrityError:
        # The same file arrived twice at once; the other upload holds it.
        pass
    first = Statement.objects.filter(tenant_id=tenant_id, sha256=digest).first()
    raise StatementUploadRejected(
        "DUPLICATE_FILE", f"statement_file: the same file was uploaded before as {first.statement_id if first else '…'}"
    )


@transaction.atomic
def _statement_store(tenant_id, content, digest, filename, encoding, client, user) -> Statement:
    first = Statement.objects.filter(tenant_id=tenant_id, sha256=digest).first()
    if first is not None:
        raise StatementUploadRejected(
            "DUPLICATE_FILE", f"statement_file: the same file was uploaded before as {first.statement_id}"
        )
    statement = Statement.objects.create(
        tenant_id=tenant_id,
        uploaded_by_client=client,
        uploaded_by=user if user is not None and user.is_authenticated else None,
        filename=(filename or "statement.sta")[:255],
        sha256=digest,
        size=len(content),
        requested_encoding=encoding,
    )
    StatementFile.objects.create(statement=statement, content=content)
    audit_record(
        actor=user,
        entity=statement,
        action="statement_upload",
        to_state=Statement.Status.PENDING,
        data={"client": client.name if client else "", "size": len(content)},
    )
    statement_enqueue(statement_pk=statement.pk)
    return statement


def statement_enqueue(*, statement_pk: int) -> None:
    from bridge.tasks import process_statement_task

    transaction.on_commit(lambda: process_statement_task.delay(statement_pk=statement_pk))


@transaction.atomic
def statement_reprocess(*, statement: Statement, actor) -> Statement:
    """Run reconciliation again (after an error, or to prove it idempotent): it adds only what is missing."""
    Statement.objects.filter(pk=statement.pk).update(
        status=Statement.Status.PENDING, attempts=0, next_attempt_at=None, lease_until=None
    )
    audit_record(actor=actor, entity=statement, action="statement_reprocess", to_state=Statement.Status.PENDING)
    statement_enqueue(statement_pk=statement.pk)
    return statement


# --- Processing -----------------------------------------------------------------------------


def _claim(statement_pk: int) -> Statement | None:
    now = timezone.now()
    due = (Q(status=Statement.Status.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))) | Q(
        status=Statement.Status.RUNNING, lease_until__lt=now
    )
    with transaction.atomic():
        statement = Statement.objects.select_for_update(skip_locked=True).filter(due, pk=statement_pk).first()
        if statement is None:
            return None
        statement.status, statement.attempts = Statement.Status.RUNNING, statement.attempts + 1
        statement.lease_until = now + timedelta(seconds=settings.BRIDGE_LEASE_SECONDS)
        statement.save(update_fields=["status", "attempts", "lease_until"])
    return statement


def statement_process(*, statement_pk: int) -> str:
    statement = _claim(statement_pk)
    if statement is None:
        return "not due"
    content = bytes(StatementFile.objects.get(statement_id=statement.pk).content)
    with _cyclic_gc_paused():
        try:
            parsed = parse_statement(
                content,
                encoding=statement.requested_encoding or None,
                fallback_encoding=settings.BRIDGE_MT940_FALLBACK_ENCODING,
            )
        except StatementRejected as exc:
            _statement_error(statement, code=exc.code, message=exc.message)
            return "unreadable"
        try:
            with transaction.atomic():
                _commit_without_waiting_for_disk()
                Statement.objects.select_for_update().get(pk=statement.pk)
                touched = _reconcile(statement, parsed.blocks)
                _statement_done(statement, encoding=parsed.encoding, blocks=parsed.blocks)
                reconcile_settle(envelope_pks=sorted(touched))
        except BankError as exc:
            _statement_error(statement, code=exc.code, message=exc.message)
            return "error"
    return "processed"


@contextmanager
def _cyclic_gc_paused():
    """A 100,000-line statement makes a million short-lived objects and no reference cycles; the cyclic collector
    would walk the growing heap again and again for nothing. Reference counting still frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _commit_without_waiting_for_disk() -> None:
    """On PostgreSQL, let this transaction's commit return before its WAL reaches the disk. A crash can lose the
    last such commit, never half of it; the statement is then claimed again and processing it is idempotent."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _statement_error(statement: Statement, *, code: str, message: str) -> None:
    Statement.objects.filter(pk=statement.pk).update(
        status=Statement.Status.ERROR,
        last_error_code=code[:60],
        last_error=message,
        lease_until=None,
        processed_at=timezone.now(),
    )
    logger.warning("statement %s not processed (%s): %s", statement.statement_id, code, message)


def _statement_done(statement: Statement, *, encoding: str, blocks: tuple[ParsedBlock, ...]) -> None:
    recorded = StatementBlock.objects.filter(statement=statement)
    Statement.objects.filter(pk=statement.pk).update(
        status=Statement.Status.PROCESSED,
        encoding=encoding,
        lease_until=None,
        last_error_code="",
        last_error="",
        processed_at=timezone.now(),
        block_count=len(blocks),
        entry_count=sum(len(block.entries) for block in blocks),
        unreadable_count=sum(len(block.unreadable) for block in blocks),
        unbalanced_block_count=recorded.filter(balance_ok=False).count(),
        repeated_block_count=recorded.filter(repeat_of__isnull=False).count(),
        remittance_count=DisbursementRecon.objects.filter(remittance_statement=statement).count(),
        reversal_count=DisbursementRecon.objects.filter(reversal_statement=statement).count(),
        review_count=ReviewItem.objects.filter(statement=statement).count(),
    )


def _tenant_scope(tenant_id: str) -> list[str]:
    """A statement uploaded in a state may name the accounts of the state's cities' programs."""
    return [tenant_id, *Tenant.objects.filter(state_id=tenant_id).values_list("code", flat=True)]


def _account_candidates(identification: str) -> list[str]:
    """:25: as banks write it: the account, or bank code / account, sometimes with spaces."""
    compact = identification.replace(" ", "")
    return list(dict.fromkeys([identification, compact, compact.rsplit("/", 1)[-1]]))


@dataclass(slots=True)
class _Line:
    block: StatementBlock
    entry: ParsedEntry
    program: BenefitProgram
    connector: SponsorBankConnector
    disbursement_id: str = ""


class _Reconciliation:
    """One statement's reconciliation: collects review rows, new recon rows and status changes, then writes them
    in bulk."""

    def __init__(self, statement: Statement):
        self.statement = statement
        self.reviews: list[ReviewItem] = []
        # Recon rows made by this statement, written with one COPY; earlier ones it reverses, updated in bulk.
        self.new_recons: dict[int, dict] = {}
        self.reversed_recons: list[DisbursementRecon] = []
        self.touched: set[int] = set()
        self.now = timezone.now()

    def review(
        self,
        block: StatementBlock,
        reason: str,
        *,
        entry: ParsedEntry | None = None,
        detail: str = "",
        reference: str = "",
        disbursement_pk: int | None = None,
        sequence: int = 0,
        text: str = "",
    ) -> None:
        self.reviews.append(
            ReviewItem(
                tenant_id=self.statement.tenant_id,
                statement=self.statement,
                block=block,
                block_position=block.position,
                entry_sequence=entry.sequence if entry else sequence,
                reason=reason,
                mark=entry.mark if entry else "",
                amount=entry.amount if entry else None,
                currency=entry.currency if entry else "",
                value_date=entry.value_date if entry else None,
                customer_reference=(entry.customer_reference if entry else "")[:40],
                bank_reference=(entry.bank_reference if entry else "")[:40],
                reference=reference[:64],
                narrative="\n".join(entry.narratives) if entry else text,
                disbursement_id=disbursement_pk,
                detail=detail,
            )
        )


def _reconcile(statement: Statement, parsed_blocks: tuple[ParsedBlock, ...]) -> set[int]:
    run = _Reconciliation(statement)
    blocks = _blocks_record(statement, parsed_blocks)
    programs = _programs_by_account(statement.tenant_id, [block.account_identification for block, _ in blocks])
    # Statements for one program are reconciled one at a time: the same payment in two files cannot race.
    list(BenefitProgram.objects.select_for_update().filter(pk__in=[p.pk for p in programs.values()]).order_by("pk"))
    connectors: dict[str, SponsorBankConnector] = {}
    lines: list[_Line] = []
    for block, parsed in blocks:
        if parsed.error:
            run.review(block, Reason.UNREADABLE_BLOCK, detail=parsed.error)
            continue
        for unreadable in parsed.unreadable:
            run.review(
                block,
                Reason.UNREADABLE_ENTRY,
                sequence=unreadable.sequence,
                text=unreadable.text,
                detail=unreadable.reason,
            )
        if block.balance_ok is False:
            run.review(
                block,
                Reason.BALANCE_MISMATCH,
                detail=f"{block.opening_balance} + {block.entries_total} ≠ {block.closing_balance}",
            )
        if block.repeat_of_id is not None:
            run.review(
                block,
                Reason.REPEATED_STATEMENT,
                detail=f"first received in statement {block.repeat_of.statement.statement_id}",
            )
            continue
        program = programs.get(block.account_identification)
        if program is None:
            run.review(
                block,
                Reason.INVALID_ACCOUNT_NUMBER,
                detail=f"no program pays from account ••••{block.account_identification[-4:]}",
            )
            continue
        if program.sponsor_bank_code not in connectors:
            connectors[program.sponsor_bank_code] = connector_for(program.sponsor_bank_code)
        connector = connectors[program.sponsor_bank_code]
        for entry in parsed.entries:
            if entry.mark in ("C", "RC"):
                run.review(
                    block,
                    Reason.UNEXPECTED_CREDIT,
                    entry=entry,
                    detail="A credit on the funding account is not a disbursement.",
                )
                continue
            line = _Line(block=block, entry=entry, program=program, connector=connector)
            line.disbursement_id = connector.retrieve_disbursement_id(
                bank_reference=entry.bank_reference,
                customer_reference=entry.customer_reference,
                narratives=entry.narratives,
            )
            lines.append(line)
    disbursements, recons = _disbursements_for(lines)
    for line in (line for line in lines if line.entry.mark == "D"):
        _remittance(run, line, disbursements, recons)
    for line in (line for line in lines if line.entry.mark == "RD"):
        _reversal(run, line, disbursements, recons)
    _write(run)
    return run.touched


def _blocks_record(statement: Statement, parsed_blocks) -> list[tuple[StatementBlock, ParsedBlock]]:
    """A StatementBlock per parsed block (kept from an earlier run of the same statement), each linked to the
    first block with the same :25:, :20: and :28C: received in another statement."""
    existing = {block.position: block for block in StatementBlock.objects.filter(statement=statement)}
    keys = {
        (p.account_identification, p.transaction_reference, p.statement_number, p.sequence_number)
        for p in parsed_blocks
        if not p.error and p.account_identification
    }
    earlier = {}
    if keys:
        candidates = (
            StatementBlock.objects.select_related("statement")
            .filter(
                tenant_id=statement.tenant_id,
                repeat_of__isnull=True,
                error="",
                account_identification__in={key[0] for key in keys},
                transaction_reference__in={key[1] for key in keys},
            )
            .exclude(statement=statement)
        )
        for block in candidates:
            key = (
                block.account_identification,
                block.transaction_reference,
                block.statement_number,
                block.sequence_number,
            )
            earlier.setdefault(key, block)
    firsts, repeats, result = [], [], []
    first_in_file: dict[tuple, StatementBlock] = {}
    for parsed in parsed_blocks:
        block = existing.get(parsed.position)
        if block is None:
            key = (
                parsed.account_identification,
                parsed.transaction_reference,
                parsed.statement_number,
                parsed.sequence_number,
            )
            block = StatementBlock(
                statement=statement,
                tenant_id=statement.tenant_id,
                position=parsed.position,
                transaction_reference=parsed.transaction_reference[:35],
                account_identification=parsed.account_identification[:50],
                statement_number=parsed.statement_number[:10],
                sequence_number=parsed.sequence_number[:10],
                currency=parsed.currency[:3],
                opening_balance=parsed.opening_balance,
                closing_balance=parsed.closing_balance,
                entries_total=parsed.entries_total,
                entry_count=len(parsed.entries),
                balance_ok=parsed.balance_ok,
                error=parsed.error,
            )
            if parsed.error or not parsed.account_identification:
                firsts.append(block)
            elif key in earlier:
                block.repeat_of = earlier[key]
                repeats.append(block)
            elif key in first_in_file:
                # The same statement twice in one file: the second copy points at the first, saved just before.
                repeats.append(block)
                block.repeat_of = first_in_file[key]
            else:
                first_in_file[key] = block
                firsts.append(block)
        result.append((block, parsed))
    StatementBlock.objects.bulk_create(firsts)
    for block in repeats:
        block.repeat_of_id = block.repeat_of.pk
    StatementBlock.objects.bulk_create(repeats)
    return result


def _programs_by_account(tenant_id: str, identifications: list[str]) -> dict[str, BenefitProgram]:
    candidates = {ident: _account_candidates(ident) for ident in set(identifications) if ident}
    numbers = {number for numbers in candidates.values() for number in numbers}
    programs = {
        program.sponsor_bank_account_number: program
        for program in BenefitProgram.objects.filter(
            sponsor_bank_account_number__in=numbers, tenant_id__in=_tenant_scope(tenant_id)
        )
    }
    found = {}
    for ident, numbers in candidates.items():
        program = next((programs[number] for number in numbers if number in programs), None)
        if program is not None:
            found[ident] = program
    return found


def _chunks(ids: list) -> list[list]:
    if connection.vendor == "postgresql":
        return [ids]
    return [ids[start : start + LOOKUP_CHUNK] for start in range(0, len(ids), LOOKUP_CHUNK)]


def _disbursements_for(lines: list[_Line]) -> tuple[dict[tuple[int, str], dict], dict[int, DisbursementRecon]]:
    """The disbursements the lines name, keyed by (program, disbursement id), and the recon rows they already
    have. One query per program on PostgreSQL (chunks of ids on SQLite)."""
    wanted: dict[int, set[str]] = {}
    programs = {}
    for line in lines:
        if line.disbursement_id:
            wanted.setdefault(line.program.pk, set()).add(line.disbursement_id)
            programs[line.program.pk] = line.program
    found, recon_pks = {}, []
    for program_pk, ids in wanted.items():
        for chunk in _chunks(sorted(ids)):
            rows = Disbursement.objects.filter(
                ids_in('"bridge_disbursement"."disbursement_id"', "disbursement_id", chunk),
                tenant_id=programs[program_pk].tenant_id,
                envelope__program_id=program_pk,
            ).values("pk", "disbursement_id", "amount", "status", "envelope_id", "bank_batch_id", "recon__id")
            for row in rows:
                found[(program_pk, row["disbursement_id"])] = row
                if row["recon__id"] is not None:
                    recon_pks.append(row["recon__id"])
    recons = {}
    for chunk in _chunks(recon_pks):
        for recon in DisbursementRecon.objects.filter(ids_in('"bridge_disbursementrecon"."id"', "pk", chunk)):
            recons[recon.disbursement_id] = recon
    return found, recons


def _matched(run: _Reconciliation, line: _Line, disbursements: dict) -> dict | None:
    entry = line.entry
    row = disbursements.get((line.program.pk, line.disbursement_id))
    if row is None:
        run.review(
            line.block,
            Reason.INVALID_DISBURSEMENT_ID,
            entry=entry,
            reference=line.disbursement_id,
            detail=f"No disbursement '{line.disbursement_id}' in program {line.program.mnemonic}.",
        )
        return None
    if entry.currency != line.program.currency:
        run.review(
            line.block,
            Reason.CURRENCY_MISMATCH,
            entry=entry,
            reference=line.disbursement_id,
            disbursement_pk=row["pk"],
            detail=f"{entry.currency}, the program pays in {line.program.currency}",
        )
        return None
    if abs(entry.amount) != row["amount"]:
        run.review(
            line.block,
            Reason.AMOUNT_MISMATCH,
            entry=entry,
            reference=line.disbursement_id,
            disbursement_pk=row["pk"],
            detail=f"the line says {abs(entry.amount)}, the disbursement {row['amount']}",
        )
        return None
    return row


def _remittance(run: _Reconciliation, line: _Line, disbursements: dict, recons: dict) -> None:
    row = _matched(run, line, disbursements)
    if row is None:
        return
    entry, statement = line.entry, run.statement
    new = run.new_recons.get(row["pk"])
    recon = recons.get(row["pk"])
    if new is not None or recon is not None:
        same_line = recon is not None and (
            recon.remittance_statement_id == statement.pk and recon.remittance_entry_sequence == entry.sequence
        )
        if not same_line:
            run.review(
                line.block,
                Reason.DUPLICATE_DISBURSEMENT,
                entry=entry,
                reference=line.disbursement_id,
                disbursement_pk=row["pk"],
                detail="This payment is already on a statement.",
            )
        return
    if row["status"] not in SHIPPED_STATUSES:
        run.review(
            line.block,
            Reason.NOT_SHIPPED,
            entry=entry,
            reference=line.disbursement_id,
            disbursement_pk=row["pk"],
            detail=f"The disbursement is {row['status']}, never sent to the bank.",
        )
        return
    run.new_recons[row["pk"]] = {
        "disbursement_id": row["pk"],
        "envelope_id": row["envelope_id"],
        "bank_batch_id": row["bank_batch_id"],
        "beneficiary_name_from_bank": line.connector.retrieve_beneficiary_name(narratives=entry.narratives)[:140],
        "remittance_reference_number": entry.bank_reference[:35],
        "remittance_statement_id": statement.pk,
        "remittance_statement_number": line.block.statement_number,
        "remittance_statement_sequence": line.block.sequence_number,
        "remittance_entry_sequence": entry.sequence,
        "remittance_entry_date": entry.entry_date,
        "remittance_value_date": entry.value_date,
        "remittance_amount": abs(entry.amount),
        "reversal_found": False,
        "reversal_statement_id": None,
        "reversal_statement_number": "",
        "reversal_statement_sequence": "",
        "reversal_entry_sequence": None,
        "reversal_entry_date": None,
        "reversal_value_date": None,
        "reversal_reason": "",
        "reversal_amount": None,
        "created_at": run.now,
    }
    run.touched.add(row["envelope_id"])


def _reversal(run: _Reconciliation, line: _Line, disbursements: dict, recons: dict) -> None:
    row = _matched(run, line, disbursements)
    if row is None:
        return
    entry, statement = line.entry, run.statement
    new = run.new_recons.get(row["pk"])
    recon = recons.get(row["pk"])
    if new is None and recon is None:
        run.review(
            line.block,
            Reason.INVALID_REVERSAL,
            entry=entry,
            reference=line.disbursement_id,
            disbursement_pk=row["pk"],
            detail="No remittance of this payment has been seen to reverse.",
        )
        return
    reversal = {
        "reversal_found": True,
        "reversal_statement_id": statement.pk,
        "reversal_statement_number": line.block.statement_number,
        "reversal_statement_sequence": line.block.sequence_number,
        "reversal_entry_sequence": entry.sequence,
        "reversal_entry_date": entry.entry_date,
        "reversal_value_date": entry.value_date,
        "reversal_reason": line.connector.retrieve_reversal_reason(narratives=entry.narratives)[:255],
        "reversal_amount": abs(entry.amount),
    }
    if new is not None:
        if new["reversal_found"]:
            run.review(
                line.block,
                Reason.DUPLICATE_REVERSAL,
                entry=entry,
                reference=line.disbursement_id,
                disbursement_pk=row["pk"],
                detail="This payment is already reversed on a statement.",
            )
            return
        new.update(reversal)
    else:
        if recon.reversal_found:
            if recon.reversal_statement_id != statement.pk or recon.reversal_entry_sequence != entry.sequence:
                run.review(
                    line.block,
                    Reason.DUPLICATE_REVERSAL,
                    entry=entry,
                    reference=line.disbursement_id,
                    disbursement_pk=row["pk"],
                    detail="This payment is already reversed on a statement.",
                )
            return
        for field, value in reversal.items():
            setattr(recon, field, value)
        run.reversed_recons.append(recon)
    run.touched.add(row["envelope_id"])


_REVERSAL_FIELDS = [
    "reversal_found",
    "reversal_statement",
    "reversal_statement_number",
    "reversal_statement_sequence",
    "reversal_entry_sequence",
    "reversal_entry_date",
    "reversal_value_date",
    "reversal_reason",
    "reversal_amount",
]


_RECON_FIELDS = (
    "disbursement_id",
    "envelope_id",
    "bank_batch_id",
    "beneficiary_name_from_bank",
    "remittance_reference_number",
    "remittance_statement_id",
    "remittance_statement_number",
    "remittance_statement_sequence",
    "remittance_entry_sequence",
    "remittance_entry_date",
    "remittance_value_date",
    "remittance_amount",
    "reversal_found",
    "reversal_statement_id",
    "reversal_statement_number",
    "reversal_statement_sequence",
    "reversal_entry_sequence",
    "reversal_entry_date",
    "reversal_value_date",
    "reversal_reason",
    "reversal_amount",
    "created_at",
)


def _write(run: _Reconciliation) -> None:
    """Everything the statement settled, in a few set-based statements: status changes follow the recon rows."""
    now = run.now
    ReviewItem.objects.bulk_create(run.reviews, batch_size=2000, ignore_conflicts=True)
    rows_insert(
        DisbursementRecon,
        _RECON_FIELDS,
        map(itemgetter(*_RECON_FIELDS), run.new_recons.values()),
    )
    DisbursementRecon.objects.bulk_update(run.reversed_recons, _REVERSAL_FIELDS, batch_size=1000)
    # A payment this statement also reverses goes straight to REVERSED: each row is written once, found by its key.
    paid = [pk for pk, recon in run.new_recons.items() if not recon["reversal_found"]]
    reversed_by_reason: dict[str, list[int]] = {}
    for pk, recon in run.new_recons.items():
        if recon["reversal_found"]:
            reversed_by_reason.setdefault(recon["reversal_reason"], []).append(pk)
    for recon in run.reversed_recons:
        reversed_by_reason.setdefault(recon.reversal_reason, []).append(recon.disbursement_id)
    for chunk in _chunks(paid):
        Disbursement.objects.filter(
            ids_in('"bridge_disbursement"."id"', "pk", chunk), status=Disbursement.Status.SHIPPED
        ).update(status=Disbursement.Status.PAID, status_changed_at=now)
    for reason, pks in reversed_by_reason.items():
        for chunk in _chunks(pks):
            Disbursement.objects.filter(
                ids_in('"bridge_disbursement"."id"', "pk", chunk),
                status__in=[Disbursement.Status.SHIPPED, Disbursement.Status.PAID],
            ).update(
                status=Disbursement.Status.REVERSED,
                failure_code=(reason or "REVERSED")[:60],
                failure_reason=f"Returned by the bank: {reason or 'no reason given'}"[:255],
                status_changed_at=now,
            )


# --- Review ---------------------------------------------------------------------------------


@transaction.atomic
def review_item_close(*, item: ReviewItem, status: str, note: str, actor) -> ReviewItem:
    """Resolve (a note saying how is required) or ignore an open review row."""
    locked = ReviewItem.objects.select_for_update().get(pk=item.pk)
    if locked.status != ReviewItem.Status.OPEN:
        raise ApplicationError("REVIEW_ITEM_CLOSED", f"This line is already {locked.get_status_display().lower()}.")
    if status not in (ReviewItem.Status.RESOLVED, ReviewItem.Status.IGNORED):
        raise ApplicationError("INVALID_ACTION", "Resolve or ignore.")
    if status == ReviewItem.Status.RESOLVED and not note.strip():
        raise ApplicationError("NOTE_REQUIRED", "note: say how the line was resolved", field="note")
    locked.status, locked.resolution_note = status, note.strip()
    locked.resolved_by, locked.resolved_at = actor, timezone.now()
    locked.save(update_fields=["status", "resolution_note", "resolved_by", "resolved_at"])
    audit_record(
        actor=actor, entity=locked, action="review_close", from_state="OPEN", to_state=status, reason=note.strip()
    )
    return locked
