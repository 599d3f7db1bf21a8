"""Statements for tests, written the way the simulator bank writes them (keyed `:86:` narratives)."""

from datetime import date
from decimal import Decimal

from simulators.bank.mt940_writer import StatementLine, write_statement
from simulators.bank.services import NARRATIVE_KEYS

TODAY = date(2026, 11, 20)


def line(mark: str, disbursement_id: str, amount, *, reason: str = "", bank_reference: str = "SB1") -> StatementLine:
    values = ("Old age pension", "OAP", "2026-11", "Beneficiary", disbursement_id, reason)
    return StatementLine(
        mark=mark,
        amount=Decimal(amount),
        value_date=TODAY,
        entry_date=TODAY,
        customer_reference=disbursement_id[:16],
        bank_reference=bank_reference,
        narratives=tuple(f"/{key}/{value}" for key, value in zip(NARRATIVE_KEYS, values, strict=True)),
    )


def statement(
    lines,
    *,
    account: str = "500000000001",
    reference: str = "ST-1",
    number: int = 1,
    opening=Decimal("100000.00"),
    closing=None,
) -> bytes:
    text = write_statement(
        reference=reference,
        account_number=account,
        currency="INR",
        statement_number=number,
        opening_balance=Decimal(opening),
        opening_date=TODAY,
        closing_date=TODAY,
        lines=list(lines),
    )
    if closing is not None:
        head, _old = text.rsplit(":62F:", 1)
        text = head + f":62F:C{TODAY:%y%m%d}INR{Decimal(closing):.2f}".replace(".", ",") + "\r\n-\r\n"
    return text.encode()
