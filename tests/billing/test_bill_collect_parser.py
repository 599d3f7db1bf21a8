"""The pure parser: no database, bytes in and dataclasses (or BillCollectError) out."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.parsers.bill_collect import BillCollectError, bill_collect_parse
from billing.services.demo import BILL_COLLECT_SAMPLE

SAMPLE = BILL_COLLECT_SAMPLE.read_bytes()


def test_the_sample_parses_into_its_header_payee_bill_and_accounts():
    document = bill_collect_parse(SAMPLE)

    assert (document.service_code, document.fund_code, document.department_code) == ("BPA", "01", "REV")
    assert document.part_payment_allowed is False
    assert document.collection_modes_not_allowed == ("bankchallan",)
    [payee] = document.payees
    [bill] = payee.bills
    assert (payee.name, bill.ref_no, bill.bill_date, bill.consumer_code) == (
        "ramana",
        "531",
        date(2019, 7, 5),
        "01365-2019-HY",
    )
    assert bill.total_amount == Decimal("1603.00")
    assert [(account.order, account.amount) for account in bill.accounts] == [
        (2, Decimal("598.00")),
        (1, Decimal("1000.00")),
        (3, Decimal("5.00")),
    ]


def test_an_account_asks_for_its_credit_less_its_debit():
    document = SAMPLE.replace(b"<drAmount>0</drAmount>", b"<drAmount>1</drAmount>", 1)

    account = bill_collect_parse(document).payees[0].bills[0].accounts[0]

    assert account.amount == Decimal("597.00")


def test_a_document_over_the_cap_is_refused_before_parsing():
    with pytest.raises(BillCollectError, match="at most 100 are accepted") as refusal:
        bill_collect_parse(SAMPLE, max_bytes=100)

    assert refusal.value.path == "body"


def test_a_processing_instruction_and_comments_are_ignored():
    document = SAMPLE.replace(b"<bill-collect>", b"<?xml-stylesheet href='x'?><!-- note --><bill-collect>")

    assert bill_collect_parse(document).service_code == "BPA"


@pytest.mark.parametrize(
    "declaration",
    [b"<!DOCTYPE bill-collect>", b'<!DOCTYPE bill-collect SYSTEM "http://example.invalid/x.dtd">', b"<!doctype x>"],
)
def test_any_document_type_declaration_is_refused(declaration):
    with pytest.raises(BillCollectError, match="DOCTYPE"):
        bill_collect_parse(declaration + SAMPLE)


def test_text_instead_of_bytes_is_refused():
    with pytest.raises(BillCollectError, match="bytes"):
        bill_collect_parse(SAMPLE.decode())


@given(
    amounts=st.lists(
        st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=5,
    )
)
def test_any_two_place_amounts_come_back_exactly(amounts):
    accounts = b"".join(
        b'<account glCode="1401202" order="%d" description="Fee %d"><crAmount>%s</crAmount><drAmount>0</drAmount>'
        b"</account>" % (index, index, str(amount).encode())
        for index, amount in enumerate(amounts, start=1)
    )
    total = sum(amounts, Decimal(0))
    document = (
        b"<bill-collect><serviceCode>BPA</serviceCode><partPaymentAllowed>1</partPaymentAllowed><payees><payee>"
        b'<payeeName>Asha</payeeName><bills><bill refNo="1" billDate="01/04/2026" consumerCode="C-1">'
        b"<totalAmount>%s</totalAmount><accounts>%s</accounts></bill></bills></payee></payees></bill-collect>"
        % (str(total).encode(), accounts)
    )

    bill = bill_collect_parse(document).payees[0].bills[0]

    assert [account.cr_amount for account in bill.accounts] == amounts
    assert bill.total_amount == total


@given(text=st.binary(max_size=300))
def test_arbitrary_bytes_are_parsed_or_refused_never_crash(text):
    try:
        bill_collect_parse(text)
    except BillCollectError as refusal:
        assert refusal.reason
