import pytest

from tests.billing.assertions import assert_bill_totals_consistent


def wire_bill(total, details):
    return {
        "totalAmount": total,
        "billDetails": [
            {"amount": amount, "billAccountDetails": [{"amount": account} for account in accounts]}
            for amount, accounts in details
        ],
    }


def test_the_helper_accepts_a_consistent_bill():
    assert_bill_totals_consistent(wire_bill(1603.0, [(1000.0, [1000]), (603, [598.0, 5])]))


@pytest.mark.parametrize(
    "bill",
    [
        wire_bill(1604, [(1000, [1000]), (603, [598, 5])]),
        wire_bill(1603, [(1000, [999]), (603, [598, 6])]),
        wire_bill(0, []),
        wire_bill(5, [(5, [])]),
    ],
    ids=["total-off", "detail-off", "no-details", "no-accounts"],
)
def test_the_helper_catches_a_bill_that_does_not_add_up(bill):
    with pytest.raises(AssertionError):
        assert_bill_totals_consistent(bill)
