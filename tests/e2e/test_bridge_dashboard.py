"""The bridge operator in Chromium: an envelope's stage progress, a statement upload, the review queue."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from bridge.models import Disbursement, EnvelopeStage
from config.env import VAR_DIR
from core.models import Role
from tests.bridge.factories import BenefitProgramFactory, DisbursementFactory, EnvelopeFactory
from tests.bridge.statements import line, statement
from tests.core.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = VAR_DIR / "test-artifacts" / "e2e"


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"bridge-{name}.png"), full_page=True)


@pytest.fixture
def operator(tenants):
    return UserFactory(
        username="amritsar.bridge",
        name="Ravi Kumar",
        tenant=tenants["pb.amritsar"],
        roles=[(Role.BRIDGE_OPERATOR, "pb.amritsar")],
    )


@pytest.fixture
def envelope(tenants):
    """An envelope whose funds are blocked, two of three batches sent, waiting for the bank's statement."""
    program = BenefitProgramFactory(mnemonic="OAP", sponsor_bank_account_number="500000000001")
    envelope = EnvelopeFactory(program=program, envelope_id="ENV-NOV")
    for n in range(1, 4):
        DisbursementFactory(
            envelope=envelope, disbursement_id=f"D-{n}", amount=Decimal("200.00"), status=Disbursement.Status.SHIPPED
        )
    for name in ("RESOLVE", "FUNDS_CHECK", "FUNDS_BLOCK"):
        EnvelopeStage.objects.filter(envelope=envelope, stage=name).update(status="DONE", attempts=1)
    EnvelopeStage.objects.filter(envelope=envelope, stage="DISPATCH").update(status="DONE", attempts=1)
    EnvelopeStage.objects.filter(envelope=envelope, stage="RECONCILE").update(status="PENDING")
    return envelope


def sign_in(page, user):
    page.goto("/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_envelope_page_shows_the_stage_progress_and_the_review_queue(page, operator, envelope, tmp_path):
    # Given a signed-in operator and a statement with one paid line and one the bank got wrong
    sign_in(page, operator)
    page.get_by_role("link", name=re.compile("^Bank statements")).click()
    upload = tmp_path / "nov.sta"
    upload.write_bytes(statement([line("D", "D-1", "200.00"), line("D", "D-2", "150.00")]))
    page.get_by_label("MT940 statement file").set_input_files(str(upload))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", name=re.compile("nov.sta"))).to_be_visible()
    page.reload()
    expect(page.locator(".figures")).to_contain_text("Paid")
    screenshot(page, "statement")

    # When they open the envelope
    page.goto(f"/bridge/envelopes/{envelope.pk}/")

    # Then each stage has its progress bar, and the mismatched line waits in the review list
    bars = page.get_by_role("progressbar")
    expect(bars).to_have_count(5)
    expect(page.get_by_role("progressbar", name="Check funds")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_role("progressbar", name="Reconcile")).to_have_attribute("aria-valuenow", "33")
    expect(page.locator("[data-stage=RECONCILE]")).to_contain_text("Waiting for the bank's statement.")
    expect(page.locator("table").last).to_contain_text("Amount differs from the disbursement")
    screenshot(page, "envelope")

    # And resolving it from the review queue takes it off the queue
    page.get_by_role("link", name="Review queue").click()
    page.get_by_label("Note").first.fill("Bank confirmed the short payment; PBMS informed.")
    page.get_by_role("button", name="Resolve").first.click()
    expect(page.get_by_role("status")).to_contain_text("resolved")
    expect(page.get_by_text("Nothing here.")).to_be_visible()
    screenshot(page, "review-queue")
