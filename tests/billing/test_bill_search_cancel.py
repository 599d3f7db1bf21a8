import pytest

from billing.models import Bill
from core.models import AuditEvent, Role
from tests.billing.assertions import assert_bill_totals_consistent
from tests.billing.conftest import BILL_SEARCH_URL, CANCEL_URL, FETCH_URL, GENERATE_URL
from tests.billing.factories import financial_year, month, raise_demand


@pytest.fixture
def search(digit_post, collector_token):
    def post(token=None, **criteria):
        return digit_post(BILL_SEARCH_URL, token or collector_token, {"tenantId": "pb.amritsar", **criteria})

    return post


@pytest.fixture
def cancel(digit_post, billing_token):
    def post(consumer="WS-1", service="WS", tenant="pb.amritsar", token=None, reason="wrong meter reading"):
        criteria = {
            "tenantId": tenant,
            "consumerCodes": [consumer],
            "businessService": service,
            "additionalDetails": {"reason": reason},
        }
        return digit_post(CANCEL_URL, token or billing_token, body={"UpdateBillCriteria": criteria})

    return post


# --- Search ---------------------------------------------------------------------------------


def test_search_by_mobile_number_returns_bills_across_services(masters, fetch, search):
    # given one payer with a water connection and a property, and another payer
    raise_demand(consumer="WS-1")
    raise_demand(service="PT", consumer="PT-1", heads={"PT_TAX": "5000"}, period=financial_year(2026))
    raise_demand(consumer="WS-2", payer={"name": "Other", "mobileNumber": "9812345678"})
    for consumer, service in (("WS-1", "WS"), ("PT-1", "PT"), ("WS-2", "WS")):
        fetch(consumer=consumer, service=service)

    # when bills are searched by the first payer's mobile number
    response = search(mobileNumber="9876500001")

    # then both of that payer's bills come back, of two services
    bills = response.json()["Bill"]
    for bill in bills:
        assert_bill_totals_consistent(bill)
    assert sorted((bill["businessService"], bill["consumerCode"]) for bill in bills) == [("PT", "PT-1"), ("WS", "WS-1")]


def test_search_by_consumer_code_and_service_lists_every_status(masters, fetch, search):
    raise_demand(period=month(2026, 9))
    expired = fetch().json()["Bill"][0]
    raise_demand(period=month(2026, 10))
    active = fetch().json()["Bill"][0]

    bills = search(consumerCode="WS-1", service="WS").json()["Bill"]

    assert {(bill["id"], bill["status"]) for bill in bills} == {(expired["id"], "EXPIRED"), (active["id"], "ACTIVE")}


def test_search_by_status_filters(masters, fetch, search):
    raise_demand(period=month(2026, 9))
    fetch()
    raise_demand(period=month(2026, 10))
    active = fetch().json()["Bill"][0]

    bills = search(consumerCode="WS-1", service="WS", status="ACTIVE").json()["Bill"]

    assert [bill["id"] for bill in bills] == [active["id"]]


def test_search_by_bill_id_and_by_bill_number(masters, fetch, search):
    raise_demand()
    bill = fetch().json()["Bill"][0]

    by_id = search(billId=bill["id"]).json()["Bill"]
    by_number = search(billNumber=bill["billNumber"]).json()["Bill"]

    assert [b["id"] for b in by_id] == [b["id"] for b in by_number] == [bill["id"]]
    assert_bill_totals_consistent(by_id[0])


def test_search_without_a_required_criterion_is_400_naming_them(masters, search):
    response = search(status="ACTIVE")

    assert response.status_code == 400
    [error] = response.json()["Errors"]
    assert error["code"] == "BILL_SEARCH_MANDATORY_FIELDS_MISSING"
    assert error["params"] == ["billId", "billNumber", "consumerCode", "mobileNumber", "email"]


def test_search_by_consumer_code_without_service_is_400_naming_service(masters, search):
    response = search(consumerCode="WS-1")

    assert response.status_code == 400
    [error] = response.json()["Errors"]
    assert (error["code"], error["params"]) == ("BILL_SEARCH_CONSUMERCODE_BUSINESSSERVICE", ["service"])


def test_search_with_a_bad_bill_id_is_400_naming_it(masters, search):
    response = search(billId="nonsense")

    assert response.status_code == 400
    assert response.json()["Errors"][0]["params"] == ["billId[0]"]


def test_bill_v2_spells_response_info_correctly(masters, fetch, search):
    raise_demand()
    fetch()

    body = search(consumerCode="WS-1", service="WS").json()

    assert "ResponseInfo" in body and "ResposneInfo" not in body


# --- Tenant isolation -----------------------------------------------------------------------


@pytest.fixture
def jalandhar_token(make_employee, token_for):
    return token_for(make_employee(Role.COLLECTION_OPERATOR, "pb.jalandhar"))


def test_a_city_employee_cannot_fetch_another_citys_bill(masters, fetch, jalandhar_token):
    # given an Amritsar consumer
    raise_demand(tenant="pb.amritsar", consumer="WS-1")

    # when a Jalandhar collector fetches it, naming Amritsar or their own city
    in_amritsar = fetch(tenant="pb.amritsar", token=jalandhar_token)
    in_jalandhar = fetch(tenant="pb.jalandhar", token=jalandhar_token)

    # then Amritsar refuses them and Jalandhar has no such consumer; no bill is made
    assert in_amritsar.status_code == 403
    assert in_jalandhar.status_code == 400
    assert in_jalandhar.json()["Errors"][0]["code"] == "EG_BS_BILL_NO_DEMANDS_FOUND"
    assert not Bill.objects.exists()


def test_a_city_employee_cannot_search_another_citys_bills(masters, fetch, search, jalandhar_token):
    # given an Amritsar bill
    raise_demand(tenant="pb.amritsar", consumer="WS-1")
    bill = fetch().json()["Bill"][0]

    # when a Jalandhar collector searches for it by id, in Amritsar and in their own city
    in_amritsar = search(token=jalandhar_token, billId=bill["id"])
    in_jalandhar = search(token=jalandhar_token, tenantId="pb.jalandhar", billId=bill["id"])
    by_mobile = search(token=jalandhar_token, tenantId="pb.jalandhar", mobileNumber="9876500001")

    # then Amritsar refuses them and Jalandhar finds nothing
    assert in_amritsar.status_code == 403
    assert in_jalandhar.json()["Bill"] == []
    assert by_mobile.json()["Bill"] == []


def test_a_state_role_covers_its_cities(masters, fetch, make_employee, token_for):
    raise_demand(tenant="pb.jalandhar", consumer="WS-7")
    state_integrator = token_for(make_employee(Role.INTEGRATOR, "pb"))

    response = fetch(consumer="WS-7", tenant="pb.jalandhar", token=state_integrator)

    assert response.status_code == 200
    assert_bill_totals_consistent(response.json()["Bill"][0])


def test_a_role_outside_billing_may_not_fetch(masters, fetch, make_employee, token_for):
    raise_demand()
    pi_creator = token_for(make_employee(Role.PI_CREATOR, "pb.amritsar"))

    assert fetch(token=pi_creator).status_code == 403


# --- Generate -------------------------------------------------------------------------------


def test_generate_always_makes_a_new_bill_and_expires_the_active_one(masters, fetch, digit_post, collector_token):
    raise_demand()
    first = fetch().json()["Bill"][0]

    response = digit_post(
        GENERATE_URL, collector_token, {"tenantId": "pb.amritsar", "consumerCode": "WS-1", "businessService": "WS"}
    )

    assert response.status_code == 201
    generated = response.json()["Bill"][0]
    assert_bill_totals_consistent(generated)
    assert generated["id"] != first["id"]
    assert Bill.objects.get(pk=first["id"]).status == Bill.Status.EXPIRED
    assert Bill.objects.filter(status=Bill.Status.ACTIVE).count() == 1


def test_an_integrator_may_fetch_but_not_generate(masters, digit_post, make_employee, token_for):
    raise_demand()
    integrator = token_for(make_employee(Role.INTEGRATOR, "pb.amritsar"))
    criteria = {"tenantId": "pb.amritsar", "consumerCode": "WS-1", "businessService": "WS"}

    assert digit_post(FETCH_URL, integrator, criteria).status_code == 200
    assert digit_post(GENERATE_URL, integrator, criteria).status_code == 403


# --- Cancel ---------------------------------------------------------------------------------


def test_cancel_cancels_the_active_bill_with_the_reason(masters, fetch, cancel):
    raise_demand()
    bill = fetch().json()["Bill"][0]

    response = cancel()

    assert response.status_code == 200, response.content
    assert bill["billNumber"] in response.json()["Message"]
    assert Bill.objects.get(pk=bill["id"]).status == Bill.Status.CANCELLED
    event = AuditEvent.objects.get(entity_id=bill["id"], action="BILL_CANCELLED")
    assert (event.from_state, event.to_state, event.reason) == ("ACTIVE", "CANCELLED", "wrong meter reading")


def test_after_cancelling_the_next_fetch_makes_a_new_bill(masters, fetch, cancel):
    raise_demand()
    old = fetch().json()["Bill"][0]
    cancel()

    new = fetch().json()["Bill"][0]

    assert_bill_totals_consistent(new)
    assert new["id"] != old["id"]


def test_cancel_without_an_active_bill_is_400(masters, cancel):
    raise_demand()

    response = cancel()

    assert response.status_code == 400
    assert response.json()["Errors"][0]["code"] == "EG_BS_BILL_CANCEL_NO_ACTIVE"


def test_a_paid_bill_cannot_be_cancelled(masters, fetch, cancel):
    raise_demand()
    bill = fetch().json()["Bill"][0]
    Bill.objects.filter(pk=bill["id"]).update(status=Bill.Status.PAID)

    response = cancel()

    assert response.status_code == 400
    assert response.json()["Errors"][0]["code"] == "EG_BS_BILL_CANCEL_PAID"
    assert Bill.objects.get(pk=bill["id"]).status == Bill.Status.PAID


def test_cancel_takes_exactly_one_consumer_code(masters, digit_post, billing_token):
    criteria = {"tenantId": "pb.amritsar", "consumerCodes": ["WS-1", "WS-2"], "businessService": "WS"}

    response = digit_post(CANCEL_URL, billing_token, body={"UpdateBillCriteria": criteria})

    assert response.status_code == 400
    assert response.json()["Errors"][0]["params"] == ["UpdateBillCriteria.consumerCodes"]


def test_cancelling_another_citys_bill_is_refused(masters, fetch, cancel):
    raise_demand(tenant="pb.jalandhar")

    response = cancel(tenant="pb.jalandhar")

    assert response.status_code == 403


def test_a_collector_may_not_cancel_bills(masters, fetch, cancel, collector_token):
    raise_demand()
    bill = fetch().json()["Bill"][0]

    response = cancel(token=collector_token)

    assert response.status_code == 403
    assert Bill.objects.get(pk=bill["id"]).status == Bill.Status.ACTIVE
