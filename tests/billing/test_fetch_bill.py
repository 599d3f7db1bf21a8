from datetime import date, datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from billing.dates import IST, ist_day_end
from billing.models import Bill, Demand, DemandDetail
from billing.services.consumers import bill_status_change
from core.digit.envelope import epoch_millis
from core.models import AuditEvent
from tests.billing.assertions import assert_bill_totals_consistent
from tests.billing.conftest import DEMAND_UPDATE_URL, FETCH_URL
from tests.billing.factories import financial_year, month, raise_demand

OCT_2026 = month(2026, 10)
NOV_2026 = month(2026, 11)


def amounts_by_head(bill: dict) -> dict[str, Decimal]:
    heads: dict[str, Decimal] = {}
    for detail in bill["billDetails"]:
        for account in detail["billAccountDetails"]:
            code = account["taxHeadCode"]
            heads[code] = heads.get(code, Decimal(0)) + Decimal(str(account["amount"]))
    return heads


def test_fetch_builds_a_bill_from_open_demands_in_the_digit_shape(masters, fetch):
    # given two months of water charges, the first part paid
    raise_demand(period=month(2026, 9), heads={"10101": "240"}, collected={"10101": "100"})
    raise_demand(period=OCT_2026, heads={"10101": "240"})

    # when the bill is fetched
    response = fetch()

    # then one bill with one detail per demand, dues = tax − collection, and the envelope DIGIT clients read
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"ResponseInfo", "Bill"}
    assert body["ResponseInfo"]["status"] == "successful"
    [bill] = body["Bill"]
    assert_bill_totals_consistent(bill)
    assert bill["totalAmount"] == 380
    assert [detail["amount"] for detail in bill["billDetails"]] == [140, 240]
    assert bill["status"] == "ACTIVE"
    assert bill["billNumber"].startswith("BILLNO-AMR-")
    assert (bill["payerName"], bill["mobileNumber"]) == ("Gurpreet Kaur", "9876500001")


def test_fetch_twice_answers_the_same_bill(masters, fetch):
    # given a consumer with a demand
    raise_demand()

    # when the bill is fetched twice
    first = fetch().json()["Bill"][0]
    second = fetch().json()["Bill"][0]

    # then the second answer is the first bill, and only one bill exists
    assert_bill_totals_consistent(second)
    assert (second["id"], second["billNumber"]) == (first["id"], first["billNumber"])
    assert Bill.objects.count() == 1


def test_a_repeated_fetch_of_a_valid_bill_reads_nothing_from_the_database(masters, fetch):
    # given a consumer whose bill was built by one fetch and read by another
    raise_demand()
    fetch()
    first = fetch().json()["Bill"][0]

    # when it is fetched again
    with CaptureQueriesContext(connection) as queries:
        second = fetch().json()["Bill"][0]

    # then the same bill comes from the lookup cache
    assert second == first
    assert queries.captured_queries == []


def test_a_bill_paid_after_a_fetch_is_not_answered_from_the_cache(masters, fetch):
    # given a fetched bill that is then paid in full
    raise_demand()
    first = fetch().json()["Bill"][0]
    bill = Bill.objects.get(pk=first["id"])
    bill_status_change(bill=bill, to_status=Bill.Status.PAID, actor=None, source_ip=None, reason="paid")

    # when the consumer's bill is fetched again
    response = fetch()

    # then the paid bill is not offered as payable again
    assert response.status_code == 200
    assert response.json()["Bill"][0]["id"] != first["id"]


def test_changing_a_demand_expires_the_bill_and_the_next_fetch_has_the_new_total(
    masters, fetch, digit_post, billing_token
):
    # given a fetched bill of 240
    demand = raise_demand(heads={"10101": "240"})
    old = fetch().json()["Bill"][0]
    detail = demand.details.get()

    # when the billing administrator raises the charge to 300
    update = {
        "Demands": [
            {
                "id": str(demand.pk),
                "tenantId": "pb.amritsar",
                "consumerCode": "WS-1",
                "businessService": "WS",
                "payer": {"name": "Gurpreet Kaur", "mobileNumber": "9876500001"},
                "taxPeriodFrom": epoch_millis(demand.tax_period_from),
                "taxPeriodTo": epoch_millis(demand.tax_period_to),
                "demandDetails": [{"id": str(detail.pk), "taxHeadMasterCode": "10101", "taxAmount": 300}],
            }
        ]
    }
    assert digit_post(DEMAND_UPDATE_URL, billing_token, body=update).status_code == 200

    # then the old bill is EXPIRED and the next fetch makes a new bill of 300
    assert Bill.objects.get(pk=old["id"]).status == Bill.Status.EXPIRED
    new = fetch().json()["Bill"][0]
    assert_bill_totals_consistent(new)
    assert new["id"] != old["id"]
    assert new["totalAmount"] == 300


def test_a_new_demand_expires_the_consumers_active_bill(masters, fetch):
    # given a fetched bill for October
    raise_demand(period=OCT_2026)
    old = fetch().json()["Bill"][0]

    # when November's demand is raised
    raise_demand(period=NOV_2026, heads={"10101": "250"})

    # then the October bill is expired and the new bill covers both months
    assert Bill.objects.get(pk=old["id"]).status == Bill.Status.EXPIRED
    new = fetch().json()["Bill"][0]
    assert_bill_totals_consistent(new)
    assert new["totalAmount"] == 490
    assert AuditEvent.objects.filter(entity_id=old["id"], action="BILL_EXPIRED", to_state="EXPIRED").exists()


def test_bill_expires_at_the_end_of_its_last_day_in_india(masters, fetch):
    # given property tax, whose bills stay valid 30 days
    with freeze_time(datetime(2026, 11, 21, 22, 0, tzinfo=IST)):
        raise_demand(service="PT", consumer="PT-1", heads={"PT_TAX": "5000"}, period=financial_year(2026))

        # when its bill is fetched at 10 pm
        bill = fetch(consumer="PT-1", service="PT").json()["Bill"][0]

    # then every detail expires at 23:59:59 IST thirty days on
    assert_bill_totals_consistent(bill)
    expected = epoch_millis(datetime(2026, 12, 21, 23, 59, 59, tzinfo=IST))
    assert [detail["expiryDate"] for detail in bill["billDetails"]] == [expected]


def test_demand_expiry_time_and_fixed_expiry_date_set_the_bill_expiry(masters, fetch):
    # given a demand valid three days, and one with a fixed expiry date ahead
    now = datetime(2026, 11, 21, 9, 0, tzinfo=IST)
    with freeze_time(now):
        raise_demand(service="PT", consumer="PT-1", heads={"PT_TAX": "5000"}, period=financial_year(2026))
        raise_demand(service="PT", consumer="PT-2", heads={"PT_TAX": "5000"}, period=financial_year(2026))
        Demand.objects.filter(consumer_code="PT-1").update(bill_expiry_time=3 * 86_400_000)
        Demand.objects.filter(consumer_code="PT-2").update(
            fixed_bill_expiry_date=datetime(2026, 12, 5, 10, 0, tzinfo=IST)
        )

        # when their bills are fetched
        three_days = fetch(consumer="PT-1", service="PT").json()["Bill"][0]
        fixed = fetch(consumer="PT-2", service="PT").json()["Bill"][0]

    # then they expire at the end of those days
    assert three_days["billDetails"][0]["expiryDate"] == epoch_millis(ist_day_end(date(2026, 11, 24)))
    assert fixed["billDetails"][0]["expiryDate"] == epoch_millis(ist_day_end(date(2026, 12, 5)))


def test_an_expired_bill_becomes_expired_and_a_new_bill_is_made(masters, fetch):
    # given a property tax bill fetched on 21 November
    with freeze_time(datetime(2026, 11, 21, 10, 0, tzinfo=IST)):
        raise_demand(service="PT", consumer="PT-1", heads={"PT_TAX": "5000"}, period=financial_year(2026))
        old = fetch(consumer="PT-1", service="PT").json()["Bill"][0]

    # when it is fetched after its expiry
    with freeze_time(datetime(2026, 12, 22, 0, 0, 1, tzinfo=IST)):
        new = fetch(consumer="PT-1", service="PT").json()["Bill"][0]

    # then the old bill is EXPIRED and a new one, with a new number, is ACTIVE
    assert_bill_totals_consistent(new)
    assert Bill.objects.get(pk=old["id"]).status == Bill.Status.EXPIRED
    assert new["billNumber"] != old["billNumber"]
    assert Bill.objects.filter(status=Bill.Status.ACTIVE).count() == 1


def test_after_the_due_date_the_water_bill_carries_the_time_penalty_once(masters, fetch):
    # given October's water charges raised on 1 November (due 15 days later, 10% penalty)
    with freeze_time(datetime(2026, 11, 1, 11, 0, tzinfo=IST)):
        raise_demand(period=OCT_2026, heads={"10101": "240"})
    with freeze_time(datetime(2026, 11, 16, 20, 0, tzinfo=IST)):
        on_due_date = fetch().json()["Bill"][0]

    # when the bill is fetched the day after the due date, and again two days later
    with freeze_time(datetime(2026, 11, 17, 9, 0, tzinfo=IST)):
        after = fetch().json()["Bill"][0]
    with freeze_time(datetime(2026, 11, 19, 9, 0, tzinfo=IST)):
        later = fetch().json()["Bill"][0]

    # then the bill on the due date has no penalty and expires that night; after it, WS_TIME_PENALTY of 24 is on
    # the bill, and fetching again never adds it twice
    assert "WS_TIME_PENALTY" not in amounts_by_head(on_due_date)
    assert on_due_date["billDetails"][0]["expiryDate"] == epoch_millis(ist_day_end(date(2026, 11, 16)))
    for bill in (after, later):
        assert_bill_totals_consistent(bill)
        assert amounts_by_head(bill)["WS_TIME_PENALTY"] == Decimal("24.00")
        assert bill["totalAmount"] == 264
    assert DemandDetail.objects.filter(tax_head__code="WS_TIME_PENALTY").count() == 1


def test_time_penalty_is_charged_on_unpaid_charges_only(masters, fetch):
    # given a demand of 240 of which 140 is paid, raised 20 days ago
    raise_demand(heads={"10101": "240"}, collected={"10101": "140"}, raised_days_ago=20)

    # when the bill is fetched
    bill = fetch().json()["Bill"][0]

    # then the penalty is 10% of the unpaid 100
    assert_bill_totals_consistent(bill)
    assert amounts_by_head(bill)["WS_TIME_PENALTY"] == Decimal("10.00")


def test_a_paid_up_demand_gets_no_time_penalty(masters, fetch):
    # given an old month fully paid and the latest month raised today
    raise_demand(period=month(2026, 9), heads={"10101": "240"}, collected={"10101": "240"}, raised_days_ago=60)
    raise_demand(period=OCT_2026, heads={"10101": "240"})

    # when the bill is fetched
    bill = fetch().json()["Bill"][0]

    # then nothing carries a penalty
    assert_bill_totals_consistent(bill)
    assert "WS_TIME_PENALTY" not in amounts_by_head(bill)
    assert not DemandDetail.objects.filter(tax_head__code="WS_TIME_PENALTY").exists()


def test_an_advance_on_the_consumer_lowers_the_next_bill(masters, fetch):
    # given September paid in full with 150 paid ahead
    raise_demand(
        period=month(2026, 9),
        heads={"10101": "240", "WS_ADVANCE_CARRYFORWARD": "-150"},
        collected={"10101": "240"},
    )

    # when October's 240 is raised and the bill fetched
    raise_demand(period=OCT_2026, heads={"10101": "240"})
    bill = fetch().json()["Bill"][0]

    # then the advance pays 150 of it: the bill asks 90, and the advance is used up
    assert_bill_totals_consistent(bill)
    assert bill["totalAmount"] == 90
    advance = DemandDetail.objects.get(tax_head__code="WS_ADVANCE_CARRYFORWARD")
    assert advance.collection_amount == advance.tax_amount == Decimal("-150.00")
    assert Demand.objects.get(tax_period_from__month=9).is_payment_completed


def test_a_consumer_in_net_advance_gets_no_bill_and_a_clear_message(masters, fetch):
    # given 500 paid ahead and October's 240 raised
    raise_demand(
        period=month(2026, 9),
        heads={"10101": "240", "WS_ADVANCE_CARRYFORWARD": "-500"},
        collected={"10101": "240"},
    )
    raise_demand(period=OCT_2026, heads={"10101": "240"})

    # when the bill is fetched
    response = fetch()

    # then no bill: a 400 saying the consumer holds an advance of 260
    assert response.status_code == 400
    [error] = response.json()["Errors"]
    assert error["code"] == "EG_BS_BILL_NET_ADVANCE"
    assert "advance of 260.00" in error["message"]
    assert error["params"] == ["consumerCode"]
    assert not Bill.objects.exists()


def test_a_consumer_with_no_open_demands_gets_a_clear_refusal(masters, fetch):
    # given a consumer whose only demand is paid
    raise_demand(heads={"10101": "240"}, collected={"10101": "240"})

    # when the bill is fetched
    response = fetch()

    # then a 400 says there is nothing to pay
    assert response.status_code == 400
    assert response.json()["Errors"][0]["code"] == "EG_BS_BILL_NO_DEMANDS_FOUND"
    assert not Bill.objects.exists()


def test_arrears_are_broken_down_per_head(masters, fetch):
    # given two unpaid months and a current one
    raise_demand(period=month(2026, 8), heads={"10101": "240", "10102": "60"})
    raise_demand(period=month(2026, 9), heads={"10101": "240"})
    raise_demand(period=OCT_2026, heads={"10101": "250"})

    # when the bill is fetched
    bill = fetch().json()["Bill"][0]

    # then additionalDetails breaks the arrears down as BL_<taxHeadCode>, beside the current amount
    assert_bill_totals_consistent(bill)
    details = bill["additionalDetails"]
    assert details["arrearBreakup"] == {"BL_10101": 480, "BL_10102": 60}
    assert (details["arrearAmount"], details["currentAmount"]) == (540, 250)
    purposes = {a["purpose"] for d in bill["billDetails"][:2] for a in d["billAccountDetails"]}
    assert purposes == {"ARREAR_AMOUNT"}


def test_the_bill_carries_the_minimum_payable_and_the_collection_rules(masters, fetch):
    # given property tax (minimum 100, part payment allowed) and a permit fee (no part payment)
    raise_demand(service="PT", consumer="PT-1", heads={"PT_TAX": "5000"}, period=financial_year(2026))
    raise_demand(service="BPA", consumer="BPA-1", heads={"BPA_PERMIT_FEE": "598"}, period=financial_year(2026))

    # when their bills are fetched
    tax = fetch(consumer="PT-1", service="PT").json()["Bill"][0]
    fee = fetch(consumer="BPA-1", service="BPA").json()["Bill"][0]

    # then the minimum payable is on each bill: the service's minimum, or everything
    assert_bill_totals_consistent(tax)
    assert_bill_totals_consistent(fee)
    assert (tax["minimumAmountPayable"], tax["partPaymentAllowed"]) == (100, True)
    assert (fee["minimumAmountPayable"], fee["partPaymentAllowed"]) == (598, False)
    assert tax["collectionModesNotAllowed"] == ["POSTAL_ORDER"]


def test_water_bill_leaves_only_cash_as_mgramseva_does(masters, fetch):
    raise_demand()

    bill = fetch().json()["Bill"][0]

    assert_bill_totals_consistent(bill)
    assert set(bill["collectionModesNotAllowed"]) == {
        "CHEQUE",
        "DD",
        "CARD",
        "ONLINE",
        "OFFLINE_NEFT",
        "OFFLINE_RTGS",
        "POSTAL_ORDER",
    }


def test_fetch_without_business_service_is_400_naming_it(masters, digit_post, collector_token):
    response = digit_post(FETCH_URL, collector_token, {"tenantId": "pb.amritsar", "consumerCode": "WS-1"})

    assert response.status_code == 400
    [error] = response.json()["Errors"]
    assert (error["code"], error["params"]) == ("BILL_GEN_MANDATORY_FIELDS_MISSING", ["businessService"])


def test_fetch_without_any_criterion_is_400_naming_the_choices(masters, digit_post, collector_token):
    response = digit_post(FETCH_URL, collector_token, {"tenantId": "pb.amritsar"})

    assert response.status_code == 400
    assert response.json()["Errors"][0]["params"] == [
        "businessService",
        "consumerCode",
        "demandId",
        "mobileNumber",
        "email",
    ]


def test_fetch_by_demand_id_bills_that_demands_consumer(masters, digit_post, collector_token):
    demand = raise_demand(consumer="WS-9")

    response = digit_post(FETCH_URL, collector_token, {"tenantId": "pb.amritsar", "demandId": str(demand.pk)})

    [bill] = response.json()["Bill"]
    assert_bill_totals_consistent(bill)
    assert bill["consumerCode"] == "WS-9"


def test_fetch_by_mobile_number_bills_each_consumer_across_services(masters, digit_post, collector_token):
    raise_demand(consumer="WS-1")
    raise_demand(service="PT", consumer="PT-1", heads={"PT_TAX": "5000"}, period=financial_year(2026))
    raise_demand(consumer="WS-2", payer={"name": "Someone Else", "mobileNumber": "9812345678"})

    response = digit_post(FETCH_URL, collector_token, {"tenantId": "pb.amritsar", "mobileNumber": "9876500001"})

    bills = response.json()["Bill"]
    for bill in bills:
        assert_bill_totals_consistent(bill)
    assert sorted((bill["businessService"], bill["consumerCode"]) for bill in bills) == [
        ("PT", "PT-1"),
        ("WS", "WS-1"),
    ]


def test_fetch_in_a_state_tenant_is_refused(masters, digit_post, make_employee, token_for):
    state_collector = token_for(make_employee(tenant="pb"))

    response = digit_post(
        FETCH_URL, state_collector, {"tenantId": "pb", "consumerCode": "WS-1", "businessService": "WS"}
    )

    assert response.status_code == 400
    assert response.json()["Errors"][0]["code"] == "EG_BS_INVALID_TENANTID"


def test_fetch_of_an_unknown_business_service_is_400_naming_it(masters, fetch):
    response = fetch(service="XX")

    assert response.status_code == 400
    assert response.json()["Errors"][0]["params"] == ["businessService"]


def test_bill_generation_writes_an_audit_row(masters, fetch):
    raise_demand()

    bill = fetch().json()["Bill"][0]

    event = AuditEvent.objects.get(entity_id=bill["id"], action="BILL_GENERATE")
    assert (event.tenant_id, event.to_state) == ("pb.amritsar", "ACTIVE")


def test_bill_numbers_follow_the_state_format_with_the_city_code_and_financial_year(masters, fetch):
    with freeze_time(datetime(2026, 11, 21, 10, 0, tzinfo=IST)):
        raise_demand(consumer="WS-1")
        raise_demand(consumer="WS-2")
        first = fetch(consumer="WS-1").json()["Bill"][0]
        second = fetch(consumer="WS-2").json()["Bill"][0]

    assert (first["billNumber"], second["billNumber"]) == (
        "BILLNO-AMR-2026-27-000001",
        "BILLNO-AMR-2026-27-000002",
    )


def test_unauthenticated_fetch_is_401(masters, api):
    response = api.post(f"{FETCH_URL}?tenantId=pb.amritsar&consumerCode=WS-1&businessService=WS", {}, format="json")

    assert response.status_code == 401


def test_a_penalty_rate_without_its_tax_head_is_a_clear_refusal(masters, fetch):
    # given water demands past their due date, but the penalty head removed from the masters
    raise_demand(raised_days_ago=20)
    masters["WS"].tax_heads.filter(code="WS_TIME_PENALTY").delete()

    # when the bill is fetched
    response = fetch()

    # then a 400 names the missing head and no bill is made
    assert response.status_code == 400
    [error] = response.json()["Errors"]
    assert error["code"] == "EG_BS_PENALTY_HEAD_MISSING"
    assert "WS_TIME_PENALTY" in error["message"]
    assert not Bill.objects.exists()


def test_a_repeated_fetch_answers_the_bill_exactly_as_first_written(masters, fetch):
    # given three months with several heads each, and the bill built by a first fetch
    raise_demand(period=month(2026, 8), heads={"10101": "240", "10102": "60", "WS_WATER_CESS": "10"})
    raise_demand(period=month(2026, 9), heads={"WS_WATER_CESS": "10", "10101": "240"}, collected={"10101": "40"})
    raise_demand(period=OCT_2026, heads={"10101": "250"})
    first = fetch().json()["Bill"]

    # when the still-valid bill is fetched again (read by the one-query path)
    again = fetch().json()["Bill"]

    # then it is the same bill, detail for detail and head for head, in the same order
    assert again == first
    assert [[a["taxHeadCode"] for a in d["billAccountDetails"]] for d in again[0]["billDetails"]] == [
        ["10101", "10102", "WS_WATER_CESS"],
        ["10101", "WS_WATER_CESS"],
        ["10101"],
    ]


def test_fetching_several_consumers_at_once_answers_each_bill_in_the_order_asked(masters, digit_post, collector_token):
    for consumer in ("WS-1", "WS-2", "WS-3"):
        raise_demand(consumer=consumer)
    criteria = {"tenantId": "pb.amritsar", "consumerCode": "WS-3,WS-1,WS-2", "businessService": "WS"}

    first = digit_post(FETCH_URL, collector_token, criteria).json()["Bill"]
    again = digit_post(FETCH_URL, collector_token, criteria).json()["Bill"]

    assert [bill["consumerCode"] for bill in first] == ["WS-3", "WS-1", "WS-2"]
    assert again == first
