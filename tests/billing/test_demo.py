import pytest

from billing.models import Bill, BusinessService, Demand, DemandDetail
from billing.services.demo import billing_demo_seed, demo_consumer_codes
from core.errors import ApplicationError
from tests.billing.assertions import assert_bill_totals_consistent
from tests.billing.conftest import BILL_SEARCH_URL


@pytest.fixture
def demo(tenants):
    billing_demo_seed()


def counts():
    return Demand.objects.count(), DemandDetail.objects.count(), Bill.objects.count(), BusinessService.objects.count()


def test_demo_seed_twice_changes_nothing(demo):
    before = counts()

    billing_demo_seed()

    assert counts() == before


def test_demo_consumers_live_in_more_than_one_city(demo):
    cities = set(Demand.objects.values_list("tenant_id", flat=True))

    assert {"pb.amritsar", "pb.jalandhar"} <= cities
    assert set(Demand.objects.values_list("consumer_code", flat=True)) <= set(demo_consumer_codes())


def test_demo_water_consumer_with_arrears_pays_a_time_penalty(demo, fetch):
    bill = fetch(consumer="WS-AMR-1001").json()["Bill"][0]

    assert_bill_totals_consistent(bill)
    heads = {a["taxHeadCode"] for d in bill["billDetails"] for a in d["billAccountDetails"]}
    assert "WS_TIME_PENALTY" in heads
    assert bill["additionalDetails"]["arrearBreakup"] == {"BL_10101": 140}


def test_demo_advance_lowers_a_bill_and_net_advance_gets_none(demo, fetch):
    lowered = fetch(consumer="WS-AMR-1002").json()["Bill"][0]
    in_advance = fetch(consumer="WS-AMR-1003")

    assert_bill_totals_consistent(lowered)
    assert lowered["totalAmount"] == 90
    assert in_advance.json()["Errors"][0]["code"] == "EG_BS_BILL_NET_ADVANCE"


def test_demo_mobile_number_is_shared_across_services(demo, fetch, digit_post, collector_token):
    fetch(consumer="WS-AMR-1001")
    fetch(consumer="PT-AMR-2001", service="PT")

    response = digit_post(BILL_SEARCH_URL, collector_token, {"tenantId": "pb.amritsar", "mobileNumber": "9876500001"})

    assert {bill["businessService"] for bill in response.json()["Bill"]} == {"WS", "PT"}


def test_demo_imports_the_bill_collect_sample(demo):
    bill = Bill.objects.get(consumer_code="01365-2019-HY")

    assert_bill_totals_consistent(bill)
    assert str(bill.total_amount) == "1603.00"


def test_demo_is_refused_under_production_settings(tenants, settings):
    settings.KOSH_ENVIRONMENT = "production"

    with pytest.raises(ApplicationError):
        billing_demo_seed()

    assert not Demand.objects.exists()
