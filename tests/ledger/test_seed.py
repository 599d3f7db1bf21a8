import io

import pytest
from django.core.management import call_command

from core.models import IdFormat, Tenant
from ledger.models import GLCode
from ledger.services import CHART_OF_ACCOUNTS, VOUCHER_NUMBER_FORMAT, ledger_seed
from tests.core.factories import TenantFactory
from tests.ledger.factories import CASH, receipt_post


def test_seed_opens_the_books_of_punjab_and_odisha_at_state_level(tenants):
    # given the demo tenants
    # when the ledger is seeded
    ledger_seed()

    # then each state has the whole chart and the voucher number format, and no city has its own
    for state in ("pb", "od"):
        assert set(GLCode.objects.filter(tenant_id=state).values_list("code", "name", "type")) == set(CHART_OF_ACCOUNTS)
        voucher_format = IdFormat.objects.get(tenant_id=state, name="voucher.number")
        assert (voucher_format.format, voucher_format.reset) == (VOUCHER_NUMBER_FORMAT, IdFormat.Reset.FINANCIAL_YEAR)
    assert set(GLCode.objects.values_list("tenant_id", flat=True)) == {"pb", "od"}


def test_seed_twice_adds_nothing_and_keeps_administrators_edits(tenants):
    # given a seeded ledger whose cash account an administrator renamed
    ledger_seed()
    GLCode.objects.filter(tenant_id="pb", code=CASH).update(name="Cash at the Amritsar counters")
    count = GLCode.objects.count()

    # when it is seeded again
    ledger_seed()

    # then nothing is added and the new name stays
    assert GLCode.objects.count() == count
    assert GLCode.objects.get(tenant_id="pb", code=CASH).name == "Cash at the Amritsar counters"
    assert IdFormat.objects.filter(name="voucher.number").count() == 2


@pytest.mark.django_db
def test_seed_skips_states_that_do_not_exist_yet():
    # given a fresh database with Odisha only
    TenantFactory(code="od")

    # when the ledger is seeded
    ledger_seed()

    # then only Odisha's books are opened, without error
    assert set(GLCode.objects.values_list("tenant_id", flat=True)) == {"od"}
    assert not Tenant.objects.filter(code="pb").exists()


def test_seed_ledger_command_opens_the_books(tenants):
    # given the demo tenants
    out = io.StringIO()

    # when the command runs
    call_command("seed_ledger", stdout=out)

    # then the chart is there
    assert GLCode.objects.filter(tenant_id="pb", code=CASH).exists()
    assert "ready" in out.getvalue()


@pytest.mark.django_db
def test_demo_seed_opens_the_books_so_a_demo_city_can_post():
    # given the demo data
    call_command("seed_demo", stdout=io.StringIO())

    # when Angul posts a receipt voucher
    voucher = receipt_post(tenant_id="od.angul")

    # then it is numbered with Odisha's format
    assert voucher.number == "2026-27/06/000001"
