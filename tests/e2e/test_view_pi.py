"""View Payment Instruction in Chromium: a failed-payments FTFPS answer, then Generate Revised PI."""

import pytest
from playwright.sync_api import expect

from config.env import VAR_DIR
from payments.models import PaymentInstruction
from payments.services.polling import jit_poll_run
from simulators.jit.services import sim_scenario_set
from tests.core.factories import DEFAULT_PASSWORD
from tests.payments.conftest import city, funded, jit, jit_key_dir, paid_revision, pi_creator  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = VAR_DIR / "test-artifacts" / "e2e"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"view-pi-{name}.png"), full_page=True)


def test_view_pi_after_failed_payments_then_generate_the_revised_pi(page, paid_revision, pi_creator):  # noqa: F811
    # given FTFPS reported the revised PI's beneficiary as failed
    beneficiary = paid_revision.beneficiaries.get()
    sim_scenario_set(service="FTFPS", fail_benf_ids=[beneficiary.beneficiary_number], failed_reason="Account closed")
    jit_poll_run(service="FTFPS")

    # when the PI creator signs in and opens View PI
    page.goto(f"/payments/pi/{paid_revision.pk}/")
    page.get_by_label("Username").fill(pi_creator.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # then the FTFPS message, the failed beneficiary with its reason and a masked account are shown
    expect(page.get_by_role("heading", name=paid_revision.pi_number)).to_be_visible()
    expect(page.locator(".jit-messages")).to_contain_text(
        "On call of FTFPS API: Response is received and updated successfully"
    )
    row = page.get_by_role("row", name=beneficiary.beneficiary_number)
    expect(row).to_contain_text("Payment Failed")
    expect(row).to_contain_text("Account closed")
    expect(row).to_contain_text(beneficiary.account_number[-4:])
    expect(row).not_to_contain_text(beneficiary.account_number)
    shot(page, "1-failed-payments")

    # when they generate the revised PI and confirm
    page.get_by_role("link", name="Generate Revised PI").click()
    expect(page.get_by_role("heading", name="Generate Revised PI?")).to_be_visible()
    shot(page, "2-confirm")
    page.get_by_role("button", name="Confirm").click()

    # then the new revised PI is shown, sent to JIT-FS and initiated
    revision = PaymentInstruction.objects.exclude(pk=paid_revision.pk).filter(pi_type="REVISED").latest("id")
    created = f"Revised payment instruction {revision.pi_number} created"
    expect(page.get_by_role("status").first).to_contain_text(created)
    expect(page.locator(".jit-messages")).to_contain_text(
        "On call of COR API: Response is received and updated successfully"
    )
    assert revision.status == PaymentInstruction.Status.INITIATED
    assert revision.beneficiaries.get().beneficiary_number == beneficiary.beneficiary_number
    shot(page, "3-revised-pi")
