"""Whatever a client sends, billing answers a DIGIT error naming the field, stores nothing, and never fails."""

import pytest

from billing.models import Bill, Demand
from tests.billing.conftest import (
    BILL_SEARCH_URL,
    CANCEL_URL,
    DEMAND_CREATE_URL,
    DEMAND_SEARCH_URL,
    DEMAND_UPDATE_URL,
    FETCH_URL,
    GENERATE_URL,
)
from tests.billing.factories import demand_body

BAD_DEMAND_REQUESTS = {
    "demands-not-a-list": ({"Demands": "x"}, "Demands"),
    "demand-not-an-object": ({"Demands": [1]}, "Demands[0]"),
    "empty-list": ({"Demands": []}, "Demands"),
    "payer-not-an-object": ({"Demands": [demand_body(payer="x")]}, "Demands[0].payer"),
    "details-not-a-list": ({"Demands": [demand_body(details={"a": 1})]}, "Demands[0].demandDetails"),
    "period-out-of-range": ({"Demands": [demand_body(taxPeriodFrom=2**70)]}, "Demands[0].taxPeriodFrom"),
    "huge-amount": (
        {"Demands": [demand_body(details=[{"taxHeadMasterCode": "10101", "taxAmount": 10**15}])]},
        "Demands[0].demandDetails[0].taxAmount",
    ),
    "amount-overflowing-decimal": (
        {"Demands": [demand_body(details=[{"taxHeadMasterCode": "10101", "taxAmount": "1e400"}])]},
        "Demands[0].demandDetails[0].taxAmount",
    ),
    "details-not-an-object": ({"Demands": [demand_body(additionalDetails=[1])]}, "Demands[0].additionalDetails"),
    "fractional-expiry-time": ({"Demands": [demand_body(billExpiryTime=1.5)]}, "Demands[0].billExpiryTime"),
    "nul-in-service": ({"Demands": [demand_body(service="\x00")]}, "Demands[0].businessService"),
    "bad-id": ({"Demands": [demand_body(id="nope")]}, "Demands[0].id"),
    "unknown-status": ({"Demands": [demand_body(status="PAID")]}, "Demands[0].status"),
}


@pytest.mark.parametrize("url", [DEMAND_CREATE_URL, DEMAND_UPDATE_URL])
@pytest.mark.parametrize(("body", "field"), BAD_DEMAND_REQUESTS.values(), ids=BAD_DEMAND_REQUESTS.keys())
def test_a_bad_demand_request_is_400_naming_the_field(masters, digit_post, billing_token, url, body, field):
    response = digit_post(url, billing_token, body=body)

    assert response.status_code == 400, response.content
    assert field in response.json()["Errors"][0]["params"]
    assert not Demand.objects.exists()


BAD_CRITERIA = {
    # An empty value counts as not given: the refusal lists the criteria that would do.
    "empty-consumer": ({"consumerCode": "", "businessService": "WS"}, "consumerCode"),
    "nul-in-consumer": ({"consumerCode": "WS-1\x00", "businessService": "WS"}, "consumerCode[0]"),
    "too-many-consumers": ({"consumerCode": ",".join(f"C{n}" for n in range(600)), "businessService": "WS"}, None),
    "bad-demand-id": ({"demandId": "xyz"}, "demandId"),
    "bad-mobile": ({"mobileNumber": "123"}, "mobileNumber"),
    "empty-tenant": ({"tenantId": "", "consumerCode": "X", "businessService": "WS"}, "tenantId"),
}


@pytest.mark.parametrize("url", [FETCH_URL, GENERATE_URL])
@pytest.mark.parametrize(("criteria", "field"), BAD_CRITERIA.values(), ids=BAD_CRITERIA.keys())
def test_bad_fetch_criteria_are_400_naming_the_field(masters, digit_post, billing_token, url, criteria, field):
    response = digit_post(url, billing_token, {"tenantId": "pb.amritsar", **criteria})

    assert response.status_code == 400, response.content
    if field:
        assert field in response.json()["Errors"][0]["params"]
    assert not Bill.objects.exists()


@pytest.mark.parametrize(
    ("url", "criteria", "field"),
    [
        (BILL_SEARCH_URL, {"billId": "1,2"}, "billId[0]"),
        (BILL_SEARCH_URL, {"billNumber": "B-1", "size": "-1"}, "size"),
        (BILL_SEARCH_URL, {"billNumber": "B-1", "status": "NOPE"}, "status[0]"),
        (DEMAND_SEARCH_URL, {"consumerCode": "X", "periodFrom": "1.5"}, "periodFrom"),
        (DEMAND_SEARCH_URL, {"consumerCode": "X", "limit": "100000"}, "limit"),
    ],
)
def test_bad_search_criteria_are_400_naming_the_field(masters, digit_post, billing_token, url, criteria, field):
    response = digit_post(url, billing_token, {"tenantId": "pb.amritsar", **criteria})

    assert response.status_code == 400, response.content
    assert response.json()["Errors"][0]["params"] == [field]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"UpdateBillCriteria": "x"}, "UpdateBillCriteria"),
        ({}, "UpdateBillCriteria"),
        ({"UpdateBillCriteria": {"tenantId": "pb.amritsar", "consumerCodes": ["\x00"], "businessService": "WS"}}, None),
    ],
)
def test_a_bad_cancel_request_is_400(masters, digit_post, billing_token, body, field):
    response = digit_post(CANCEL_URL, billing_token, body=body)

    assert response.status_code == 400, response.content
    if field:
        assert response.json()["Errors"][0]["params"][0].startswith(field)
