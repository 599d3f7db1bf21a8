from datetime import timedelta

import pytest

from billing.models import BusinessService
from billing.services.masters import billing_masters_seed
from core.models import Role
from tests.billing.assertions import assert_bill_totals_consistent

FETCH_URL = "/billing-service/bill/v2/_fetchbill"
GENERATE_URL = "/billing-service/bill/v2/_generate"
BILL_SEARCH_URL = "/billing-service/bill/v2/_search"
CANCEL_URL = "/billing-service/bill/v2/_cancelbill"
DEMAND_CREATE_URL = "/billing-service/demand/_create"
DEMAND_UPDATE_URL = "/billing-service/demand/_update"
DEMAND_SEARCH_URL = "/billing-service/demand/_search"
IMPORT_URL = "/billing-service/bill-collect/_import"


@pytest.fixture(autouse=True)
def tokens_outlive_time_travel(settings):
    """Billing tests move the clock over weeks (expiry, due dates); a token issued first must still work."""
    settings.KOSH_ACCESS_TOKEN_TTL = timedelta(days=400)
    settings.KOSH_REFRESH_TOKEN_TTL = timedelta(days=400)


@pytest.fixture
def masters(tenants):
    """Kosh's standard masters (WS, PT, BPA) in both demo states."""
    billing_masters_seed(state_id="pb")
    billing_masters_seed(state_id="od")
    return {service.code: service for service in BusinessService.objects.filter(tenant_id="pb")}


def bills_checked(response):
    """Every bill an API answers is checked with the shared helper before the test sees it."""
    if response.status_code in (200, 201) and response["Content-Type"] == "application/json":
        for bill in response.json().get("Bill", []):
            assert_bill_totals_consistent(bill)
    return response


@pytest.fixture
def digit_post(api):
    """POST a DIGIT call: criteria in the query string, RequestInfo (with the token) in the body."""

    def post(url, token, params=None, body=None):
        query = "&".join(f"{key}={value}" for key, value in (params or {}).items())
        payload = {"RequestInfo": {"apiId": "Rainmaker", "ver": ".01", "msgId": "1|en_IN", "authToken": token}}
        payload.update(body or {})
        return bills_checked(api.post(f"{url}?{query}" if query else url, payload, format="json"))

    return post


@pytest.fixture
def collector_token(make_employee, token_for):
    return token_for(make_employee(Role.COLLECTION_OPERATOR, "pb.amritsar"))


@pytest.fixture
def billing_token(make_employee, token_for):
    return token_for(make_employee(Role.BILLING_ADMIN, "pb.amritsar"))


@pytest.fixture
def fetch(digit_post, collector_token):
    """`_fetchbill` for one consumer as an Amritsar collector."""

    def fetch_bill(consumer="WS-1", service="WS", tenant="pb.amritsar", token=None):
        return digit_post(
            FETCH_URL,
            token or collector_token,
            {"tenantId": tenant, "consumerCode": consumer, "businessService": service},
        )

    return fetch_bill
