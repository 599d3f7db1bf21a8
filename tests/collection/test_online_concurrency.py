"""Online payments under contention on PostgreSQL: replayed returns racing the reconciliation job, and two
transactions started for one bill at once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from collection.models import Payment, PaymentDetail, PgTransaction
from collection.services.online import pg_transactions_reconcile
from notifications.models import SmsMessage
from tests.collection.assertions import assert_ledger_balances
from tests.collection.online import (
    PG_CREATE_URL,
    browser_return,
    pay_page_choose,
    property_tax_bill,
    transaction_body,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RETURNS = 8


def together(calls: list) -> list:
    """Run each call in its own thread, all released at one moment; the results in order."""
    start_together = threading.Barrier(len(calls))

    def run(call):
        try:
            connection.ensure_connection()
            start_together.wait(timeout=60)
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_returns_replayed_at_once_while_the_job_runs_make_one_receipt(masters, pg_gateway, pg_post, settings):
    # given a paid transaction, old enough for the reconciliation job
    txn = pg_post(PG_CREATE_URL, body={"Transaction": transaction_body(property_tax_bill())}).json()["Transaction"]
    return_url = pay_page_choose(txn["redirectUrl"], "pay")
    settings.KOSH_PG_RECONCILE_AFTER_SECONDS = 0

    # when the browser's return arrives eight times at once while the job runs twice
    results = together([lambda: browser_return(return_url)] * RETURNS + [lambda: pg_transactions_reconcile()] * 2)

    # then every return shows the one receipt, taken once
    receipt = PaymentDetail.objects.get().receipt_number
    assert all(response.status_code == 200 and receipt in response.text for response in results[:RETURNS])
    assert PgTransaction.objects.get().txn_status == PgTransaction.Status.SUCCESS
    assert Payment.objects.count() == 1
    assert SmsMessage.objects.count() == 1
    assert_ledger_balances()


def test_two_transactions_started_for_one_bill_at_once_leave_one_pending(masters, pg_gateway, collector_token):
    # given a bill
    body = {"RequestInfo": {"authToken": collector_token}, "Transaction": transaction_body(property_tax_bill())}

    # when two transactions are started for it at the same moment
    responses = together([lambda: APIClient().post(PG_CREATE_URL, body, format="json")] * 2)

    # then one is PENDING at the gateway and the other is told to wait for it
    assert sorted(response.status_code for response in responses) == [200, 400], [r.content for r in responses]
    refused = next(response for response in responses if response.status_code == 400)
    assert refused.json()["Errors"][0]["code"] == "TXN_ABRUPTLY_DISCARDED"
    assert PgTransaction.objects.get().txn_status == PgTransaction.Status.PENDING
