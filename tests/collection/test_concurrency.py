import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from billing.models import Bill, DemandDetail
from collection.models import Payment, PaymentDetail, Remittance
from ledger.models import Voucher
from tests.billing.factories import raise_demand
from tests.collection.assertions import assert_ledger_balances
from tests.collection.conftest import CREATE_URL
from tests.collection.factories import bill_of, payment_body

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
CALLERS = 20


def post_together(token: str, bodies: list[dict], headers: dict | None = None) -> list:
    """POST each body to `_create` from its own thread, all released at one moment; the responses in order."""
    start_together = threading.Barrier(len(bodies))

    def call(body):
        client = APIClient()
        try:
            connection.ensure_connection()
            start_together.wait(timeout=60)
            return client.post(
                CREATE_URL, {"RequestInfo": {"authToken": token}, "Payment": body}, format="json", headers=headers
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(call, bodies))


def test_twenty_callers_sending_one_payment_with_one_idempotency_key_make_one_receipt(masters, collector_token):
    # given a bill of 240
    raise_demand(heads={"10101": "240"})
    body = payment_body(bill_of(), 100)

    # when twenty callers send the same payment with one Idempotency-Key at the same moment
    responses = post_together(collector_token, [body] * CALLERS, headers={"Idempotency-Key": "counter-7-0001"})

    # then every caller gets the one receipt, applied once
    assert {response.status_code for response in responses} == {200}, [r.content for r in responses][:2]
    receipts = {response.json()["Payments"][0]["paymentDetails"][0]["receiptNumber"] for response in responses}
    assert len(receipts) == 1
    assert PaymentDetail.objects.count() == 1
    assert DemandDetail.objects.get().collection_amount == Decimal("100.00")
    assert_ledger_balances()


def test_twenty_callers_paying_one_bill_at_once_are_applied_once_and_the_rest_refused(masters, collector_token):
    # given a bill of 240, where partial payments and advances are allowed
    raise_demand(heads={"10101": "240"})
    bill = bill_of()

    # when twenty callers pay different amounts on it at the same moment
    amounts = [Decimal(20 * n) for n in range(1, CALLERS + 1)]
    responses = post_together(collector_token, [payment_body(bill, amount) for amount in amounts])

    # then one payment is taken, every other caller is told the bill is paid, and the demand holds that one
    accepted = [amount for amount, response in zip(amounts, responses, strict=True) if response.status_code == 200]
    refused = [response for response in responses if response.status_code != 200]
    assert len(accepted) == 1
    assert {response.status_code for response in refused} == {400}
    assert {response.json()["Errors"][0]["code"] for response in refused} == {"BILL_ALREADY_PAID"}
    assert Payment.objects.get().total_amount_paid == accepted[0]
    charges = DemandDetail.objects.get(tax_head__code="10101")
    assert charges.collection_amount == min(accepted[0], Decimal("240.00"))
    assert charges.collection_amount <= charges.tax_amount
    assert Voucher.objects.count() == 1
    bill.refresh_from_db()
    assert bill.status == (Bill.Status.PAID if accepted[0] >= 240 else Bill.Status.PARTIALLY_PAID)
    assert_ledger_balances()


def test_two_approvers_remitting_one_receipt_at_once_make_one_remittance(masters, collector_token, approver_token):
    # given a cash receipt
    raise_demand(heads={"10101": "240"})
    response = APIClient().post(
        CREATE_URL,
        {"RequestInfo": {"authToken": collector_token}, "Payment": payment_body(bill_of(), 240)},
        format="json",
    )
    receipt = response.json()["Payments"][0]["paymentDetails"][0]["receiptNumber"]
    body = {
        "RequestInfo": {"authToken": approver_token},
        "Remittance": {
            "tenantId": "pb.amritsar",
            "bankAccount": "SBIN000123456",
            "remittanceReceipts": [{"receipt": receipt}],
        },
    }
    start_together = threading.Barrier(2)

    def remit():
        try:
            connection.ensure_connection()
            start_together.wait(timeout=60)
            return APIClient().post("/collection-services/remittances/_create", body, format="json")
        finally:
            connection.close()

    # when two approvers remit it at the same moment
    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = [future.result() for future in [pool.submit(remit), pool.submit(remit)]]

    # then one remittance is made and the other approver is told the receipt is remitted
    assert sorted(response.status_code for response in responses) == [200, 400], [r.content for r in responses]
    assert Remittance.objects.count() == 1
    assert Voucher.objects.filter(type=Voucher.Type.CONTRA).count() == 1
    assert_ledger_balances()
