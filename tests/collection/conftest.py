from datetime import timedelta

import pytest

from billing.services.masters import billing_masters_seed
from core.models import Role
from ledger.services import ledger_seed
from notifications.services import sms_templates_seed

CREATE_URL = "/collection-services/payments/_create"
VALIDATE_URL = "/collection-services/payments/_validate"
SEARCH_URL = "/collection-services/payments/_search"
FETCH_URL = "/billing-service/bill/v2/_fetchbill"
BILL_SEARCH_URL = "/billing-service/bill/v2/_search"


@pytest.fixture(autouse=True)
def tokens_outlive_time_travel(settings):
    """Collection tests move the clock (cheque dates, expiry); a token issued first must still work."""
    settings.KOSH_ACCESS_TOKEN_TTL = timedelta(days=400)
    settings.KOSH_REFRESH_TOKEN_TTL = timedelta(days=400)


@pytest.fixture
def masters(tenants):
    """Kosh's standard masters (WS, PT, BPA), the chart of accounts in both demo states, and the SMS templates."""
    billing_masters_seed(state_id="pb")
    billing_masters_seed(state_id="od")
    ledger_seed()
    sms_templates_seed()


@pytest.fixture
def digit_post(api):
    """POST a DIGIT call: criteria in the query string, RequestInfo (with the token) in the body."""

    def post(url, token, params=None, body=None, headers=None):
        query = "&".join(f"{key}={value}" for key, value in (params or {}).items())
        payload = {"RequestInfo": {"apiId": "Rainmaker", "ver": ".01", "msgId": "1|en_IN", "authToken": token}}
        payload.update(body or {})
        return api.post(f"{url}?{query}" if query else url, payload, format="json", headers=headers)

    return post


@pytest.fixture
def collector(make_employee):
    return make_employee(Role.COLLECTION_OPERATOR, "pb.amritsar")


@pytest.fixture
def collector_token(collector, token_for):
    return token_for(collector)


@pytest.fixture
def approver_token(make_employee, token_for):
    return token_for(make_employee(Role.COLLECTION_APPROVER, "pb.amritsar"))


@pytest.fixture
def pay(digit_post, collector_token):
    """`_create` one payment as an Amritsar collector."""

    def create(body, token=None, headers=None):
        return digit_post(CREATE_URL, token or collector_token, body={"Payment": body}, headers=headers)

    return create


@pytest.fixture
def workflow(digit_post, approver_token):
    """`_workflow` one action on payments as an Amritsar approver."""

    def act(action, payment_ids, reason="", module="WS", token=None):
        items = [
            {"paymentId": str(pk), "action": action, "tenantId": "pb.amritsar", "reason": reason} for pk in payment_ids
        ]
        return digit_post(
            f"/collection-services/payments/{module}/_workflow",
            token or approver_token,
            body={"PaymentWorkflows": items},
        )

    return act


@pytest.fixture
def pg_gateway(settings, live_server, monkeypatch):
    """The payment gateway simulator as Kosh's SIMPG gateway, over real HTTP on the live server, where the payer's
    browser also comes back to."""
    from django.db import connection

    from collection.clients.simulator_gateway import sessions_close

    # The live server answers each request in a new thread: its connection must close with the request, or
    # PostgreSQL keeps the test database busy at teardown.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    settings.KOSH_PG_SIMULATOR_URL = f"{live_server.url}/simulators/pg"
    settings.KOSH_PG_RETURN_BASE_URL = live_server.url
    yield live_server
    sessions_close()


@pytest.fixture
def pg_post(digit_post, collector_token):
    """A pg-service call as an Amritsar collector: `pg_post(url, body=…, params=…)`."""

    def post(url, body=None, params=None, token=None):
        return digit_post(url, token or collector_token, params=params, body=body)

    return post
