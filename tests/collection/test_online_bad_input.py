"""Bad input on every pg-service endpoint and on the gateway return: a 400 naming the field, nothing written."""

import pytest

from collection.models import Payment, PgTransaction
from core.models import IdSequence
from simulators.pg.models import SimPgOrder
from tests.billing.factories import financial_year, raise_demand
from tests.collection.factories import bill_of
from tests.collection.online import (
    PG_CREATE_URL,
    PG_SEARCH_URL,
    PG_UPDATE_URL,
    browser_return,
    pay_page_choose,
    property_tax_bill,
    transaction_body,
)

UNKNOWN_BILL = "00000000-0000-4000-8000-000000000000"
BAD_AMOUNTS = [0, -5, "10.555", "abc"]


def nothing_written() -> None:
    assert PgTransaction.objects.count() == 0
    assert SimPgOrder.objects.count() == 0
    assert Payment.objects.count() == 0
    assert not IdSequence.objects.filter(name="SEQ_EG_PG_TXN", last_value__gt=0).exists()


def refused(response, field: str, code: str | None = None) -> dict:
    assert response.status_code == 400, response.content
    error = response.json()["Errors"][0]
    assert error["params"] == [field], error
    assert error["message"].startswith(f"{field}:"), error
    if code is not None:
        assert error["code"] == code, error
    return error


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_a_bad_transaction_amount_is_refused(masters, pg_post, amount):
    body = transaction_body(property_tax_bill())
    body["txnAmount"] = amount

    response = pg_post(PG_CREATE_URL, body={"Transaction": body})

    refused(response, "Transaction.txnAmount")
    nothing_written()


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_a_bad_amount_paid_in_tax_and_payments_is_refused(masters, pg_post, amount):
    body = transaction_body(property_tax_bill())
    body["taxAndPayments"][0]["amountPaid"] = amount

    response = pg_post(PG_CREATE_URL, body={"Transaction": body})

    refused(response, "Transaction.taxAndPayments[0].amountPaid")
    nothing_written()


@pytest.mark.parametrize(
    ("bill_id", "code"), [(UNKNOWN_BILL, "INVALID_BILL_ID"), ("abc", None)], ids=["unknown", "not-a-uuid"]
)
def test_a_bill_that_is_not_there_is_refused(masters, pg_post, bill_id, code):
    body = transaction_body(property_tax_bill(), taxAndPayments=None)
    body["billId"] = bill_id

    response = pg_post(PG_CREATE_URL, body={"Transaction": body})

    refused(response, "Transaction.billId", code)
    nothing_written()


def test_another_citys_bill_is_not_found_in_this_city(masters, pg_post):
    # given a bill in Jalandhar
    bill = property_tax_bill("PT-9", tenant="pb.jalandhar")

    # when an Amritsar collector starts an Amritsar transaction for it
    response = pg_post(PG_CREATE_URL, body={"Transaction": {**transaction_body(bill), "tenantId": "pb.amritsar"}})

    # then there is no such bill in Amritsar
    refused(response, "Transaction.billId", "INVALID_BILL_ID")
    nothing_written()


def test_a_transaction_in_another_city_is_forbidden(masters, pg_post):
    response = pg_post(PG_CREATE_URL, body={"Transaction": transaction_body(property_tax_bill(tenant="pb.jalandhar"))})

    assert response.status_code == 403, response.content
    nothing_written()


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"txnAmount": "400.00"}, "Transaction.txnAmount", "TXN_CREATE_INVALID_TXN_AMT"),
        ({"consumerCode": "PT-2"}, "Transaction.consumerCode", "INVALID_CONSUMER_CODE"),
        ({"module": "WS"}, "Transaction.module", "INVALID_BUSINESS_SERVICE"),
        ({"gateway": "PAYTM"}, "Transaction.gateway", "INVALID_PAYMENT_GATEWAY"),
        ({"user": {"mobileNumber": "9876500001"}}, "Transaction.user.name", None),
        ({"user": {"name": "Gurpreet", "mobileNumber": "12345"}}, "Transaction.user.mobileNumber", None),
        ({"callbackUrl": "javascript:alert(1)"}, "Transaction.callbackUrl", None),
        ({"taxAndPayments": [{"billId": UNKNOWN_BILL, "amountPaid": "500"}]}, "Transaction.taxAndPayments", None),
    ],
    ids=["sum", "consumer", "module", "gateway", "no-name", "mobile", "callback", "other-bill"],
)
def test_a_transaction_that_does_not_describe_its_bill_is_refused(masters, pg_post, change, field, code):
    body = {**transaction_body(property_tax_bill()), **change}

    response = pg_post(PG_CREATE_URL, body={"Transaction": body})

    refused(response, field, code)
    nothing_written()


def test_a_part_payment_of_a_service_that_takes_none_is_refused_as_payments_create_would(masters, pg_post):
    # given a building permit bill of 1200 (no part payments)
    raise_demand(service="BPA", consumer="BPA-1", heads={"BPA_PERMIT_FEE": "1200"}, period=financial_year(2026))
    bill = bill_of(consumer="BPA-1", service="BPA")

    # when an online payment of 1000 is started
    response = pg_post(PG_CREATE_URL, body={"Transaction": transaction_body(bill, "1000")})

    # then payment_create's rule refuses it, naming the transaction's field
    error = refused(response, "Transaction.txnAmount", "INVALID_PAYMENTDETAIL")
    assert "partial payment is not allowed" in error["message"]
    nothing_written()


def test_a_service_that_takes_no_online_payments_is_refused(masters, pg_post):
    # given a water bill (water takes cash only)
    raise_demand(heads={"10101": "240"})

    response = pg_post(PG_CREATE_URL, body={"Transaction": transaction_body(bill_of())})

    error = refused(response, "Transaction.gateway", "INVALID_PAYMENTDETAIL")
    assert "ONLINE is not accepted for WS" in error["message"]
    nothing_written()


def test_a_second_transaction_while_one_is_pending_is_refused(masters, pg_gateway, pg_post):
    # given a transaction waiting at the gateway
    bill = property_tax_bill()
    assert pg_post(PG_CREATE_URL, body={"Transaction": transaction_body(bill)}).status_code == 200

    # when another is started for the same bill
    response = pg_post(PG_CREATE_URL, body={"Transaction": transaction_body(bill)})

    # then it is refused until the first is settled
    refused(response, "Transaction.billId", "TXN_ABRUPTLY_DISCARDED")
    assert PgTransaction.objects.count() == 1


def test_a_bill_paid_online_cannot_be_started_again(masters, pg_gateway, pg_post):
    bill = property_tax_bill()
    txn = pg_post(PG_CREATE_URL, body={"Transaction": transaction_body(bill)}).json()["Transaction"]
    browser_return(pay_page_choose(txn["redirectUrl"], "pay"))

    response = pg_post(PG_CREATE_URL, body={"Transaction": transaction_body(bill)})

    refused(response, "Transaction.billId", "TXN_CREATE_BILL_ALREADY_PAID")
    assert PgTransaction.objects.count() == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [({}, "eg_pg_txnid"), ({"eg_pg_txnid": "PG_AMR_2026_11_22_999999"}, "eg_pg_txnid")],
    ids=["missing", "unknown"],
)
def test_update_of_no_known_transaction_is_refused(masters, pg_post, params, field):
    refused(pg_post(PG_UPDATE_URL, params=params), field)
    nothing_written()


def test_update_of_another_citys_transaction_is_not_found(masters, pg_gateway, pg_post, make_employee, token_for):
    # given a transaction in Jalandhar
    jalandhar_token = token_for(make_employee(tenant="pb.jalandhar"))
    body = transaction_body(property_tax_bill("PT-9", tenant="pb.jalandhar"))
    txn = pg_post(PG_CREATE_URL, body={"Transaction": body}, token=jalandhar_token).json()["Transaction"]

    # when an Amritsar collector asks to update it in Amritsar
    response = pg_post(PG_UPDATE_URL, params={"eg_pg_txnid": txn["txnId"]})

    # then it is not found there
    refused(response, "eg_pg_txnid", "TXN_UPDATE_NOT_FOUND")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"txnStatus": "PAID"}, "txnStatus"),
        ({"billId": "abc"}, "billId"),
        ({"limit": "0"}, "limit"),
        ({"offset": "-1"}, "offset"),
    ],
)
def test_bad_search_criteria_are_refused(masters, pg_post, params, field):
    response = pg_post(PG_SEARCH_URL, params={"tenantId": "pb.amritsar", **params})

    assert response.status_code == 400, response.content
    assert response.json()["Errors"][0]["params"][0].startswith(field)


@pytest.mark.parametrize(
    "query",
    ["", "orderId=PG_AMR_1", "orderId=PG_AMR_1&status=SUCCESS&signature=00"],
    ids=["empty", "unsigned", "forged"],
)
def test_a_return_without_the_gateways_signature_is_refused(masters, client, query):
    response = client.get(f"/pg-service/transaction/v1/_redirect/SIMPG?{query}")

    assert response.status_code == 400
    assert b"could not be confirmed" in response.content
    nothing_written()


def test_a_return_from_an_unknown_gateway_is_refused(masters, client):
    response = client.get("/pg-service/transaction/v1/_redirect/PAYTM?orderId=PG_AMR_1&signature=00")

    assert response.status_code == 400
    assert b"no payment gateway" in response.content
