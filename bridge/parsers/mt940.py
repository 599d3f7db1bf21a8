"""MT940 statements: bytes in, dataclasses out. Pure: no ORM, no settings.

Built on `mt940.parse_statements`' rules (one block per `:20:`) with the options that make the library correct
(`reversal_sign`: an RC line is negative; `merge_keeps_values`; `unbounded_details`; `strip_bom`), decoding done
here explicitly (the library would silently read any non-UTF-8 file as cp852), and two safety nets:

- a `:61:` line that cannot be read becomes an `UnreadableEntry` in its place instead of failing the file;
- a block that cannot be read at all (a bad balance date, a malformed `:28C:`) is kept with its error, and the
  other blocks still count. Only a file with no readable block at all is refused."""

import codecs
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

import mt940
from mt940.models import Transactions

OPTIONS = mt940.Options(reversal_sign=True, merge_keeps_values=True, unbounded_details=True, strip_bom=True)
MARKS = frozenset({"C", "D", "RC", "RD"})
_BLOCK_START = re.compile(r"(?m)^(?=:20:)")
_TAG_20 = re.compile(r"(?m)^:20:")
_BALANCE_OR_ENTRY = re.compile(r"(?m)^:(60[FM]?|61|62[FM]?):")
_UNREADABLE = "kosh_unreadable"
_RAW = "kosh_raw"


class StatementRejected(Exception):
    """The file is not a statement Kosh can read, with a reason a person can act on."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    # 1-based position of the `:61:` line among the file's `:61:` lines (what the anchor calls entry_sequence).
    sequence: int
    mark: str
    # Signed as it moves the balance: D and RC negative, C and RD positive.
    amount: Decimal
    currency: str
    value_date: date
    entry_date: date | None
    transaction_type: str
    customer_reference: str
    bank_reference: str
    extra_details: str
    narratives: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UnreadableEntry:
    sequence: int
    text: str
    reason: str


@dataclass(frozen=True)
class ParsedBlock:
    position: int
    transaction_reference: str
    account_identification: str
    statement_number: str
    sequence_number: str
    currency: str
    opening_balance: Decimal | None
    closing_balance: Decimal | None
    entries: tuple[ParsedEntry, ...] = ()
    unreadable: tuple[UnreadableEntry, ...] = ()
    # Set when the block as a whole could not be read; it then has no entries.
    error: str = ""

    @property
    def entries_total(self) -> Decimal:
        return sum((entry.amount for entry in self.entries), Decimal("0.00"))

    @property
    def balance_ok(self) -> bool | None:
        """Opening balance + entries = closing balance; None when either balance is missing."""
        if self.opening_balance is None or self.closing_balance is None or self.error:
            return None
        return self.opening_balance + self.entries_total == self.closing_balance


@dataclass(frozen=True)
class ParsedStatement:
    encoding: str
    blocks: tuple[ParsedBlock, ...] = field(default_factory=tuple)

    @property
    def entry_count(self) -> int:
        return sum(len(block.entries) for block in self.blocks)

    @property
    def unreadable_count(self) -> int:
        return sum(len(block.unreadable) for block in self.blocks)


class Statement(mt940.tags.Statement):
    """`:61:` that never raises: a line matching neither the SWIFT layout nor the wide-reference one some banks
    use (an IBAN of up to 34 characters as customer reference) comes back marked unreadable, in its place.

    Named exactly `Statement`: the library derives the tag's processor slug from the class name, and the
    `:61:` processors (30 February fix-up, `:20:` copied to each entry) are keyed `statement`."""

    _WIDE = re.compile(
        mt940.tags.StatementASNB.pattern.replace("(?P<status>[A-Z]?[DC])", "(?P<status>R?[DC])"),
        mt940.tags.Statement.RE_FLAGS,
    )

    def parse(self, transactions, value):
        match = self.re.match(value) or self._WIDE.match(value)
        if match is None:
            return {"year": "", "month": "", "day": "", _UNREADABLE: "not a :61: statement line", _RAW: value}
        return match.groupdict()

    def __call__(self, transactions, value):
        if _UNREADABLE in value:
            return {"id": "?", _UNREADABLE: value[_UNREADABLE], _RAW: value[_RAW]}
        try:
            return super().__call__(transactions, value)
        except (ValueError, InvalidOperation, TypeError) as exc:
            raw = "".join(str(value.get(key) or "") for key in ("year", "month", "day", "status", "amount"))
            return {"id": "?", _UNREADABLE: f"unreadable date or amount ({exc})", _RAW: raw}


_TAGS = {61: Statement()}


def decode(data: bytes, *, encoding: str | None = None, fallback_encoding: str = "cp1252") -> tuple[str, str]:
    """The text and the encoding it was read with: `encoding` when given (strictly), else UTF-8 (BOM dropped),
    else `fallback_encoding`, else latin-1 (which reads every byte)."""
    if encoding:
        if len(encoding) > 20:
            raise StatementRejected("UNKNOWN_ENCODING", "an encoding name has at most 20 characters")
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise StatementRejected("UNKNOWN_ENCODING", f"'{encoding}' is not a known encoding") from None
        try:
            return data.decode(encoding).removeprefix("\ufeff"), codecs.lookup(encoding).name
        except LookupError:
            # Codecs such as rot13 or zlib exist but do not turn bytes into text.
            raise StatementRejected("UNKNOWN_ENCODING", f"'{encoding}' is not a text encoding") from None
        except UnicodeDecodeError as exc:
            raise StatementRejected(
                "UNDECODABLE", f"the file is not valid {encoding} (byte {exc.start}: {data[exc.start : exc.end]!r})"
            ) from None
    for candidate in ("utf-8", fallback_encoding, "latin-1"):
        try:
            return data.decode(candidate).removeprefix("\ufeff"), codecs.lookup(candidate).name
        except (UnicodeDecodeError, LookupError):
            continue
    raise AssertionError("latin-1 decodes every byte")


def sniff(text: str) -> None:
    """Refuse what is plainly not an MT940 statement, before anything is stored."""
    if not text.strip():
        raise StatementRejected("EMPTY_FILE", "the file is empty")
    if "\x00" in text:
        raise StatementRejected("NOT_MT940", "the file is binary, not an MT940 text statement")
    if not _TAG_20.search(text):
        raise StatementRejected("NOT_MT940", "no statement block: no line starts with the :20: tag")
    if not _BALANCE_OR_ENTRY.search(text):
        raise StatementRejected("NOT_MT940", "no balance (:60F:/:62F:) or entry (:61:) line")


def parse_statement(data: bytes, *, encoding: str | None = None, fallback_encoding: str = "cp1252") -> ParsedStatement:
    """Parse a statement file. Raises StatementRejected when the file holds no readable statement block."""
    text, used = decode(data, encoding=encoding, fallback_encoding=fallback_encoding)
    sniff(text)
    blocks: list[ParsedBlock] = []
    sequence = 0
    for chunk in _BLOCK_START.split(text):
        if not chunk.strip().startswith(":20:"):
            continue
        block, sequence = _parse_block(chunk, position=len(blocks) + 1, sequence=sequence)
        blocks.append(block)
    if not blocks:
        raise StatementRejected("NOT_MT940", "no statement block: no line starts with the :20: tag")
    if all(block.error for block in blocks):
        raise StatementRejected("UNREADABLE_STATEMENT", f"no block could be read; block 1: {blocks[0].error}")
    return ParsedStatement(encoding=used, blocks=tuple(blocks))


def _parse_block(chunk: str, *, position: int, sequence: int) -> tuple[ParsedBlock, int]:
    transactions = Transactions(tags=_TAGS, options=OPTIONS)
    try:
        transactions.parse(chunk)
    except (RuntimeError, ValueError, InvalidOperation, KeyError, TypeError, AttributeError) as exc:
        lines_in_block = len(re.findall(r"(?m)^:61:", chunk))
        reference = chunk.strip().splitlines()[0][4:].strip()
        error = _error_text(exc)
        return (
            ParsedBlock(
                position=position,
                transaction_reference=reference[:35],
                account_identification="",
                statement_number="",
                sequence_number="",
                currency="",
                opening_balance=None,
                closing_balance=None,
                error=error,
            ),
            sequence + lines_in_block,
        )
    data = transactions.data
    currency = transactions.currency or ""
    entries, unreadable = [], []
    for transaction in transactions:
        sequence += 1
        entry = transaction.data
        if _UNREADABLE in entry:
            unreadable.append(UnreadableEntry(sequence=sequence, text=entry[_RAW], reason=entry[_UNREADABLE]))
            continue
        entries.append(_entry(entry, sequence, currency))
    opening = data.get("final_opening_balance") or data.get("opening_balance")
    opening = opening or data.get("intermediate_opening_balance")
    closing = data.get("final_closing_balance") or data.get("closing_balance")
    closing = closing or data.get("intermediate_closing_balance")
    block = ParsedBlock(
        position=position,
        transaction_reference=str(data.get("transaction_reference") or "").strip(),
        account_identification=str(data.get("account_identification") or "").strip(),
        statement_number=str(data.get("statement_number") or "").strip(),
        sequence_number=str(data.get("sequence_number") or "").strip(),
        currency=currency,
        opening_balance=opening.amount.amount if opening is not None else None,
        closing_balance=closing.amount.amount if closing is not None else None,
        entries=tuple(entries),
        unreadable=tuple(unreadable),
    )
    return block, sequence


def _entry(data: dict, sequence: int, currency: str) -> ParsedEntry:
    details = data.get("transaction_details")
    if details is None:
        # A structured German :86: is split by the library into named parts; keep them as lines.
        parts = ("posting_text", "purpose", "applicant_name", "applicant_iban", "additional_purpose")
        narratives = tuple(str(data[key]) for key in parts if data.get(key))
    else:
        # The library strips each :86: line and drops empty ones before joining them with newlines.
        narratives = tuple(str(details).split("\n")) if details else ()
    return ParsedEntry(
        sequence=sequence,
        mark=data["status"],
        amount=data["amount"].amount,
        currency=data["amount"].currency or currency,
        value_date=data["date"],
        entry_date=data.get("entry_date"),
        transaction_type=str(data.get("id") or ""),
        customer_reference=str(data.get("customer_reference") or "").strip(),
        bank_reference=str(data.get("bank_reference") or "").strip(),
        extra_details=str(data.get("extra_details") or "").strip(),
        narratives=narratives,
    )


def _error_text(exc: Exception) -> str:
    if isinstance(exc, RuntimeError) and len(exc.args) >= 3:
        return f"{type(exc.args[1]).__name__} tag unreadable: {str(exc.args[2])[:80]!r}"
    return f"{type(exc).__name__}: {str(exc)[:200]}"
