"""Write an MT940 statement the way a sponsor bank's host-to-host export does. Pure: data in, text out.

One statement is split into pages (one `:20:` block each) of at most `entries_per_page` lines: the first page
opens with `:60F:`, later ones with `:60M:`; the last closes with `:62F:`, earlier ones with `:62M:`; `:28C:`
carries statement number / page."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

NARRATIVE_LINE_LENGTH = 65
NARRATIVE_LINES = 6
# A continuation line must never look like a tag (":61:") or the end of a message ("-").
_LEADING_TAG_LIKE = re.compile(r"^[:\-\s]+")


@dataclass(frozen=True)
class StatementLine:
    mark: str  # D, C, RD
    amount: Decimal  # positive
    value_date: date
    entry_date: date
    customer_reference: str
    bank_reference: str
    # Up to six lines of 65 characters; the simulator writes them keyed ("/DISB/<id>") so order never matters.
    narratives: tuple[str, ...]

    def signed(self) -> Decimal:
        return -self.amount if self.mark in ("D", "RC") else self.amount


def _amount(value: Decimal) -> str:
    return f"{abs(value):.2f}".replace(".", ",")


def _balance(tag: str, value: Decimal, on: date, currency: str) -> str:
    mark = "D" if value < 0 else "C"
    return f":{tag}:{mark}{on:%y%m%d}{currency}{_amount(value)}"


def _narrative_line(text: str) -> str:
    flat = " ".join(str(text).split())
    return _LEADING_TAG_LIKE.sub("", flat)[:NARRATIVE_LINE_LENGTH]


def _reference(text: str, length: int = 16) -> str:
    # "//" separates the customer from the bank reference, so a lone "/" is the most a reference may hold.
    return str(text).replace("/", "-").replace("\n", " ")[:length]


def write_statement(
    *,
    reference: str,
    account_number: str,
    currency: str,
    statement_number: int,
    opening_balance: Decimal,
    opening_date: date,
    closing_date: date,
    lines: list[StatementLine],
    entries_per_page: int = 1000,
) -> str:
    """The statement's text, pages joined, each page ending with the `-` line."""
    pages = [lines[start : start + entries_per_page] for start in range(0, len(lines), entries_per_page)] or [[]]
    out: list[str] = []
    balance = opening_balance
    for number, page in enumerate(pages, start=1):
        first, last = number == 1, number == len(pages)
        out.append(f":20:{_reference(reference)}")
        out.append(f":25:{account_number}")
        out.append(f":28C:{statement_number}/{number}")
        out.append(_balance("60F" if first else "60M", balance, opening_date, currency))
        for line in page:
            out.append(
                f":61:{line.value_date:%y%m%d}{line.entry_date:%m%d}{line.mark}{_amount(line.amount)}"
                f"NTRF{_reference(line.customer_reference)}//{_reference(line.bank_reference)}"
            )
            # Parsers drop empty continuation lines, so only non-empty ones are written.
            narratives = [_narrative_line(text) for text in line.narratives[:NARRATIVE_LINES]]
            out.append(":86:" + "\n".join(text for text in narratives if text))
            balance += line.signed()
        out.append(_balance("62F" if last else "62M", balance, closing_date, currency))
        out.append("-")
    return "\r\n".join(out) + "\r\n"
