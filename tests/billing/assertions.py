"""The one check every billing test that produces a bill makes: its total is the sum of its details, and each
detail's amount the sum of its account details. Takes a Bill row or a bill as the API writes it."""

from decimal import Decimal

from billing.models import Bill


def assert_bill_totals_consistent(bill) -> None:
    if isinstance(bill, Bill):
        total = bill.total_amount
        details = [
            (detail.amount, [account.amount for account in detail.account_details.all()])
            for detail in bill.details.all()
        ]
    else:
        total = _amount(bill["totalAmount"])
        details = [
            (_amount(detail["amount"]), [_amount(account["amount"]) for account in detail["billAccountDetails"]])
            for detail in bill["billDetails"]
        ]
    assert details, "a bill has at least one detail"
    assert total == sum((amount for amount, _ in details), Decimal(0)), "bill total ≠ Σ bill detail amounts"
    for amount, accounts in details:
        assert accounts, "a bill detail has at least one account detail"
        assert amount == sum(accounts, Decimal(0)), "bill detail amount ≠ Σ its account details"
    assert total == sum((sum(accounts, Decimal(0)) for _, accounts in details), Decimal(0))


def _amount(value) -> Decimal:
    # JSON numbers arrive as floats in the test client; two-place amounts round-trip exactly through repr.
    return Decimal(str(value)).quantize(Decimal("0.01"))
