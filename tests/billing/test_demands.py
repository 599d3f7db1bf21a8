from decimal import Decimal

import pytest

from billing.models import Bill, Demand
from core.digit.envelope import epoch_millis
from core.models import AuditEvent, Role
from tests.billing.conftest import DEMAND_CREATE_URL, DEMAND_SEARCH_URL, DEMAND_UPDATE_URL
from tests.billing.factories import demand_body, financial_year, month, raise_demand


@pytest.fixture
def create(digit_post, billing_token):
    def post(*demands, token=None):
        return digit_post(DEMAND_CREATE_URL, token or billing_token, body={"Demands": list(demands)})

    return post


@pytest.fixture
def update(digit_post, billing_token):
    def post(*demands):
        return digit_post(DEMAND_UPDATE_URL, billing_token, body={"Demands": list(demands)})

    return post


def update_body(demand: Demand, details: list[dict], **changes) -> dict:
    return {
        "id": str(demand.pk),
        "tenantId": demand.tenant_id,
        "consumerCode": demand.consumer_code,
        "businessService": demand.business_service.code,
        "payer": {"name": demand.payer_name, "mobileNumber": demand.payer_mobile_number},
        "taxPeriodFrom": epoch_millis(demand.tax_period_from),
        "taxPeriodTo": epoch_millis(demand.tax_period_to),
        "demandDetails": details,
        **changes,
    }


def error_of(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["Errors"][0]


# --- Create ---------------------------------------------------------------------------------


def test_create_answers_the_demand_as_digit_writes_it(masters, create):
    # given a demand as a DIGIT client sends it
    body = demand_body(minimumAmountPayable=50, additionalDetails={"meterReading": 1042})

    # when it is created
    response = create(body)

    # then 201 with `Demands`, camelCase fields, epoch milliseconds and amounts as numbers
    assert response.status_code == 201, response.content
    [demand] = response.json()["Demands"]
    assert demand["consumerCode"] == "WS-1"
    assert demand["status"] == "ACTIVE"
    assert demand["taxPeriodFrom"] == body["taxPeriodFrom"]
    assert demand["minimumAmountPayable"] == 50
    assert demand["additionalDetails"] == {"meterReading": 1042}
    assert demand["payer"]["mobileNumber"] == "9876500001"
    [detail] = demand["demandDetails"]
    assert (detail["taxHeadMasterCode"], detail["taxAmount"], detail["collectionAmount"]) == ("10101", 240, 0)
    assert demand["auditDetails"]["createdTime"] > 0


def test_create_writes_an_audit_row_per_demand(masters, create):
    response = create(demand_body(consumer="WS-1"), demand_body(consumer="WS-2"))

    ids = [demand["id"] for demand in response.json()["Demands"]]
    assert set(AuditEvent.objects.filter(action="DEMAND_CREATE").values_list("entity_id", flat=True)) == set(ids)


def test_a_second_active_demand_for_the_same_period_is_refused(masters, create):
    create(demand_body())

    error = error_of(create(demand_body()))

    assert (error["code"], error["params"]) == ("EG_BS_DUPLICATE_CONSUMERCODE", ["Demands[0].consumerCode"])
    assert Demand.objects.count() == 1


def test_one_bad_demand_stores_none_of_the_request(masters, create):
    good = demand_body(consumer="WS-1")
    bad = demand_body(
        consumer="WS-2", details=[{"taxHeadMasterCode": "10101", "taxAmount": 100, "collectionAmount": 150}]
    )

    error = error_of(create(good, bad))

    assert error["params"] == ["Demands[1].demandDetails[0].collectionAmount"]
    assert not Demand.objects.exists()


@pytest.mark.parametrize(
    ("detail", "path", "code"),
    [
        (
            {"taxHeadMasterCode": "10101", "taxAmount": 100, "collectionAmount": -1},
            "collectionAmount",
            "EG_DEMAND_DEATIL_INVALID",
        ),
        (
            {"taxHeadMasterCode": "WS_ADVANCE_CARRYFORWARD", "taxAmount": -100, "collectionAmount": -40},
            "collectionAmount",
            "EG_DEMAND_DEATIL_INVALID",
        ),
        ({"taxHeadMasterCode": "WS_TIME_REBATE", "taxAmount": 10}, "taxAmount", "EG_DEMAND_DEATIL_INVALID"),
        ({"taxHeadMasterCode": "PT_TAX", "taxAmount": 10}, "taxHeadMasterCode", "EG_BS_TAXHEADCODE_INVALID"),
        ({"taxHeadMasterCode": "10101", "taxAmount": "100.005"}, "taxAmount", "INVALID_AMOUNT"),
        ({"taxHeadMasterCode": "10101", "taxAmount": "NaN"}, "taxAmount", "INVALID_AMOUNT"),
        ({"taxHeadMasterCode": "10101", "taxAmount": True}, "taxAmount", "INVALID_AMOUNT"),
    ],
)
def test_bad_demand_details_are_400_naming_the_field(masters, create, detail, path, code):
    error = error_of(create(demand_body(details=[detail])))

    assert (error["code"], error["params"]) == (code, [f"Demands[0].demandDetails[0].{path}"])
    assert not Demand.objects.exists()


def test_a_head_twice_in_one_demand_is_refused(masters, create):
    twice = [{"taxHeadMasterCode": "10101", "taxAmount": 100}, {"taxHeadMasterCode": "10101", "taxAmount": 140}]

    error = error_of(create(demand_body(details=twice)))

    assert (error["code"], error["params"]) == (
        "EG_BS_TAXHEADCODE_DUPLICATE",
        ["Demands[0].demandDetails[1].taxHeadMasterCode"],
    )


def test_a_demand_outside_every_tax_period_is_refused(masters, create):
    # a period spanning two months fits no monthly water tax period
    body = demand_body(period=(month(2026, 9)[0], month(2026, 10)[1]))

    error = error_of(create(body))

    assert (error["code"], error["params"]) == ("EG_BS_TAXPERIODS_DEMAND", ["Demands[0].taxPeriodFrom"])


def test_a_demand_without_a_payer_is_refused(masters, create):
    body = demand_body()
    del body["payer"]

    error = error_of(create(body))

    assert error["params"] == ["Demands[0].payer"]


def test_a_payer_who_is_an_employee_is_refused(masters, create, make_employee):
    clerk = make_employee(Role.COLLECTION_OPERATOR)

    error = error_of(create(demand_body(payer={"name": clerk.name, "uuid": str(clerk.uuid)})))

    assert (error["code"], error["params"]) == ("EG_BS_DEMAND_PAYER_INVALID", ["Demands[0].payer.uuid"])


def test_a_payer_of_type_employee_is_refused(masters, create):
    error = error_of(create(demand_body(payer={"name": "A Clerk", "type": "EMPLOYEE"})))

    assert error["params"] == ["Demands[0].payer.type"]


def test_a_bad_payer_mobile_number_is_refused(masters, create):
    error = error_of(create(demand_body(payer={"name": "Someone", "mobileNumber": "12345"})))

    assert error["params"] == ["Demands[0].payer.mobileNumber"]


def test_a_fractional_total_for_a_whole_rupee_service_needs_a_round_off_head(masters, create):
    fractional = demand_body(details=[{"taxHeadMasterCode": "10101", "taxAmount": "180.60"}])
    rounded = demand_body(
        consumer="WS-2",
        details=[
            {"taxHeadMasterCode": "10101", "taxAmount": "180.60"},
            {"taxHeadMasterCode": "WS_Round_Off", "taxAmount": "0.40"},
        ],
    )

    error = error_of(create(fractional))
    accepted = create(rounded)

    assert (error["code"], error["params"]) == ("EG_BS_DEMAND_NOT_WHOLE_RUPEES", ["Demands[0].demandDetails"])
    assert "WS_Round_Off" in error["message"]
    assert accepted.status_code == 201


def test_an_advance_for_a_service_without_advances_is_refused(masters, create):
    body = demand_body(
        service="BPA",
        consumer="BPA-1",
        period=financial_year(2026),
        details=[{"taxHeadMasterCode": "BPA_PERMIT_FEE", "taxAmount": 598}],
    )
    body["demandDetails"].append({"taxHeadMasterCode": "PT_ADVANCE_CARRYFORWARD", "taxAmount": -10})

    error = error_of(create(body))

    assert error["params"] == ["Demands[0].demandDetails[1].taxHeadMasterCode"]


def test_a_demand_in_a_state_tenant_is_refused(masters, create, make_employee, token_for):
    state_admin = token_for(make_employee(Role.BILLING_ADMIN, "pb"))

    error = error_of(create(demand_body(tenant="pb"), token=state_admin))

    assert (error["code"], error["params"]) == ("EG_BS_INVALID_TENANTID", ["tenantId"])


def test_demands_of_two_tenants_in_one_request_are_refused(masters, create, make_employee, token_for):
    state_admin = token_for(make_employee(Role.BILLING_ADMIN, "pb"))

    error = error_of(create(demand_body(tenant="pb.amritsar"), demand_body(tenant="pb.jalandhar"), token=state_admin))

    assert error["code"] == "CROSS_TENANT_OP_NOT_ALLOWED"


def test_a_collector_may_not_raise_demands(masters, create, collector_token):
    response = create(demand_body(), token=collector_token)

    assert response.status_code == 403
    assert not Demand.objects.exists()


def test_an_amritsar_billing_admin_may_not_raise_a_jalandhar_demand(masters, create):
    response = create(demand_body(tenant="pb.jalandhar"))

    assert response.status_code == 403


def test_a_body_that_is_not_json_is_400(masters, api, billing_token):
    response = api.generic(
        "POST",
        DEMAND_CREATE_URL,
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {billing_token}",
    )

    assert response.status_code == 400
    assert response.json()["Errors"][0]["params"] == ["body"]


# --- Update and cancel ----------------------------------------------------------------------


def test_update_changes_the_amount_and_the_payer(masters, update):
    demand = raise_demand(heads={"10101": "240"})
    detail = demand.details.get()

    response = update(
        update_body(
            demand,
            [{"id": str(detail.pk), "taxHeadMasterCode": "10101", "taxAmount": 260}],
            payer={"name": "Gurpreet Kaur Sandhu", "mobileNumber": "9876500009"},
        )
    )

    assert response.status_code == 200, response.content
    detail.refresh_from_db()
    demand.refresh_from_db()
    assert detail.tax_amount == Decimal("260.00")
    assert (demand.payer_name, demand.payer_mobile_number) == ("Gurpreet Kaur Sandhu", "9876500009")
    assert AuditEvent.objects.filter(entity_id=str(demand.pk), action="DEMAND_UPDATE").exists()


def test_update_adds_a_head_not_on_the_demand(masters, update):
    demand = raise_demand(heads={"10101": "240"})

    update(update_body(demand, [{"taxHeadMasterCode": "WS_WATER_CESS", "taxAmount": 10}]))

    assert sorted(demand.details.values_list("tax_head__code", "tax_amount")) == [
        ("10101", Decimal("240.00")),
        ("WS_WATER_CESS", Decimal("10.00")),
    ]


def test_update_may_not_change_a_collection_amount(masters, update):
    demand = raise_demand(heads={"10101": "240"}, collected={"10101": "100"})
    detail = demand.details.get()

    error = error_of(
        update(
            update_body(
                demand,
                [{"id": str(detail.pk), "taxHeadMasterCode": "10101", "taxAmount": 240, "collectionAmount": 240}],
            )
        )
    )

    assert (error["code"], error["params"]) == (
        "EG_BS_DEMAND_COLLECTION_READONLY",
        ["Demands[0].demandDetails[0].collectionAmount"],
    )
    detail.refresh_from_db()
    assert detail.collection_amount == Decimal("100.00")


def test_update_may_not_lower_a_tax_below_what_is_collected(masters, update):
    demand = raise_demand(heads={"10101": "240"}, collected={"10101": "100"})

    error = error_of(update(update_body(demand, [{"taxHeadMasterCode": "10101", "taxAmount": 90}])))

    assert error["params"] == ["Demands[0].demandDetails[0].taxAmount"]


def test_update_may_not_move_a_demand_to_another_consumer(masters, update):
    demand = raise_demand()

    error = error_of(update(update_body(demand, [], consumerCode="WS-2")))

    assert (error["code"], error["params"]) == ("EG_BS_DEMAND_IMMUTABLE_FIELD", ["Demands[0].consumerCode"])


def test_cancelling_a_demand_expires_the_bill_and_leaves_nothing_to_bill(masters, update, fetch):
    demand = raise_demand()
    bill_id = fetch().json()["Bill"][0]["id"]

    response = update(update_body(demand, [], status="CANCELLED"))

    assert response.status_code == 200
    assert Demand.objects.get(pk=demand.pk).status == Demand.Status.CANCELLED
    assert Bill.objects.get(pk=bill_id).status == Bill.Status.EXPIRED
    assert fetch().json()["Errors"][0]["code"] == "EG_BS_BILL_NO_DEMANDS_FOUND"


def test_a_demand_with_collections_cannot_be_cancelled(masters, update):
    demand = raise_demand(heads={"10101": "240"}, collected={"10101": "100"})

    error = error_of(update(update_body(demand, [], status="CANCELLED")))

    assert error["code"] == "EG_BS_DEMAND_CANCEL_COLLECTED"
    assert Demand.objects.get(pk=demand.pk).status == Demand.Status.ACTIVE


def test_a_cancelled_demand_cannot_change(masters, update):
    demand = raise_demand()
    update(update_body(demand, [], status="CANCELLED"))

    error = error_of(update(update_body(demand, [], status="ACTIVE")))

    assert error["code"] == "EG_BS_DEMAND_NOT_ACTIVE"


def test_updating_another_citys_demand_answers_not_found(masters, update):
    jalandhar = raise_demand(tenant="pb.jalandhar")
    body = update_body(jalandhar, [], tenantId="pb.amritsar")

    response = update(body)

    assert response.status_code == 404
    assert response.json()["Errors"][0]["params"] == ["Demands[0].id"]


def test_update_without_an_id_is_400(masters, update):
    body = demand_body()

    error = error_of(update(body))

    assert error["params"] == ["Demands[0].id"]


# --- Search ---------------------------------------------------------------------------------


def test_search_by_mobile_number_finds_demands_across_services(masters, digit_post, collector_token):
    raise_demand(consumer="WS-1")
    raise_demand(service="PT", consumer="PT-1", heads={"PT_TAX": "5000"}, period=financial_year(2026))
    raise_demand(consumer="WS-2", payer={"name": "Other", "mobileNumber": "9812345678"})

    response = digit_post(DEMAND_SEARCH_URL, collector_token, {"tenantId": "pb.amritsar", "mobileNumber": "9876500001"})

    assert sorted(d["consumerCode"] for d in response.json()["Demands"]) == ["PT-1", "WS-1"]


def test_search_by_consumer_lists_newest_period_first(masters, digit_post, collector_token):
    raise_demand(period=month(2026, 9))
    raise_demand(period=month(2026, 10))

    response = digit_post(
        DEMAND_SEARCH_URL, collector_token, {"tenantId": "pb.amritsar", "consumerCode": "WS-1", "businessService": "WS"}
    )

    periods = [d["taxPeriodFrom"] for d in response.json()["Demands"]]
    assert periods == sorted(periods, reverse=True) and len(periods) == 2


def test_search_without_a_criterion_is_400_naming_them(masters, digit_post, collector_token):
    error = error_of(digit_post(DEMAND_SEARCH_URL, collector_token, {"tenantId": "pb.amritsar"}))

    assert error["code"] == "EG_BS_DEMAND_SEARCH_CRITERIA_MISSING"
    assert error["params"] == ["consumerCode", "businessService", "demandId", "mobileNumber", "email"]


def test_search_never_returns_another_citys_demands(masters, digit_post, collector_token):
    raise_demand(tenant="pb.jalandhar", consumer="WS-1")

    response = digit_post(DEMAND_SEARCH_URL, collector_token, {"tenantId": "pb.amritsar", "consumerCode": "WS-1"})

    assert response.json()["Demands"] == []


def test_search_with_a_bad_criterion_is_400_naming_it(masters, digit_post, collector_token):
    error = error_of(
        digit_post(DEMAND_SEARCH_URL, collector_token, {"tenantId": "pb.amritsar", "demandId": "42,not-a-uuid"})
    )

    assert error["params"] == ["demandId[0]"]
