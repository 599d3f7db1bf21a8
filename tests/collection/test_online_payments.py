"""Online payments end to end: pg-service `_create`, the payer at the simulated gateway's pay page, the browser's
signed return, `_update` and the reconciliation job, with the gateway reached over real HTTP."""

from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from billing.models import Bill
from collection.clients.simulator_gateway import return_signature
from collection.models import Payment, PaymentDetail, PaymentMode, PgTransaction
from collection.tasks import pg_transactions_reconcile_task
from notifications.models import SmsMessage
from simulators.pg.models import SimPgOrder
from tests.collection.assertions import assert_ledger_balances
from tests.collection.online import (
    PG_CREATE_URL,
    PG_SEARCH_URL,
    PG_UPDATE_URL,
    browser_return,
    gateway_control,
    pay_page_choose,
    property_tax_bill,
    transaction_body,
)

CALLBACK = "https://citizen.example.in/payments/done"


def started(pg_post, bill, token=None, **extra) -> dict:
    response = pg_post(PG_CREATE_URL, body={"Transaction": transaction_body(bill, **extra)}, token=token)
    assert response.status_code == 200, response.content
    return response.json()["Transaction"]


def test_a_paid_transaction_makes_one_online_receipt_and_sends_the_payer_on_to_the_callback(
    masters, pg_gateway, pg_post
):
    # given a property tax bill of 500 and a transaction started for it
    bill = property_tax_bill()
    txn = started(pg_post, bill, callbackUrl=CALLBACK)
    assert txn["txnStatus"] == "PENDING"
    assert txn["redirectUrl"].startswith(f"{pg_gateway.url}/simulators/pg/pay/")

    # when the payer pays at the gateway and the browser comes back
    back = browser_return(pay_page_choose(txn["redirectUrl"], "pay"))

    # then the browser goes on to the caller's page, and the bill has one online receipt under the txnId
    assert back.status_code == 302, back.text
    assert back.headers["Location"] == f"{CALLBACK}?eg_pg_txnid={txn['txnId']}"
    settled = PgTransaction.objects.get(txn_id=txn["txnId"])
    assert settled.txn_status == PgTransaction.Status.SUCCESS
    payment = Payment.objects.get()
    assert settled.payment == payment
    assert (payment.payment_mode, payment.transaction_number, payment.instrument_number) == (
        PaymentMode.ONLINE,
        txn["txnId"],
        txn["txnId"],
    )
    assert payment.total_amount_paid == Decimal("500.00")
    assert PaymentDetail.objects.get().bill_id == bill.pk
    bill.refresh_from_db()
    assert bill.status == Bill.Status.PAID
    assert SmsMessage.objects.count() == 1
    assert_ledger_balances()


def test_a_declined_payment_is_a_failure_and_takes_nothing(masters, pg_gateway, pg_post):
    # given a transaction for a bill
    bill = property_tax_bill()
    txn = started(pg_post, bill)

    # when the payer's bank declines at the gateway
    back = browser_return(pay_page_choose(txn["redirectUrl"], "decline"))

    # then the transaction failed with the gateway's reason, and the bill is still payable
    assert back.status_code == 200, back.text
    assert "Payment not completed" in back.text
    settled = PgTransaction.objects.get()
    assert (settled.txn_status, settled.gateway_status_code) == (PgTransaction.Status.FAILURE, "FAILURE")
    assert settled.txn_status_msg == "Declined by the payer's bank"
    assert Payment.objects.count() == 0
    bill.refresh_from_db()
    assert bill.status == Bill.Status.ACTIVE


def test_a_payer_who_cancels_at_the_gateway_can_start_again_and_pay(masters, pg_gateway, pg_post):
    # given a payer who cancelled at the gateway
    bill = property_tax_bill()
    first = started(pg_post, bill)
    browser_return(pay_page_choose(first["redirectUrl"], "cancel"))
    assert PgTransaction.objects.get(txn_id=first["txnId"]).txn_status == PgTransaction.Status.FAILURE

    # when they start again and pay
    second = started(pg_post, bill)
    browser_return(pay_page_choose(second["redirectUrl"], "pay"))

    # then the second transaction is the one receipt
    assert second["txnId"] != first["txnId"]
    assert Payment.objects.get().transaction_number == second["txnId"]


def test_a_return_replayed_twice_leaves_one_receipt(masters, pg_gateway, pg_post):
    # given a paid transaction whose browser came back once
    bill = property_tax_bill()
    txn = started(pg_post, bill)
    return_url = pay_page_choose(txn["redirectUrl"], "pay")
    first = browser_return(return_url)

    # when the same return arrives twice more (reload, back button, a replaying proxy)
    again = [browser_return(return_url) for _ in range(2)]

    # then every answer is the one receipt, made once
    receipt = PaymentDetail.objects.get().receipt_number
    assert [response.status_code for response in [first, *again]] == [200, 200, 200]
    assert all(receipt in response.text for response in [first, *again])
    assert Payment.objects.count() == 1
    assert SmsMessage.objects.count() == 1
    assert_ledger_balances()


def test_a_payment_whose_browser_never_came_back_is_settled_by_the_reconciliation_job(
    masters, pg_gateway, pg_post, settings
):
    # given a payer who paid at the gateway and closed the browser before it came back to Kosh
    bill = property_tax_bill()
    txn = started(pg_post, bill)
    pay_page_choose(txn["redirectUrl"], "pay")
    assert PgTransaction.objects.get().txn_status == PgTransaction.Status.PENDING

    # when the scheduled job runs once the transaction is older than the threshold
    settings.KOSH_PG_RECONCILE_AFTER_SECONDS = 0
    outcome = pg_transactions_reconcile_task.delay().get()

    # then the gateway's SUCCESS makes the one receipt
    assert outcome == {"SUCCESS": 1}
    assert PgTransaction.objects.get().txn_status == PgTransaction.Status.SUCCESS
    assert Payment.objects.get().transaction_number == txn["txnId"]

    # and a later return of the browser, or the next run, changes nothing
    assert pg_transactions_reconcile_task.delay().get() == {}
    assert Payment.objects.count() == 1


def test_the_job_leaves_transactions_younger_than_the_threshold_alone(masters, pg_gateway, pg_post, settings):
    # given a paid transaction that has not come back yet, a moment old
    txn = started(pg_post, property_tax_bill())
    pay_page_choose(txn["redirectUrl"], "pay")

    # when the job runs with the 15-minute threshold
    settings.KOSH_PG_RECONCILE_AFTER_SECONDS = 15 * 60
    outcome = pg_transactions_reconcile_task.delay().get()

    # then the transaction is not touched
    assert outcome == {}
    assert PgTransaction.objects.get().txn_status == PgTransaction.Status.PENDING
    assert Payment.objects.count() == 0


def test_a_pay_page_left_without_paying_stays_pending_until_the_abandon_threshold_then_fails(
    masters, pg_gateway, pg_post, settings
):
    # given a payer who opened the pay page and left without pressing anything
    bill = property_tax_bill()
    txn = started(pg_post, bill)
    assert requests.get(txn["redirectUrl"], timeout=20).status_code == 200
    settings.KOSH_PG_RECONCILE_AFTER_SECONDS = 0

    # when the job runs before the abandon threshold, then after it
    settings.KOSH_PG_ABANDON_AFTER_SECONDS = 30 * 60
    before = pg_transactions_reconcile_task.delay().get()
    PgTransaction.objects.update(reconcile_claimed_until=None)
    settings.KOSH_PG_ABANDON_AFTER_SECONDS = 0
    after = pg_transactions_reconcile_task.delay().get()

    # then it waits first, and is a failure once abandoned; nothing is collected and the bill can be paid again
    assert (before, after) == ({"PENDING": 1}, {"FAILURE": 1})
    settled = PgTransaction.objects.get()
    assert settled.txn_status_msg.startswith("Abandoned")
    assert Payment.objects.count() == 0
    assert started(pg_post, bill)["txnStatus"] == "PENDING"


def test_a_gateway_reporting_another_amount_is_a_failure_without_a_receipt(masters, pg_gateway, pg_post):
    # given a gateway that reports one rupee more than the order
    txn = started(pg_post, property_tax_bill())
    gateway_control(pg_gateway.url, paidAmountDelta="1.00")

    # when the payer pays and comes back
    browser_return(pay_page_choose(txn["redirectUrl"], "pay"))

    # then the amounts disagree: FAILURE, and nothing is collected
    settled = PgTransaction.objects.get()
    assert settled.txn_status == PgTransaction.Status.FAILURE
    assert settled.txn_status_msg.startswith("Transaction failed, amount mismatch")
    assert "501.00" in settled.txn_status_msg
    assert Payment.objects.count() == 0


def test_a_tampered_return_is_refused_and_changes_nothing(masters, pg_gateway, pg_post):
    # given a payer who declined at the gateway
    txn = started(pg_post, property_tax_bill())
    return_url = pay_page_choose(txn["redirectUrl"], "decline")

    # when the return is edited to claim success
    tampered = return_url.replace("status=FAILURE", "status=SUCCESS")
    response = browser_return(tampered)

    # then the signature does not match: refused, the transaction still waits for the gateway's word
    assert response.status_code == 400, response.text
    assert "not signed by the gateway" in response.text
    assert PgTransaction.objects.get().txn_status == PgTransaction.Status.PENDING
    assert Payment.objects.count() == 0


def test_a_signed_return_claiming_success_is_not_believed_without_the_gateways_status(
    masters, pg_gateway, pg_post, settings
):
    # given a transaction the payer has not paid at the gateway
    txn = started(pg_post, property_tax_bill())
    order = SimPgOrder.objects.get()

    # when a correctly signed return claims it succeeded
    params = {"orderId": txn["txnId"], "gatewayTxnId": order.gateway_txn_id, "status": "SUCCESS", "amount": "500.00"}
    params["signature"] = return_signature(settings.KOSH_PG_SIMULATOR_SECRET, params)
    response = browser_return(f"{pg_gateway.url}/pg-service/transaction/v1/_redirect/SIMPG?{urlencode(params)}")

    # then Kosh asked the gateway, which has no payment: still PENDING, nothing collected
    assert response.status_code == 200, response.text
    assert "being confirmed" in response.text
    assert PgTransaction.objects.get().txn_status == PgTransaction.Status.PENDING
    assert Payment.objects.count() == 0


def test_update_settles_from_the_gateway_and_answers_the_same_receipt_when_called_again(masters, pg_gateway, pg_post):
    # given a payer who paid but whose browser never came back
    txn = started(pg_post, property_tax_bill())
    pay_page_choose(txn["redirectUrl"], "pay")

    # when the integrator calls _update twice
    first = pg_post(PG_UPDATE_URL, params={"eg_pg_txnid": txn["txnId"]})
    second = pg_post(PG_UPDATE_URL, params={"eg_pg_txnid": txn["txnId"], "tenantId": "pb.amritsar"})

    # then both answer the one SUCCESS with its receipt
    assert (first.status_code, second.status_code) == (200, 200), first.content
    answers = [response.json()["Transaction"][0] for response in (first, second)]
    assert {answer["txnStatus"] for answer in answers} == {"SUCCESS"}
    assert answers[0]["receipt"] == answers[1]["receipt"] == PaymentDetail.objects.get().receipt_number
    assert answers[0]["gatewayPaymentMode"] == "UPI"
    assert Payment.objects.count() == 1


def test_a_gateway_down_at_the_return_leaves_the_transaction_pending_for_the_job(
    masters, pg_gateway, pg_post, settings
):
    # given a payer who paid while the gateway's status service is down
    txn = started(pg_post, property_tax_bill())
    gateway_control(pg_gateway.url, statusUnavailable=True)
    response = browser_return(pay_page_choose(txn["redirectUrl"], "pay"))
    assert "being confirmed" in response.text
    assert PgTransaction.objects.get().txn_status == PgTransaction.Status.PENDING

    # when the gateway is back and the job runs
    gateway_control(pg_gateway.url, statusUnavailable=False)
    settings.KOSH_PG_RECONCILE_AFTER_SECONDS = 0
    pg_transactions_reconcile_task.delay().get()

    # then the payment is taken once
    assert PgTransaction.objects.get().txn_status == PgTransaction.Status.SUCCESS
    assert Payment.objects.count() == 1


def test_an_unreachable_gateway_refuses_the_transaction_and_the_bill_can_be_tried_again(
    masters, pg_gateway, pg_post, settings
):
    # given a gateway nobody answers at
    bill = property_tax_bill()
    settings.KOSH_PG_SIMULATOR_URL = "http://127.0.0.1:9/simulators/pg"
    settings.KOSH_PG_CONNECT_TIMEOUT_SECONDS = 2

    # when a transaction is started
    response = pg_post(PG_CREATE_URL, body={"Transaction": transaction_body(bill)})

    # then the caller is told the gateway is unavailable; the attempt is kept as a failure
    assert response.status_code == 503, response.content
    assert response.json()["Errors"][0]["code"] == "PG_GATEWAY_UNAVAILABLE"
    assert PgTransaction.objects.get().txn_status == PgTransaction.Status.FAILURE

    # and once the gateway is back, the bill can be paid online
    settings.KOSH_PG_SIMULATOR_URL = f"{pg_gateway.url}/simulators/pg"
    assert started(pg_post, bill)["txnStatus"] == "PENDING"


def test_search_finds_the_citys_transactions_by_txn_id_bill_and_status(masters, pg_gateway, pg_post):
    # given a paid transaction and a pending one in Amritsar
    paid = started(pg_post, property_tax_bill("PT-1"))
    browser_return(pay_page_choose(paid["redirectUrl"], "pay"))
    pending = started(pg_post, property_tax_bill("PT-2"))

    # when they are searched
    by_status = pg_post(PG_SEARCH_URL, params={"tenantId": "pb.amritsar", "txnStatus": "SUCCESS"})
    by_txn = pg_post(PG_SEARCH_URL, params={"tenantId": "pb.amritsar", "txnId": pending["txnId"]})
    by_receipt = pg_post(
        PG_SEARCH_URL, params={"tenantId": "pb.amritsar", "receipt": PaymentDetail.objects.get().receipt_number}
    )

    # then each criterion finds its transaction
    assert [t["txnId"] for t in by_status.json()["Transaction"]] == [paid["txnId"]]
    assert [t["txnId"] for t in by_txn.json()["Transaction"]] == [pending["txnId"]]
    assert [t["txnId"] for t in by_receipt.json()["Transaction"]] == [paid["txnId"]]
    assert by_status.json()["Transaction"][0]["txnAmount"] == "500.00"


def test_search_in_one_city_never_shows_another_citys_transactions(
    masters, pg_gateway, pg_post, make_employee, token_for
):
    # given a transaction in Amritsar and one in Jalandhar
    amritsar = started(pg_post, property_tax_bill("PT-1"))
    jalandhar_token = token_for(make_employee(tenant="pb.jalandhar"))
    started(pg_post, property_tax_bill("PT-9", tenant="pb.jalandhar"), token=jalandhar_token)

    # when the Jalandhar collector searches Jalandhar for Amritsar's txnId, and then Amritsar
    by_txn = pg_post(
        PG_SEARCH_URL, params={"tenantId": "pb.jalandhar", "txnId": amritsar["txnId"]}, token=jalandhar_token
    )
    elsewhere = pg_post(PG_SEARCH_URL, params={"tenantId": "pb.amritsar"}, token=jalandhar_token)

    # then Amritsar's transaction is not found, and Amritsar is not theirs to search
    assert by_txn.status_code == 200, by_txn.content
    assert by_txn.json()["Transaction"] == []
    assert elsewhere.status_code == 403


def test_the_callback_url_keeps_its_own_query(masters, pg_gateway, pg_post):
    # given a caller whose callback already has a query string
    txn = started(pg_post, property_tax_bill(), callbackUrl=f"{CALLBACK}?lang=pa")

    # when the payer pays and comes back
    back = browser_return(pay_page_choose(txn["redirectUrl"], "pay"))

    # then the txnId is added to it
    query = parse_qs(urlsplit(back.headers["Location"]).query)
    assert query == {"lang": ["pa"], "eg_pg_txnid": [txn["txnId"]]}
