"""How a payment talks to the database: the gap-free numbers in its last statement, so payments of one city queue
on the number sequences only briefly, and a set number of statements whatever the size of the bill."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collection.models import PaymentDetail
from collection.services.payments import PaymentDetailInput, PaymentInput, payment_create
from core.models import AuditEvent
from ledger.models import Voucher
from notifications.models import SmsMessage
from tests.billing.factories import month, raise_demand
from tests.collection.assertions import assert_ledger_balances
from tests.collection.factories import bill_of


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


@pytest.mark.postgres
def test_a_payment_takes_its_receipt_and_voucher_numbers_in_its_last_statement(masters, collector):
    # given a city whose receipt and voucher sequences are in use, and a bill of two months of three heads
    two_months_owed("WS-0", {"10101": "240"})
    statements_of_paying("WS-0", collector)
    two_months_owed("WS-1", {"10101": "240", "10102": "60", "WS_WATER_CESS": "12"})

    # when it is paid
    statements = [sql for sql in statements_of_paying("WS-1", collector) if not re.match(r"(RELEASE )?SAVEPOINT", sql)]

    # then one statement moves the receipt and the voucher sequences, and it is the last
    numbering = [sql for sql in statements if "core_idsequence" in sql]
    assert numbering == [statements[-1]]
    assert "SEQ_EGOV_COMMON" in numbering[0]
    assert "SEQ_VOUCHER" in numbering[0]
    # and the receipts are numbered in order, with balanced books
    assert sorted(PaymentDetail.objects.values_list("receipt_number", flat=True)) == [
        "WS/2026-27/000001",
        "WS/2026-27/000002",
    ]
    assert_ledger_balances()


def test_every_row_of_a_payment_carries_its_numbers_not_their_placeholders(masters, collector):
    # given a bill
    two_months_owed("WS-1", {"10101": "240", "10102": "60"})

    # when it is paid
    statements_of_paying("WS-1", collector)

    # then the receipt, its voucher, its SMS and the audit trail name the receipt and voucher numbers
    receipt = PaymentDetail.objects.get()
    voucher = Voucher.objects.get()
    message = SmsMessage.objects.get()
    assert receipt.receipt_number == "WS/2026-27/000001"
    assert re.fullmatch(r"\d{4}-\d{2}/\d{2}/000001", voucher.number)
    assert voucher.narration.startswith("Receipt WS/2026-27/000001 ")
    assert receipt.receipt_number in message.text
    assert message.event_key == "collection:receipt:pb.amritsar:WS/2026-27/000001"
    audit = [(event.action, event.reason, event.data) for event in AuditEvent.objects.all()]
    assert ("VOUCHER_POST", "", voucher.number) in [(a, r, d.get("number")) for a, r, d in audit]
    assert any(data.get("receiptNumbers") == [receipt.receipt_number] for _, _, data in audit)
    assert not any("~id." in f"{reason}{data}" for _, reason, data in audit)


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
