"""FTFPS exactly as the source story: its three outcomes, on the PI, its beneficiaries, the page and the log."""

import pytest
from django.urls import reverse

from notifications.models import SmsMessage
from payments.models import JitCall, PaymentInstruction, PIBeneficiary
from payments.services.polling import jit_poll_run
from simulators.jit.services import sim_scenario_set

pytestmark = pytest.mark.django_db(transaction=True)

NO_RESPONSE = "On call of FTFPS API: No response is received."
UPDATED = "On call of FTFPS API: Response is received and updated successfully"


def page(client, user, pi) -> str:
    client.force_login(user)
    response = client.get(reverse("payments:pi-view", args=[pi.pk]))
    assert response.status_code == 200
    return response.content.decode()


def banners(client, user, pi) -> list[str]:
    """The latest JIT messages View PI shows as banners (the call history below lists every one)."""
    client.force_login(user)
    response = client.get(reverse("payments:pi-view", args=[pi.pk]))
    return [message.message for message in response.context["jit_messages"]]


def failed_sms():
    return SmsMessage.objects.filter(event_key__startswith="jit:FTFPS:")


def beneficiary_statuses(pi):
    return list(pi.beneficiaries.order_by("id").values_list("payment_status", flat=True))


def test_no_response_leaves_statuses_and_shows_the_no_response_message(paid_revision, client, pi_viewer):
    # given the treasury does not answer FTFPS
    sim_scenario_set(service="FTFPS", mode="NO_RESPONSE")

    # when the 22:00 run polls the revised PI (and retries it within the run)
    jit_poll_run(service="FTFPS")

    # then nothing changed, every try is logged without a response, and the page says so
    paid_revision.refresh_from_db()
    assert paid_revision.status == PaymentInstruction.Status.SUCCESSFUL
    assert beneficiary_statuses(paid_revision) == [PIBeneficiary.Status.SUCCESSFUL]
    calls = JitCall.objects.filter(service="FTFPS", pi=paid_revision)
    assert [c.outcome for c in calls] == ["NO_RESPONSE"] * 3
    assert all(c.response is None for c in calls)
    html = page(client, pi_viewer, paid_revision)
    assert NO_RESPONSE in html
    assert "Generate Revised PI" not in html
    assert failed_sms().count() == 0


def test_the_system_keeps_trying_until_a_response_is_received(paid_revision, client, pi_viewer):
    # given the treasury fails to answer once, then answers
    beneficiary = paid_revision.beneficiaries.get()
    sim_scenario_set(
        service="FTFPS", mode="NO_RESPONSE", fail_benf_ids=[beneficiary.beneficiary_number], remaining_calls=1
    )

    jit_poll_run(service="FTFPS")

    # then the retry within the run got the answer, and the page shows the latest one
    outcomes = list(JitCall.objects.filter(service="FTFPS").order_by("id").values_list("outcome", "attempt"))
    assert outcomes == [("NO_RESPONSE", 1), ("SUCCESS", 2)]
    assert UPDATED in banners(client, pi_viewer, paid_revision)
    assert NO_RESPONSE not in banners(client, pi_viewer, paid_revision)


def test_an_error_is_stored_and_shown_in_jits_words_and_changes_nothing(paid_revision, client, pi_viewer):
    sim_scenario_set(service="FTFPS", mode="ERROR", error_message="Token number is not valid for this bill")

    jit_poll_run(service="FTFPS")

    paid_revision.refresh_from_db()
    assert paid_revision.status == PaymentInstruction.Status.SUCCESSFUL
    assert beneficiary_statuses(paid_revision) == [PIBeneficiary.Status.SUCCESSFUL]
    call = JitCall.objects.get(service="FTFPS", pi=paid_revision)
    assert (call.outcome, call.message) == ("ERROR", "Token number is not valid for this bill")
    assert call.response["errorMsg"] == "Token number is not valid for this bill"
    html = page(client, pi_viewer, paid_revision)
    assert "On call of FTFPS API: Token number is not valid for this bill" in html
    assert "Generate Revised PI" not in html
    assert failed_sms().count() == 0


def test_a_response_marks_the_listed_beneficiaries_failed_and_enables_revision(paid_revision, client, pi_creator):
    beneficiary = paid_revision.beneficiaries.get()
    sim_scenario_set(
        service="FTFPS", fail_benf_ids=[beneficiary.beneficiary_number], failed_reason="Account does not exist"
    )

    jit_poll_run(service="FTFPS")

    paid_revision.refresh_from_db()
    beneficiary.refresh_from_db()
    assert paid_revision.status == PaymentInstruction.Status.PARTIAL
    assert beneficiary.payment_status == PIBeneficiary.Status.FAILED
    assert beneficiary.failed_reason == "Account does not exist"
    call = JitCall.objects.get(service="FTFPS", pi=paid_revision)
    assert call.outcome == "SUCCESS"
    stored = call.response["data"][0]["benfDtls"][0]
    assert stored["benfId"] == beneficiary.beneficiary_number
    assert stored["benfAcctNo"] == "X" * (len(beneficiary.account_number) - 4) + beneficiary.account_number[-4:]
    html = page(client, pi_creator, paid_revision)
    assert UPDATED in html
    assert "Generate Revised PI" in html
    assert beneficiary.account_number not in html
    sms = failed_sms().get()
    assert sms.to == beneficiary.mobile_number
    assert sms.text == (
        f"Payment of Rs. {beneficiary.amount:.2f} for MUKTA, transaction {beneficiary.utr_number} is failed. "
        "Contact MUKTA Cell at ULB for more detail. MUKTA - Govt. of Odisha."
    )


def test_a_repeated_poll_reports_the_same_failure_without_a_second_sms(paid_revision):
    beneficiary = paid_revision.beneficiaries.get()
    sim_scenario_set(service="FTFPS", fail_benf_ids=[beneficiary.beneficiary_number])
    jit_poll_run(service="FTFPS")
    beneficiary.refresh_from_db()
    first_change = beneficiary.updated_at

    # when FTFPS reports the same failure again (Refresh on the now PARTIAL PI polls nothing, so call directly)
    from payments.services.polling import SPECS, pi_poll

    PaymentInstruction.objects.filter(pk=paid_revision.pk).update(status=PaymentInstruction.Status.SUCCESSFUL)
    pi_poll(pi_id=paid_revision.pk, service=SPECS["FTFPS"].service)

    beneficiary.refresh_from_db()
    assert beneficiary.updated_at == first_change
    assert JitCall.objects.filter(service="FTFPS", outcome="SUCCESS").count() == 2
    assert failed_sms().count() == 1
