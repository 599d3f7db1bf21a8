"""The check every payment and cancellation test makes: the city's books balance."""

from core.money import ZERO
from ledger.selectors import trial_balance


def assert_ledger_balances(tenant_id: str = "pb.amritsar") -> None:
    rows = trial_balance(tenant_id=tenant_id)
    debit = sum((row.debit for row in rows), ZERO)
    credit = sum((row.credit for row in rows), ZERO)
    assert debit == credit, f"trial balance: Σdebit {debit} ≠ Σcredit {credit}"
