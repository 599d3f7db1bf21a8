"""The treasury's revision window (MUKTASoft #1794): a revised PI (COR) within 90 days of the original and
within its financial year or the next year's first month (to 30 April); after it, a fresh original PI."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.errors import ApplicationError
from core.models import Tenant
from payments.models import FundTransaction, JitCall, PaymentInstruction, PIBeneficiary, PIStatusLog
from payments.services.polling import jit_poll_run
from payments.services.revised import pi_revise, pi_revision_deadline
from simulators.jit.services import sim_scenario_set, sim_scenarios_reset
from tests.payments.factories import pi_with_a_failed_payment

IST = ZoneInfo("Asia/Kolkata")


def _deadline(issued: datetime, *, start_month: int = 4) -> datetime:
    original = PaymentInstruction(tenant=Tenant(financial_year_start_month=start_month), pi_date=issued)
    return pi_revision_deadline(original=original)


@pytest.mark.parametrize(
    ("issued", "deadline"),
    [
        # early in the year: 90 days
        (datetime(2026, 6, 1, 10, 0, tzinfo=IST), datetime(2026, 8, 30, 10, 0, tzinfo=IST)),
        # late in the year: to the end of April of the next year, less than 90 days
        (datetime(2027, 3, 15, 12, 0, tzinfo=IST), datetime(2027, 4, 30, 23, 59, 59, tzinfo=IST)),
        (datetime(2027, 1, 31, 9, 0, tzinfo=IST), datetime(2027, 4, 30, 23, 59, 59, tzinfo=IST)),
        # the 90 days end within the year
        (datetime(2026, 12, 1, 9, 0, tzinfo=IST), datetime(2027, 3, 1, 9, 0, tzinfo=IST)),
    ],
)
def test_the_revision_window_is_90_days_but_never_past_april_of_the_next_year(issued, deadline):
    assert _deadline(issued) == deadline


def test_a_pi_stored_in_utc_is_judged_by_its_indian_date():
    # 31 March 2027 20:00 UTC is 1 April 01:30 IST: already the next financial year, so the full 90 days.
    issued = datetime(2027, 3, 31, 20, 0, tzinfo=ZoneInfo("UTC"))

    assert _deadline(issued) == issued + timedelta(days=90)


def test_a_tenant_whose_year_starts_in_january_gets_to_the_end_of_january():
    issued = datetime(2026, 12, 15, 11, 0, tzinfo=IST)

    assert _deadline(issued, start_month=1) == datetime(2027, 1, 31, 23, 59, 59, tzinfo=IST)


# --- Past the window: a fresh original PI, over the simulator -------------------------------------


@pytest.fixture
def partial_aged(jit, city, funded):
    """A paid original whose second beneficiary failed (PARTIAL), issued 91 days ago: past its window."""
    original = pi_with_a_failed_payment(city)
    PaymentInstruction.objects.filter(pk=original.pk).update(pi_date=timezone.now() - timedelta(days=91))
    original.refresh_from_db()
    assert original.status == "PARTIAL"
    return original


@pytest.mark.django_db(transaction=True)
def test_within_the_window_the_failed_payments_go_on_a_revised_pi(jit, city, funded, partial_aged):
    PaymentInstruction.objects.filter(pk=partial_aged.pk).update(pi_date=timezone.now())

    revision = pi_revise(tenant_id=city.code, parent_pi_number=partial_aged.pi_number, actor=None)

    assert (revision.pi_type, revision.parent_id) == ("REVISED", partial_aged.pk)
    assert revision.pi_number.startswith("COR-")
    assert JitCall.objects.filter(pi=revision).values_list("service", flat=True).get() == "COR"


@pytest.mark.django_db(transaction=True)
def test_past_the_window_the_failed_payments_go_on_a_fresh_original_pi(jit, city, funded, partial_aged):
    failed = partial_aged.beneficiaries.get(payment_status=PIBeneficiary.Status.FAILED)
    corrected = failed.payee.bank_accounts.get()

    fresh = pi_revise(tenant_id=city.code, parent_pi_number=partial_aged.pi_number, actor=None)

    partial_aged.refresh_from_db()
    assert (fresh.pi_type, fresh.parent_id, fresh.replaces_id) == ("ORIGINAL", None, partial_aged.pk)
    assert fresh.pi_number.startswith("PI-")
    assert (fresh.status, fresh.gross_amount, fresh.beneficiary_count) == ("INITIATED", Decimal("850.75"), 1)
    copy = fresh.beneficiaries.get()
    assert (copy.beneficiary_number, copy.amount) == (failed.beneficiary_number, failed.amount)
    assert (copy.account_number, copy.ifsc) == (corrected.account_number, corrected.ifsc)
    assert JitCall.objects.filter(pi=fresh).values_list("service", flat=True).get() == "PI"
    assert FundTransaction.objects.get(pi=fresh).amount == Decimal("850.75")
    assert partial_aged.status == "COMPLETED"
    assert partial_aged.status_logs.filter(service="PI", status="PI_SUCCESS").exists()


@pytest.mark.django_db(transaction=True)
def test_a_fresh_original_is_polled_to_paid_like_any_original(jit, city, funded, partial_aged):
    fresh = pi_revise(tenant_id=city.code, parent_pi_number=partial_aged.pi_number, actor=None)

    for service in ("PIS", "PAG", "PD"):
        jit_poll_run(service=service)

    fresh.refresh_from_db()
    assert fresh.status == "SUCCESSFUL"
    assert fresh.beneficiaries.get().payment_status == PIBeneficiary.Status.SUCCESSFUL
    assert fresh.payment.status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_a_fresh_original_refused_by_jit_leaves_the_pi_partial_and_returns_its_funds(jit, city, funded, partial_aged):
    sim_scenario_set(service="PI", mode="ERROR", error_message="Wrong IFSC for BenefId")

    fresh = pi_revise(tenant_id=city.code, parent_pi_number=partial_aged.pi_number, actor=None)

    partial_aged.refresh_from_db()
    assert (fresh.status, fresh.is_active) == ("FAILED", False)
    assert set(FundTransaction.objects.filter(pi=fresh).values_list("transaction_type", flat=True)) == {
        "DEBIT",
        "REVERSAL",
    }
    assert partial_aged.status == "PARTIAL"
    assert PIStatusLog.objects.filter(pi=partial_aged, service="PI", outcome="ERROR").exists()
    sim_scenarios_reset()
    again = pi_revise(tenant_id=city.code, parent_pi_number=partial_aged.pi_number, actor=None)
    assert (again.pi_type, again.status) == ("ORIGINAL", "INITIATED")


@pytest.mark.django_db(transaction=True)
def test_a_second_generate_while_the_fresh_original_is_unanswered_is_refused(jit, city, funded, partial_aged):
    sim_scenario_set(service="PI", mode="NO_RESPONSE")
    fresh = pi_revise(tenant_id=city.code, parent_pi_number=partial_aged.pi_number, actor=None)
    assert fresh.status == "PENDING"

    with pytest.raises(ApplicationError) as refused:
        pi_revise(tenant_id=city.code, parent_pi_number=partial_aged.pi_number, actor=None)

    assert refused.value.code == "REVISED_PI_GEN_ERROR"
    assert fresh.pi_number in refused.value.message
    assert PaymentInstruction.objects.filter(replaces=partial_aged).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_fresh_original_with_no_funds_fails_at_once_and_is_never_sent(jit, city, funded, partial_aged):
    from payments.models import FundsSummary

    FundsSummary.objects.update(available_amount=Decimal("100.00"))

    fresh = pi_revise(tenant_id=city.code, parent_pi_number=partial_aged.pi_number, actor=None)

    partial_aged.refresh_from_db()
    assert (fresh.status, fresh.error_text) == ("FAILED", "PAYMENT_INSUFFICIENT_FUNDS")
    assert not JitCall.objects.filter(pi=fresh).exists()
    assert partial_aged.status == "PARTIAL"
