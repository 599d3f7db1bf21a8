from datetime import date
from decimal import Decimal

from ledger.models import Voucher
from ledger.selectors import TrialBalanceRow, gl_balance, trial_balance, voucher_list
from ledger.services import LineSpec, voucher_reverse
from tests.ledger.factories import BANK, CASH, PENALTY, WATER_CHARGES, receipt_post


def test_trial_balance_sums_debits_and_credits_per_gl_code_in_one_query(chart, django_assert_num_queries):
    # given two receipts and a remittance of cash to the bank
    receipt_post(amount="100.00")
    receipt_post(
        lines=[
            LineSpec(CASH, debit=Decimal("60.00")),
            LineSpec(WATER_CHARGES, credit=Decimal("50.00")),
            LineSpec(PENALTY, credit=Decimal("10.00")),
        ]
    )
    receipt_post(
        voucher_type=Voucher.Type.CONTRA,
        lines=[LineSpec(BANK, debit=Decimal("120.00")), LineSpec(CASH, credit=Decimal("120.00"))],
    )

    # when the trial balance is read
    with django_assert_num_queries(1):
        rows = trial_balance(tenant_id="pb.amritsar")

    # then each GL code carries its totals, in code order, balance = debit - credit
    assert [(row.gl_code, row.debit, row.credit, row.balance) for row in rows] == [
        (WATER_CHARGES, Decimal("0.00"), Decimal("150.00"), Decimal("-150.00")),
        (PENALTY, Decimal("0.00"), Decimal("10.00"), Decimal("-10.00")),
        (BANK, Decimal("120.00"), Decimal("0.00"), Decimal("120.00")),
        (CASH, Decimal("160.00"), Decimal("120.00"), Decimal("40.00")),
    ]
    assert rows[0] == TrialBalanceRow(
        gl_code=WATER_CHARGES,
        name="Water charges",
        type="INCOME",
        debit=Decimal("0.00"),
        credit=Decimal("150.00"),
        balance=Decimal("-150.00"),
    )
    assert sum(row.debit for row in rows) == sum(row.credit for row in rows)


def test_trial_balance_counts_only_vouchers_dated_in_the_range(chart):
    # given receipts of 10 on 31 May, 20 on 1 June and 40 on 30 June
    receipt_post(amount="10.00", voucher_date=date(2026, 5, 31))
    receipt_post(amount="20.00", voucher_date=date(2026, 6, 1))
    receipt_post(amount="40.00", voucher_date=date(2026, 6, 30))

    # when June is read, and then everything up to 1 June
    june = trial_balance(tenant_id="pb.amritsar", date_from=date(2026, 6, 1), date_to=date(2026, 6, 30))
    to_first_june = trial_balance(tenant_id="pb.amritsar", date_to=date(2026, 6, 1))

    # then only the vouchers dated inside each range count
    assert {row.gl_code: row.debit for row in june} == {CASH: Decimal("60.00"), WATER_CHARGES: Decimal("0.00")}
    assert {row.gl_code: row.debit for row in to_first_june} == {CASH: Decimal("30.00"), WATER_CHARGES: Decimal("0.00")}


def test_trial_balance_of_a_city_leaves_out_other_cities(chart):
    # given receipts in Amritsar and Jalandhar
    receipt_post(tenant_id="pb.amritsar", amount="100.00")
    receipt_post(tenant_id="pb.jalandhar", amount="999.00")

    # when Amritsar's trial balance is read
    rows = trial_balance(tenant_id="pb.amritsar")

    # then Jalandhar's money is not in it
    assert {row.gl_code: row.debit for row in rows}[CASH] == Decimal("100.00")


def test_trial_balance_of_a_city_without_vouchers_is_empty(chart):
    # given no vouchers
    # when the trial balance is read
    # then it has no rows
    assert trial_balance(tenant_id="pb.amritsar") == []


def test_gl_balance_is_debit_minus_credit(chart):
    # given receipts of 100 and 50
    receipt_post(amount="100.00")
    receipt_post(amount="50.00")

    # when the cash and water charges balances are read
    cash = gl_balance(tenant_id="pb.amritsar", gl_code=CASH)
    water = gl_balance(tenant_id="pb.amritsar", gl_code=WATER_CHARGES)

    # then cash has a debit balance and water charges a credit balance
    assert (cash, water) == (Decimal("150.00"), Decimal("-150.00"))


def test_gl_balance_of_an_unused_code_is_zero(chart):
    # given a receipt that does not touch the bank
    receipt_post()

    # when the bank balance is read
    # then it is zero
    assert gl_balance(tenant_id="pb.amritsar", gl_code=BANK) == Decimal("0.00")


def test_voucher_list_filters_by_type_date_and_source_newest_first(chart):
    # given a receipt, a later contra, and another city's receipt
    receipt = receipt_post(voucher_date=date(2026, 6, 1))
    contra = receipt_post(
        voucher_type=Voucher.Type.CONTRA,
        voucher_date=date(2026, 6, 2),
        lines=[LineSpec(BANK, debit=Decimal("100.00")), LineSpec(CASH, credit=Decimal("100.00"))],
    )
    receipt_post(tenant_id="pb.jalandhar")

    # when Amritsar's vouchers are listed in several ways
    everything = list(voucher_list(tenant_id="pb.amritsar"))
    receipts = list(voucher_list(tenant_id="pb.amritsar", voucher_type=Voucher.Type.RECEIPT))
    from_second = list(voucher_list(tenant_id="pb.amritsar", date_from=date(2026, 6, 2)))
    to_first = list(voucher_list(tenant_id="pb.amritsar", date_to=date(2026, 6, 1)))
    other_source = list(voucher_list(tenant_id="pb.amritsar", source_type="collection.remittance"))

    # then each filter holds and the newest comes first
    assert everything == [contra, receipt]
    assert receipts == [receipt]
    assert from_second == [contra]
    assert to_first == [receipt]
    assert other_source == []


def test_voucher_list_loads_lines_without_a_query_per_voucher(chart, django_assert_num_queries):
    # given three vouchers, one of them reversed
    for _ in range(3):
        receipt_post()
    voucher_reverse(voucher=Voucher.objects.first(), reason="cancelled", reversed_by=None)

    # when the list is read with every line's GL code
    with django_assert_num_queries(3):
        codes = [line.gl_code.code for voucher in voucher_list(tenant_id="pb.amritsar") for line in voucher.lines.all()]

    # then all eight lines came in three queries (vouchers, lines, GL codes)
    assert len(codes) == 8
