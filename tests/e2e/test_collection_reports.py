"""The collection approver in Chromium: the summary with its chart, then a bank remittance of ticked receipts."""

import pytest
from playwright.sync_api import expect

from billing.services.masters import billing_masters_seed
from collection.models import InstrumentStatus, Remittance
from config.env import VAR_DIR
from core.models import Role
from ledger.services import ledger_seed
from notifications.services import sms_templates_seed
from tests.collection.receipt_factories import receipt_number, receipt_take
from tests.core.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = VAR_DIR / "test-artifacts" / "e2e"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"collection-reports-{name}.png"), full_page=True)


def test_the_approver_reads_the_summary_then_remits_the_ticked_receipts(page, make_employee):
    # given three cash receipts of the city, in water and building permits
    billing_masters_seed(state_id="pb")
    ledger_seed()
    sms_templates_seed()
    first, second = receipt_take("WS-1", "240"), receipt_take("WS-2", "120")
    third = receipt_take("BPA-1", "300", service="BPA")
    approver = make_employee(Role.COLLECTION_APPROVER, "pb.amritsar")

    # when the approver signs in and opens the collection reports from the home page, grouped by service
    page.goto("/")
    page.get_by_label("Username").fill(approver.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Collection reports").click()
    page.get_by_label("Group by").select_option("service")
    page.get_by_role("button", name="Show").click()

    # then the chart draws a bar per service, and the totals show what was collected
    expect(page.get_by_role("heading", name="Collection summary")).to_be_visible()
    expect(page.locator("svg.chart rect.chart-bar")).to_have_count(2)
    expect(page.get_by_label("Totals")).to_contain_text("660.00")
    shot(page, "1-summary")

    # when they open Bank remittance, untick the permit receipt and remit the rest to a bank account
    page.get_by_role("link", name="Bank remittance").click()
    page.get_by_label(receipt_number(third)).uncheck()
    page.get_by_label("ULB bank account").fill("SBIN000123456")
    shot(page, "2-remit")
    page.get_by_role("button", name="Remit to bank").click()

    # then the remittance is shown with its reference, its two receipts and a masked account
    remittance = Remittance.objects.get()
    expect(page.get_by_role("heading", name=f"Remittance {remittance.reference_number}")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("₹360.00 deposited in account ••••3456")
    expect(page.get_by_role("row", name=receipt_number(first))).to_contain_text("Remitted")
    expect(page.get_by_role("row", name=receipt_number(second))).to_contain_text("Remitted")
    expect(page.locator("main")).not_to_contain_text("SBIN000123456")
    shot(page, "3-remitted")
    third.refresh_from_db()
    assert third.instrument_status == InstrumentStatus.APPROVED
