"""How a payment talks to the database: the gap-free numbers in its last statements, so payments of one city queue
on the number sequences only briefly, and a set number of statements whatever the size of the bill."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from collection.models import PaymentDetail
from collection.services.payments import PaymentDetailInput, PaymentInput, payment_create
from tests.billing.factories import month, raise_demand
from tests.collection.assertions import assert_ledger_balances
from tests.collection.factories import bill_of

ROWS_CARRYING_A_NUMBER = {
    "collection_paymentdetail",
    "ledger_voucher",
    "ledger_voucherline",
    "notifications_smsmessage",
    "core_auditevent",
}


def statements_of_paying(consumer: str, actor) -> list[str]:
    """The statements of one cash payment of the consumer's whole bill."""
    bill = bill_of(consumer)
    payment = PaymentInput(
        tenant_id="pb.amritsar",
        payment_mode="CASH",
        total_amount_paid=bill.total_amount,
        paid_by="Gurpreet Kaur",
        mobile_number="9876500001",
        details=[PaymentDetailInput(bill_id=str(bill.pk), total_amount_paid=bill.total_amount)],
    )
    with CaptureQueriesContext(connection) as captured:
        payment_create(payment=payment, actor=actor)
    return [query["sql"] for query in captured.captured_queries]


def two_months_owed(consumer: str, heads: dict[str, str]) -> None:
    raise_demand(consumer=consumer, period=month(2026, 9), heads=heads)
    raise_demand(consumer=consumer, period=month(2026, 10), heads=heads)


def test_a_payment_takes_its_receipt_and_voucher_numbers_in_its_last_statements(masters, collector):
    # given a city whose receipt and voucher sequences are in use, and a bill of two months of three heads
    two_months_owed("WS-0", {"10101": "240"})
    statements_of_paying("WS-0", collector)
    two_months_owed("WS-1", {"10101": "240", "10102": "60", "WS_WATER_CESS": "12"})

    # when it is paid
    statements = statements_of_paying("WS-1", collector)

    # then the receipt sequence and then the voucher sequence each move once, after every other write and read
    first_number = next(n for n, sql in enumerate(statements) if "core_idsequence" in sql)
    last = statements[first_number:]
    sequences = [sql for sql in last if "core_idsequence" in sql]
    assert [("SEQ_EGOV_COMMON" in sql, "SEQ_VOUCHER" in sql) for sql in sequences] == [(True, False), (False, True)]
    assert all(sql.startswith("UPDATE") for sql in sequences)
    # and only rows that carry a number are written after the first is taken
    others = [sql for sql in last if sql not in sequences and not re.match(r"(RELEASE )?SAVEPOINT", sql)]
    assert {re.match(r'INSERT INTO "(\w+)"', sql).group(1) for sql in others} == ROWS_CARRYING_A_NUMBER
    assert len(last) <= 12
    # and the receipts are numbered in order, with balanced books
    assert sorted(PaymentDetail.objects.values_list("receipt_number", flat=True)) == [
        "WS/2026-27/000001",
        "WS/2026-27/000002",
    ]
    assert_ledger_balances()


def test_a_payment_runs_as_many_statements_for_six_heads_as_for_two(masters, collector):
    # given a city already taking payments, one bill of one head a month and one of three heads a month
    two_months_owed("WS-0", {"10101": "240"})
    statements_of_paying("WS-0", collector)
    two_months_owed("WS-1", {"10101": "240"})
    two_months_owed("WS-2", {"10101": "240", "10102": "60", "WS_WATER_CESS": "12"})

    # when each is paid
    two_heads = statements_of_paying("WS-1", collector)
    six_heads = statements_of_paying("WS-2", collector)

    # then both take the same, small number of statements: one per kind of row, not one per head
    assert len(six_heads) == len(two_heads) <= 32
