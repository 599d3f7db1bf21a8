"""What the simulated sponsor bank does when called: check and block funds, book payments once per idempotency
key (returning a configurable share of them with a reason), and write MT940 statements of what it booked."""

import hashlib
import json
import logging
import secrets
import uuid
from dataclasses import dataclass
from decimal import Decimal

import requests
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from simulators.bank.models import SimAccount, SimFundBlock, SimLedgerEntry, SimPaymentBatch, SimStatement
from simulators.bank.mt940_writer import StatementLine, write_statement

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
RETURN_REASONS = ("ACCOUNT_CLOSED", "ACCOUNT_NOT_FOUND", "ACCOUNT_DORMANT", "ACCOUNT_DECEASED")
# The `:86:` lines the bank writes for a payment, each "/KEY/value", so readers never depend on line order.
NARRATIVE_KEYS = ("NARR", "PROG", "CYCL", "BENM", "DISB", "RTRN")


class BankError(Exception):
    """A refusal the bank answers with HTTP 4xx and this code."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class PaymentItem:
    disbursement_id: str
    amount: Decimal
    beneficiary_account: str
    beneficiary_name: str
    narrative: str
    program: str
    cycle: str


def account_masked(number: str) -> str:
    return f"••••{number[-4:]}"


@transaction.atomic
def account_open(
    *,
    account_number: str,
    holder_name: str,
    currency: str = "INR",
    balance: Decimal = ZERO,
    payment_failure_share: Decimal = ZERO,
) -> SimAccount:
    """Open an account, or reset an existing one's failure share. The balance is set only when it is opened."""
    account, created = SimAccount.objects.select_for_update().get_or_create(
        account_number=account_number,
        defaults={
            "holder_name": holder_name,
            "currency": currency,
            "balance": balance,
            "payment_failure_share": payment_failure_share,
        },
    )
    if not created and account.payment_failure_share != payment_failure_share:
        account.payment_failure_share = payment_failure_share
        account.save(update_fields=["payment_failure_share"])
    return account


def _account(account_number: str, *, lock: bool = False) -> SimAccount:
    accounts = SimAccount.objects.select_for_update() if lock else SimAccount.objects
    account = accounts.filter(account_number=account_number).first()
    if account is None:
        raise BankError("ACCOUNT_NOT_FOUND", f"No account {account_masked(account_number)}", status=404)
    return account


def account_available(account: SimAccount) -> Decimal:
    """Ledger balance less what active blocks still hold."""
    held = account.blocks.filter(status=SimFundBlock.Status.ACTIVE).aggregate(held=Sum(F("amount") - F("used_amount")))[
        "held"
    ]
    return account.balance - (held or ZERO)


def funds_check(*, account_number: str, currency: str, amount: Decimal) -> dict:
    account = _account(account_number)
    if currency != account.currency:
        raise BankError("CURRENCY_MISMATCH", f"The account is held in {account.currency}")
    available = account_available(account)
    return {
        "status": "SUCCESS",
        "account_number": account.account_number,
        "has_sufficient_funds": available >= amount,
        "available_balance": str(available),
    }


@transaction.atomic
def funds_block(*, account_number: str, currency: str, amount: Decimal, idempotency_key: str) -> SimFundBlock:
    """Hold `amount` for later payments. A repeated key returns the block it made the first time."""
    existing = SimFundBlock.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    account = _account(account_number, lock=True)
    if currency != account.currency:
        raise BankError("CURRENCY_MISMATCH", f"The account is held in {account.currency}")
    if amount <= 0:
        raise BankError("INVALID_AMOUNT", "A block must be for more than zero")
    if account_available(account) < amount:
        raise BankError("INSUFFICIENT_FUNDS", "The account cannot cover the block")
    return SimFundBlock.objects.create(
        reference=str(uuid.uuid4()), account=account, amount=amount, idempotency_key=idempotency_key
    )


@transaction.atomic
def funds_release(*, block_reference: str) -> tuple[SimFundBlock, Decimal]:
    """Release what a block still holds. Releasing a released block releases nothing more."""
    block = SimFundBlock.objects.select_for_update().filter(reference=block_reference).first()
    if block is None:
        raise BankError("BLOCK_NOT_FOUND", "No such fund block", status=404)
    if block.status == SimFundBlock.Status.RELEASED:
        return block, ZERO
    released = block.amount - block.used_amount
    block.status, block.released_at = SimFundBlock.Status.RELEASED, timezone.now()
    block.save(update_fields=["status", "released_at"])
    return block, released


def payment_digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _returned_reason(account: SimAccount, disbursement_id: str) -> str | None:
    """Whether the beneficiary's bank returns this payment: decided by a hash, so the same payment always
    gets the same fate and about `payment_failure_share` of payments are returned."""
    if account.payment_failure_share <= 0:
        return None
    digest = hashlib.sha256(f"{account.account_number}:{disbursement_id}".encode()).digest()
    draw = Decimal(int.from_bytes(digest[:8], "big")) / Decimal(2**64)
    if draw >= account.payment_failure_share:
        return None
    return RETURN_REASONS[digest[8] % len(RETURN_REASONS)]


def _narratives(item: PaymentItem, reason: str) -> list[str]:
    values = (item.narrative, item.program, item.cycle, item.beneficiary_name, item.disbursement_id, reason)
    return [f"/{key}/{value}" for key, value in zip(NARRATIVE_KEYS, values, strict=True)]


def payment_batch_book(
    *, account_number: str, currency: str, block_reference: str, items: list[PaymentItem], idempotency_key: str
) -> tuple[dict, bool]:
    """Book a batch of payments exactly once per idempotency key. Returns (answer, replayed).

    The key's row is inserted first, in the booking's transaction: a concurrent repeat waits on the UNIQUE
    index and then reads the first answer; a repeat with a different request is refused."""
    digest = payment_digest(
        {"account": account_number, "currency": currency, "block": block_reference, "items": [vars(i) for i in items]}
    )
    existing = SimPaymentBatch.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _replay(existing, digest), True
    try:
        with transaction.atomic():
            return _book(account_number, currency, block_reference, items, idempotency_key, digest), False
    except IntegrityError:
        existing = SimPaymentBatch.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _replay(existing, digest), True


def _replay(batch: SimPaymentBatch, digest: str) -> dict:
    if batch.request_digest != digest:
        raise BankError("IDEMPOTENCY_KEY_REUSED", "This idempotency key was used for a different batch", status=409)
    return batch.response


def _book(account_number, currency, block_reference, items, idempotency_key, digest) -> dict:
    account = _account(account_number, lock=True)
    block = SimFundBlock.objects.select_for_update().filter(reference=block_reference, account=account).first()
    if block is None or block.status != SimFundBlock.Status.ACTIVE:
        raise BankError("BLOCK_NOT_FOUND", "No active fund block with that reference on this account")
    if currency != account.currency:
        raise BankError("CURRENCY_MISMATCH", f"The account is held in {account.currency}")
    accepted, results = [], []
    for item in items:
        if not item.beneficiary_account.strip():
            results.append({"disbursement_id": item.disbursement_id, "status": "REJECTED", "error_code": "NO_ACCOUNT"})
            continue
        accepted.append(item)
        results.append({"disbursement_id": item.disbursement_id, "status": "ACCEPTED", "error_code": ""})
    total = sum((item.amount for item in accepted), ZERO)
    if total > block.amount - block.used_amount:
        raise BankError("INSUFFICIENT_BLOCKED_FUNDS", "The batch is larger than what the block still holds")
    batch = SimPaymentBatch.objects.create(
        idempotency_key=idempotency_key,
        request_digest=digest,
        reference=f"SB{secrets.token_hex(7).upper()}",
        account=account,
        block=block,
        item_count=len(items),
        total_amount=total,
        response={},
    )
    today, now = timezone.localdate(), timezone.now()
    entries, returned_total = [], ZERO
    for number, item in enumerate(accepted, start=1):
        reason = _returned_reason(account, item.disbursement_id)
        bank_reference = f"{batch.reference[:10]}{number:06d}"
        common = (account.pk, item.amount, today, item.disbursement_id[:16])
        entries.append(
            (*common, SimLedgerEntry.Mark.DEBIT, bank_reference, _narratives(item, ""), item.disbursement_id)
        )
        if reason:
            returned_total += item.amount
            entries.append(
                (
                    *common,
                    SimLedgerEntry.Mark.REVERSED_DEBIT,
                    f"R{bank_reference[1:]}",
                    _narratives(item, reason),
                    item.disbursement_id,
                )
            )
    _entries_insert(entries, batch_pk=batch.pk, now=now)
    SimAccount.objects.filter(pk=account.pk).update(balance=F("balance") - total + returned_total)
    SimFundBlock.objects.filter(pk=block.pk).update(used_amount=F("used_amount") + total)
    batch.response = {
        "status": "SUCCESS",
        "batch_reference": batch.reference,
        "accepted_count": len(accepted),
        "accepted_amount": str(total),
        "items": results,
    }
    batch.save(update_fields=["response"])
    return batch.response


_ENTRY_FIELDS = (
    "account_id",
    "amount",
    "value_date",
    "customer_reference",
    "mark",
    "bank_reference",
    "narratives",
    "disbursement_id",
    "batch_id",
    "created_at",
)


def _entries_insert(entries: list[tuple], *, batch_pk: int, now) -> None:
    """Ledger entries in bulk: COPY on PostgreSQL (a bank books thousands a second), bulk_create elsewhere."""
    rows = [(*entry, batch_pk, now) for entry in entries]
    if connection.vendor != "postgresql":
        SimLedgerEntry.objects.bulk_create(
            [SimLedgerEntry(**dict(zip(_ENTRY_FIELDS, row, strict=True))) for row in rows], batch_size=500
        )
        return
    columns = ", ".join(_ENTRY_FIELDS)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {SimLedgerEntry._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row((*row[:6], json.dumps(row[6]), *row[7:]))


def payment_batch_status(*, idempotency_key: str) -> dict | None:
    batch = SimPaymentBatch.objects.filter(idempotency_key=idempotency_key).first()
    return batch.response if batch is not None else None


@transaction.atomic
def statement_generate(*, account_number: str) -> SimStatement | None:
    """An MT940 statement of every entry not yet reported, or None when there is none."""
    account = _account(account_number, lock=True)
    unreported = SimLedgerEntry.objects.filter(account=account, statement__isnull=True).order_by("id")
    rows = list(
        unreported.values_list(
            "id", "mark", "amount", "value_date", "created_at", "customer_reference", "bank_reference", "narratives"
        ).iterator(chunk_size=5000)
    )
    if not rows:
        return None
    lines = [
        StatementLine(
            mark=mark,
            amount=amount,
            value_date=value_date,
            entry_date=timezone.localdate(created_at),
            customer_reference=customer_reference,
            bank_reference=bank_reference,
            narratives=tuple(narratives),
        )
        for _id, mark, amount, value_date, created_at, customer_reference, bank_reference, narratives in rows
    ]
    movement = sum((line.signed() for line in lines), ZERO)
    opening = account.balance - movement
    account.statement_count += 1
    account.save(update_fields=["statement_count"])
    reference = f"ST{account.account_number[-6:]}{account.statement_count:08d}"
    today = timezone.localdate()
    content = write_statement(
        reference=reference,
        account_number=account.account_number,
        currency=account.currency,
        statement_number=account.statement_count,
        opening_balance=opening,
        opening_date=min(line.value_date for line in lines),
        closing_date=today,
        lines=lines,
        entries_per_page=settings.SIMULATOR_BANK_STATEMENT_PAGE_ENTRIES,
    )
    statement = SimStatement.objects.create(
        account=account,
        reference=reference,
        number=account.statement_count,
        opening_balance=opening,
        closing_balance=account.balance,
        entry_count=len(lines),
        content=content,
    )
    ids = [row[0] for row in rows]
    for start in range(0, len(ids), 5000):
        SimLedgerEntry.objects.filter(id__in=ids[start : start + 5000]).update(statement=statement)
    return statement


def statement_deliver(*, statement: SimStatement) -> bool:
    """POST the statement to the configured `/upload_mt940` as `statement_file`, with the bank's client token."""
    url, token = settings.SIMULATOR_BANK_STATEMENT_CALLBACK_URL, settings.SIMULATOR_BANK_STATEMENT_CALLBACK_TOKEN
    if not url:
        return False
    try:
        response = requests.post(
            url,
            files={"statement_file": (f"{statement.reference}.sta", statement.content.encode(), "text/plain")},
            headers={"Authorization": f"Bearer {token}"},
            timeout=settings.SIMULATOR_BANK_CALLBACK_TIMEOUT_SECONDS,
        )
        response.raise_for_status()
        status = response.json().get("header", {}).get("status")
        error = "" if status == "succ" else f"refused: {response.text[:500]}"
    except (requests.RequestException, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    SimStatement.objects.filter(pk=statement.pk).update(
        delivered_at=None if error else timezone.now(), delivery_error=error
    )
    if error:
        logger.warning("statement %s not delivered: %s", statement.reference, error)
    return not error


def statements_generate_and_deliver() -> int:
    """For every account with unreported entries: write its statement and post it back. Returns how many."""
    accounts = SimLedgerEntry.objects.filter(statement__isnull=True).values_list("account__account_number", flat=True)
    delivered = 0
    for account_number in sorted(set(accounts)):
        statement = statement_generate(account_number=account_number)
        if statement is not None and statement_deliver(statement=statement):
            delivered += 1
    undelivered = SimStatement.objects.filter(Q(delivered_at__isnull=True) & ~Q(delivery_error=""))
    for statement in undelivered.order_by("id")[:20]:
        delivered += statement_deliver(statement=statement)
    return delivered
