import importlib
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from billing.models import Bill, BusinessService, Demand, TaxHead, TaxPeriod
from billing.services.masters import billing_masters_seed, masters_load
from core.errors import ApplicationError
from core.models import IdFormat, Role
from tests.billing.assertions import assert_bill_totals_consistent
from tests.billing.factories import (
    BusinessServiceFactory,
    TaxHeadFactory,
    TaxPeriodFactory,
    financial_year,
    raise_demand,
)

SEARCH_SERVICES_URL = "/billing-service/businessservices/_search"
SEARCH_HEADS_URL = "/billing-service/taxheads/_search"
SEARCH_PERIODS_URL = "/billing-service/taxperiods/_search"


def counts() -> tuple[int, int, int, int]:
    return (
        BusinessService.objects.count(),
        TaxHead.objects.count(),
        TaxPeriod.objects.count(),
        IdFormat.objects.count(),
    )


def test_seed_gives_a_state_water_property_and_permit_masters_and_number_formats(tenants):
    loaded = billing_masters_seed(state_id="pb")

    assert set(BusinessService.objects.filter(tenant_id="pb").values_list("code", flat=True)) == {"WS", "PT", "BPA"}
    assert loaded.business_services == 3 and loaded.tax_periods > 0
    assert (
        IdFormat.objects.get(tenant_id="pb", name="billnumberid").format == "BILLNO-[CITY.CODE]-[fy:yyyy-yy]-[SEQ_BILL]"
    )
    assert IdFormat.objects.filter(tenant_id="pb", name="ws.receipt.id").exists()


def test_water_service_is_shaped_like_mgramseva(tenants):
    billing_masters_seed(state_id="pb")

    water = BusinessService.objects.get(tenant_id="pb", code="WS")
    heads = set(water.tax_heads.values_list("code", flat=True))
    assert {"10101", "10102", "10201", "WS_TIME_PENALTY", "WS_TIME_INTEREST", "WS_ADVANCE_CARRYFORWARD"} <= heads
    assert "WS_Round_Off" in heads
    assert set(water.collection_modes_not_allowed) == {
        "DD",
        "CHEQUE",
        "CARD",
        "OFFLINE_NEFT",
        "OFFLINE_RTGS",
        "POSTAL_ORDER",
        "ONLINE",
    }
    assert (water.part_payment_allowed, water.is_advance_allowed) == (True, True)
    assert water.tax_heads.get(code="WS_ADVANCE_CARRYFORWARD").category == TaxHead.Category.ADVANCE_COLLECTION


def test_seeding_twice_changes_nothing_and_keeps_administrators_edits(tenants):
    billing_masters_seed(state_id="pb")
    BusinessService.objects.filter(tenant_id="pb", code="WS").update(time_penalty_percent=5)
    before = counts()

    billing_masters_seed(state_id="pb")

    assert counts() == before
    assert BusinessService.objects.get(tenant_id="pb", code="WS").time_penalty_percent == 5


def test_masters_load_only_at_state_level(tenants):
    with pytest.raises(ApplicationError, match="not a state"):
        billing_masters_seed(state_id="pb.amritsar")


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"BusinessService": [{"code": "X", "partPaymentAllowed": "yes"}]}, "BusinessService[0].partPaymentAllowed"),
        (
            {"BusinessService": [{"code": "X", "collectionModesNotAllowed": ["BARTER"]}]},
            "BusinessService[0].collectionModesNotAllowed",
        ),
        ({"BusinessService": [{"code": "X", "minAmountPayable": 1.5}]}, "BusinessService[0].minAmountPayable"),
        ({"TaxHeadMaster": [{"service": "NOPE", "code": "H"}]}, "TaxHeadMaster[0].service"),
        (
            {"BusinessService": [{"code": "X"}], "TaxHeadMaster": [{"service": "X", "code": "H"}]},
            "TaxHeadMaster[0].category",
        ),
        (
            {"BusinessService": [{"code": "X"}], "TaxPeriod": [{"service": "X", "code": "P", "periodCycle": "DAY"}]},
            "TaxPeriod[0].periodCycle",
        ),
        ({"BusinessService": "all"}, "BusinessService"),
    ],
)
def test_a_bad_masters_document_names_the_field_and_stores_nothing(tenants, document, field):
    with pytest.raises(ApplicationError) as refusal:
        masters_load(state_id="pb", document=document)

    assert refusal.value.field == field
    assert counts()[:3] == (0, 0, 0)


def test_the_data_migration_seeds_every_existing_state(tenants):
    migration = importlib.import_module("billing.migrations.0002_seed_masters")

    migration.seed_masters(apps, None)

    assert set(BusinessService.objects.values_list("tenant_id", flat=True)) == {"pb", "od"}


def test_the_load_command_reads_files_and_reports_what_it_added(tenants, tmp_path):
    extra = tmp_path / "extra.json"
    extra.write_text('{"BusinessService": [{"code": "TL", "businessService": "Trade Licence"}]}')
    out = io.StringIO()

    call_command("billing_load_masters", "--tenant", "od", str(extra), stdout=out)

    assert BusinessService.objects.get(tenant_id="od", code="TL").name == "Trade Licence"
    assert "1 business services" in out.getvalue()


def test_the_load_command_refuses_a_city(tenants):
    with pytest.raises(CommandError, match="not a state"):
        call_command("billing_load_masters", "--tenant", "pb.amritsar")


def test_the_database_refuses_a_business_service_in_a_city(tenants):
    with pytest.raises(IntegrityError):
        BusinessServiceFactory(tenant=tenants["pb.amritsar"], code="WS")


# --- Search APIs ----------------------------------------------------------------------------


def test_a_city_sees_its_states_business_services(masters, digit_post, collector_token):
    response = digit_post(SEARCH_SERVICES_URL, collector_token, {"tenantId": "pb.amritsar", "businessService": "WS"})

    [service] = response.json()["BusinessServiceDetails"]
    assert (service["code"], service["tenantId"], service["partPaymentAllowed"]) == ("WS", "pb", True)
    assert service["collectionModesNotAllowed"]


def test_another_states_masters_are_not_seen(masters, digit_post, collector_token):
    BusinessServiceFactory(tenant_id="od", code="OD_ONLY")

    response = digit_post(SEARCH_SERVICES_URL, collector_token, {"tenantId": "pb.amritsar"})

    assert {service["code"] for service in response.json()["BusinessServiceDetails"]} == {"WS", "PT", "BPA"}


def test_tax_heads_are_searched_by_service_and_category(masters, digit_post, collector_token):
    response = digit_post(
        SEARCH_HEADS_URL, collector_token, {"tenantId": "pb.amritsar", "service": "WS", "category": "PENALTY"}
    )

    heads = response.json()["TaxHeadMasters"]
    assert {head["code"] for head in heads} == {"WS_TIME_PENALTY", "WS_TIME_INTEREST", "10201"}
    assert all(head["service"] == "WS" and head["glCode"] for head in heads)


def test_tax_heads_search_refuses_an_unknown_category(masters, digit_post, collector_token):
    response = digit_post(SEARCH_HEADS_URL, collector_token, {"tenantId": "pb.amritsar", "category": "GIFT"})

    assert response.status_code == 400
    assert response.json()["Errors"][0]["params"] == ["category[0]"]


def test_tax_periods_are_searched_by_date(masters, digit_post, collector_token):
    october_2026 = 1_791_000_000_000  # 2026-10-03 IST

    response = digit_post(
        SEARCH_PERIODS_URL, collector_token, {"tenantId": "pb.amritsar", "service": "WS", "date": october_2026}
    )

    [period] = response.json()["TaxPeriods"]
    assert (period["code"], period["periodCycle"], period["financialYear"]) == ("WS2026-10", "MONTH", "2026-27")


def test_masters_search_needs_a_billing_role(masters, digit_post, make_employee, token_for):
    viewer = token_for(make_employee(Role.FUND_VIEWER, "pb.amritsar"))

    assert digit_post(SEARCH_SERVICES_URL, viewer, {"tenantId": "pb.amritsar"}).status_code == 403


# --- Admin ----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, make_employee):
    staff = make_employee(Role.SUPERUSER, "pb", is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


def test_admin_edits_a_business_service(masters, admin_client):
    water = masters["WS"]
    page = admin_client.get(f"/admin/billing/businessservice/{water.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and name not in ("tenant", "code") and value is not None
    }
    data.update(
        {
            "name": "Water Supply",
            "collection_modes_not_allowed": ["CHEQUE", "DD"],
            "tax_heads-TOTAL_FORMS": "0",
            "tax_heads-INITIAL_FORMS": "0",
        }
    )

    response = admin_client.post(f"/admin/billing/businessservice/{water.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    water.refresh_from_db()
    assert (water.name, water.collection_modes_not_allowed) == ("Water Supply", ["CHEQUE", "DD"])


def test_admin_shows_demands_and_bills_read_only(masters, admin_client, fetch):
    raise_demand()
    fetch()
    demand, bill = Demand.objects.get(), Bill.objects.get()

    demand_page = admin_client.get(f"/admin/billing/demand/{demand.pk}/change/")
    bill_page = admin_client.get(f"/admin/billing/bill/{bill.pk}/change/")
    detail_page = admin_client.get(f"/admin/billing/billdetail/{bill.details.get().pk}/change/")

    assert demand_page.status_code == bill_page.status_code == detail_page.status_code == 200
    assert b"10101" in demand_page.content and b"10101" in detail_page.content
    assert b'name="_save"' not in bill_page.content
    assert admin_client.get("/admin/billing/bill/add/").status_code == 403


def test_a_service_configured_from_scratch_bills_with_its_own_heads(tenants, fetch):
    # given a trade licence service with two heads and one tax period, and the bill number format
    licence = BusinessServiceFactory(tenant=tenants["pb"], code="TL", part_payment_allowed=False)
    TaxHeadFactory(service=licence, code="TL_FEE", category=TaxHead.Category.FEE, order=1)
    TaxHeadFactory(service=licence, code="TL_CESS", order=2)
    TaxPeriodFactory(service=licence, code="TL2026-27")
    billing_masters_seed(state_id="pb")

    # when a licence fee is raised and billed
    raise_demand(service="TL", consumer="TL-1", heads={"TL_FEE": "500", "TL_CESS": "25"}, period=financial_year(2026))
    bill = fetch(consumer="TL-1", service="TL").json()["Bill"][0]

    # then the bill has both heads in order and asks for all of it
    assert_bill_totals_consistent(bill)
    accounts = bill["billDetails"][0]["billAccountDetails"]
    assert [(a["taxHeadCode"], a["amount"]) for a in accounts] == [("TL_FEE", 500), ("TL_CESS", 25)]
    assert bill["minimumAmountPayable"] == 525
