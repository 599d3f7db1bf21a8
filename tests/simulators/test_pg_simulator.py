"""The simulated payment gateway over HTTP, through Kosh's gateway client: signed merchant calls, one order per
order id, a pay page that completes an order once, and a signed status."""

from decimal import Decimal

import pytest
import requests

from collection.clients.gateways import GatewayOrder, GatewayOutcome, GatewayRefused, payment_gateway
from collection.clients.simulator_gateway import sessions_close


@pytest.fixture
def gateway(settings, live_server):
    settings.KOSH_PG_SIMULATOR_URL = f"{live_server.url}/simulators/pg"
    yield payment_gateway("SIMPG")
    sessions_close()


def order(txn_id="PG_AMR_2026_11_22_000001", amount="500.00") -> GatewayOrder:
    return GatewayOrder(
        txn_id=txn_id, amount=Decimal(amount), return_url="https://kosh.example/return", payer_name="Gurpreet Kaur"
    )


def test_an_order_registered_twice_is_one_order_with_one_pay_page(gateway):
    first = gateway.transaction_start(order())
    second = gateway.transaction_start(order())

    assert first == second
    status = gateway.transaction_status("PG_AMR_2026_11_22_000001")
    assert (status.outcome, status.amount, status.status_code) == (GatewayOutcome.PENDING, None, "CREATED")


def test_an_order_id_registered_again_for_another_amount_is_refused(gateway):
    gateway.transaction_start(order())

    with pytest.raises(GatewayRefused, match=r"registered for 500\.00"):
        gateway.transaction_start(order(amount="400.00"))


def test_a_paid_order_stays_paid_whatever_is_pressed_next(gateway):
    pay_url = gateway.transaction_start(order()).redirect_url
    requests.post(pay_url, data={"outcome": "pay"}, allow_redirects=False, timeout=20)

    later = requests.post(pay_url, data={"outcome": "decline"}, allow_redirects=False, timeout=20)

    assert "status=SUCCESS" in later.headers["Location"]
    status = gateway.transaction_status("PG_AMR_2026_11_22_000001")
    assert (status.outcome, status.amount, status.payment_mode) == (GatewayOutcome.SUCCESS, Decimal("500.00"), "UPI")


def test_an_unknown_order_is_pending_with_the_gateways_reason(gateway):
    status = gateway.transaction_status("PG_AMR_2026_11_22_000404")

    assert (status.outcome, status.status_code) == (GatewayOutcome.PENDING, "NOT_FOUND")


def test_a_merchant_call_without_the_shared_secret_is_refused(gateway, live_server):
    response = requests.post(
        f"{live_server.url}/simulators/pg/api/v1/orders",
        json={"orderId": "X", "amount": "1.00", "returnUrl": "https://kosh.example/return"},
        headers={"X-Merchant-Id": "KOSH-DEMO-MERCHANT", "X-Signature": "0" * 64},
        timeout=20,
    )

    assert response.status_code == 401


def test_the_simulator_answers_nothing_under_production_settings(gateway, live_server, settings):
    pay_url = gateway.transaction_start(order()).redirect_url
    settings.KOSH_ENVIRONMENT = "production"

    assert requests.get(pay_url, timeout=20).status_code == 404
