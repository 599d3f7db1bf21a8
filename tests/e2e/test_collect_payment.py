"""Collect Payment in Chromium: a collector takes a partial cash payment through the confirmation dialog, downloads
the receipt PDF and opens the mini receipt."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from billing.models import Bill
from collection.models import PaymentDetail
from config.env import VAR_DIR
from core.models import Role
from tests.billing.factories import month, raise_demand
from tests.collection.conftest import masters  # noqa: F401
from tests.collection.pdfs import pdf_text
from tests.core.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = VAR_DIR / "test-artifacts" / "e2e"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"collect-payment-{name}.png"), full_page=True)


@pytest.fixture
def collector(tenants):
    return UserFactory(
        username="amritsar.collector",
        name="Gurdeep Singh",
        tenant=tenants["pb.amritsar"],
        roles=[(Role.COLLECTION_OPERATOR, "pb.amritsar")],
    )


@pytest.fixture
def consumer(masters):  # noqa: F811
    """WS-AMR-1001 as the demo has it: September part paid, October with a time penalty; 404 due."""
    raise_demand(consumer="WS-AMR-1001", period=month(2026, 9), heads={"10101": "240"}, collected={"10101": "100"})
    raise_demand(consumer="WS-AMR-1001", period=month(2026, 10), heads={"10101": "240", "WS_TIME_PENALTY": "24"})
    return "WS-AMR-1001"


def test_a_collector_takes_a_partial_cash_payment_and_gets_the_receipt(page, collector, consumer):
    # given the collector signs in and opens Collect payment from the home page
    page.goto("/")
    page.get_by_label("Username").fill(collector.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=re.compile("^Collect payment")).click()

    # when they search the consumer and open its bill
    page.get_by_label("Consumer code").fill(consumer)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=f"Open {consumer}").click()

    # then the bill shows the arrears, the penalty and the total, the amount is the total and cash is chosen
    expect(page.get_by_role("heading", name=consumer)).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("BL_10101"))).to_contain_text("140.00")
    expect(page.get_by_role("row", name=re.compile("Penalty"))).to_contain_text("24.00")
    amount = page.get_by_label("Amount to pay (₹)")
    expect(amount).to_have_value("404")
    expect(page.get_by_role("radio", name="Cash")).to_be_checked()
    shot(page, "1-bill")

    # when they type a lower amount and press Collect payment
    amount.fill("150")
    expect(page.locator("#amount-kind")).to_contain_text("Partial payment: ₹254.00 will remain due.")
    page.get_by_role("button", name="Collect payment").click()

    # then the confirmation dialog shows the amount, and nothing is taken until they confirm
    dialog = page.get_by_role("dialog", name="Confirm payment")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("₹150.00")
    shot(page, "2-confirm")
    assert not PaymentDetail.objects.exists()
    dialog.get_by_role("button", name="Confirm").click()

    # then the success page shows the receipt number and the SMS note
    expect(page.get_by_role("heading", name="Payment collected")).to_be_visible()
    receipt = PaymentDetail.objects.get()
    assert receipt.total_amount_paid == Decimal("150.00")
    assert receipt.bill.status == Bill.Status.PARTIALLY_PAID
    expect(page.locator("[data-receipt-number]")).to_have_text(receipt.receipt_number)
    expect(page.locator(".sms-note")).to_contain_text("Receipt SMS sent")
    shot(page, "3-success")

    # when they download the PDF: a real PDF with the receipt number in it
    with page.expect_download() as download:
        page.get_by_role("link", name="Download receipt (PDF)").click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    assert receipt.receipt_number in pdf_text(data)
    assert download.value.suggested_filename == f"receipt-{receipt.receipt_number.replace('/', '-')}.pdf"

    # and open the mini receipt
    page.get_by_role("link", name="Print mini receipt").click()
    mini = page.get_by_role("main", name=f"Mini receipt {receipt.receipt_number}")
    expect(mini).to_contain_text("Amount paid:")
    expect(mini).to_contain_text("Rs. 150.00")
    expect(mini).to_contain_text("Pending:")
    expect(mini).to_contain_text("Rs. 254.00")
    shot(page, "4-mini-receipt")
