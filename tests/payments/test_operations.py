"""Schedules, the run-now command, the demo seed, and the outcomes every JIT service shares."""

import base64
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from payments.clients.jit import JitClient
from payments.models import FundsSummary, FundTransaction, JitCall, PaymentInstruction, PIStatusLog
from payments.services.demo import payments_demo_seed
from payments.services.instructions import pi_create
from payments.services.polling import jit_poll_run, pi_repush_run
from simulators.jit.services import sim_scenario_set
from tests.payments.factories import bill_create


@pytest.mark.django_db
def test_jit_schedules_are_seeded_in_ist_at_the_source_storys_times():
    call_command("setup_periodic_tasks", stdout=io.StringIO())

    crons = {
        task.task: (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone))
        for task in PeriodicTask.objects.filter(task__startswith="payments.")
    }
    assert crons["payments.ftfps_run"] == ("22", "0", "Asia/Kolkata")
    assert crons["payments.pag_run"] == ("22", "15", "Asia/Kolkata")
    assert crons["payments.pi_repush"] == ("21", "0", "Asia/Kolkata")
    assert {crons[f"payments.{name}_run"] for name in ("va", "pis", "pd", "fd", "ftps")} == {
        ("22", "0", "Asia/Kolkata")
    }


@pytest.mark.django_db
def test_the_demo_seed_runs_twice_without_adding_anything(tenants):
    payments_demo_seed()
    counts = (PaymentInstruction.objects.count(), FundsSummary.objects.count(), FundTransaction.objects.count())

    payments_demo_seed()

    assert counts == (1, 1, 1)
    assert (PaymentInstruction.objects.count(), FundsSummary.objects.count(), FundTransaction.objects.count()) == counts
    assert PaymentInstruction.objects.get().status == "PENDING"


@pytest.mark.django_db(transaction=True)
def test_a_wrong_client_secret_is_logged_as_a_clear_error_and_changes_nothing(jit, city, funded, settings):
    bill = bill_create(tenant=city, amounts=[Decimal("100.00")])
    pi = pi_create(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)
    # a worker started with the wrong secret (no session of its own yet)
    settings.KOSH_JIT_CLIENT_SECRET = "wrong"
    JitClient._sessions.clear()

    jit_poll_run(service="PIS")

    pi.refresh_from_db()
    assert pi.status == "INITIATED"
    call = JitCall.objects.filter(service="PIS").latest("id")
    assert (call.outcome, call.message) == ("ERROR", "JIT-FS refused authentication: Invalid clientId or clientSecret")
    assert "wrong" not in str(call.request)
    assert PIStatusLog.objects.filter(pi=pi, service="PIS").latest("id").message == (
        "On call of PIS API: JIT-FS refused authentication: Invalid clientId or clientSecret"
    )


@pytest.mark.django_db(transaction=True)
def test_a_pi_that_got_no_answer_stays_pending_and_the_2100_run_pushes_it_again(jit, city, funded):
    sim_scenario_set(service="PI", mode="NO_RESPONSE", remaining_calls=1)
    bill = bill_create(tenant=city, amounts=[Decimal("100.00")])

    pi = pi_create(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)
    assert pi.status == "PENDING"
    assert PIStatusLog.objects.get(pi=pi).message == "On call of PI API: No response is received."

    pi_repush_run()

    pi.refresh_from_db()
    assert pi.status == "INITIATED"
    assert FundTransaction.objects.filter(pi=pi).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_pis_rejection_fails_the_pi_and_reverses_its_funds(jit, city, funded):
    bill = bill_create(tenant=city, amounts=[Decimal("100.00")])
    pi = pi_create(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)
    sim_scenario_set(service="PIS", mode="ERROR", error_message="This Bill Number {jitBillNo} is rejected by SSU")

    jit_poll_run(service="PIS")

    pi.refresh_from_db()
    assert (pi.status, pi.is_active) == ("FAILED", False)
    assert PIStatusLog.objects.filter(pi=pi, service="PIS").get().status == "PIS_REJECTED"
    assert FundsSummary.objects.get().available_amount == Decimal("1000000.00")
    assert list(FundTransaction.objects.filter(pi=pi).values_list("transaction_type", flat=True)) == [
        "DEBIT",
        "REVERSAL",
    ]


@pytest.mark.django_db(transaction=True)
def test_a_jit_refusal_of_the_pi_fails_it_and_retry_pi_makes_a_new_one(jit, city, funded):
    sim_scenario_set(service="PI", mode="ERROR", error_message="Wrong IFSC", remaining_calls=1)
    bill = bill_create(tenant=city, amounts=[Decimal("100.00")])

    failed = pi_create(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)
    retried = pi_create(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)

    assert (failed.status, failed.error_text) == ("FAILED", "340: Wrong IFSC")
    assert retried.status == "INITIATED"
    assert retried.pi_number != failed.pi_number


@pytest.mark.django_db(transaction=True)
def test_the_command_refreshes_one_pi_now(jit, city, funded):
    bill = bill_create(tenant=city, amounts=[Decimal("100.00")])
    pi = pi_create(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)
    out = io.StringIO()

    call_command("jit_run", "--pi", pi.pi_number, stdout=out)

    assert "On call of PIS API: Response is received and updated successfully → Approved" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_wrong_public_key_is_logged_as_a_clear_error_and_changes_nothing(jit, city, funded, settings, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    bill = bill_create(tenant=city, amounts=[Decimal("100.00")])
    pi = pi_create(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)
    # a worker configured with a key that is not the treasury's
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    wrong = tmp_path / "not-the-treasurys.der"
    wrong.write_bytes(other.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))
    settings.KOSH_JIT_PUBLIC_KEY_FILE = str(wrong)
    JitClient._sessions.clear()

    jit_poll_run(service="PIS")

    pi.refresh_from_db()
    assert pi.status == "INITIATED"
    call = JitCall.objects.filter(service="PIS").latest("id")
    assert call.outcome == "ERROR"
    assert "Invalid appKey" in call.message
    assert PIStatusLog.objects.filter(pi=pi, service="PIS").latest("id").message.startswith("On call of PIS API: ")


@pytest.mark.django_db(transaction=True)
def test_the_session_token_and_key_are_never_logged_or_stored(jit, city, funded, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    bill = bill_create(tenant=city, amounts=[Decimal("100.00")])
    pi_create(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)
    jit_poll_run(service="PIS")

    (session,) = JitClient._sessions.values()
    secrets = [session.token, session.sek.hex(), base64.b64encode(session.sek).decode()]
    stored = " ".join(str((call.request, call.response, call.message)) for call in JitCall.objects.all())
    logged = caplog.text + " ".join(str(record.args) for record in caplog.records)
    for secret in secrets:
        assert secret not in stored
        assert secret not in logged
    assert session.token not in repr(session)


@pytest.mark.django_db(transaction=True)
def test_refresh_on_view_pi_asks_for_the_next_status_after_confirmation(jit, city, funded, client, pi_creator):
    from django.urls import reverse

    bill = bill_create(tenant=city, amounts=[Decimal("100.00")])
    pi = pi_create(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)
    client.force_login(pi_creator)
    url = reverse("payments:pi-action", args=[pi.pk, "refresh"])

    confirm = client.get(url)
    pi.refresh_from_db()
    assert "Refresh" in confirm.content.decode() and pi.status == "INITIATED"

    done = client.post(url, follow=True)

    pi.refresh_from_db()
    assert pi.status == "APPROVED"
    assert "On call of PIS API: Response is received and updated successfully" in done.content.decode()


@pytest.mark.django_db(transaction=True)
def test_ftps_sends_one_payment_successful_sms_per_beneficiary_once(paid_revision):
    from notifications.models import SmsMessage

    beneficiary = paid_revision.beneficiaries.get()
    sms = SmsMessage.objects.filter(event_key__startswith="jit:FTPS:")

    jit_poll_run(service="FTPS")

    assert list(sms.values_list("to", flat=True)) == [beneficiary.mobile_number]
    assert sms.get().text.startswith(f"Payment of Rs. {beneficiary.amount:.2f} for MUKTA, transaction ")
    assert "is made to your registered bank account" in sms.get().text
