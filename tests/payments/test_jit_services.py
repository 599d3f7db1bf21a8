"""The services beyond the main chain: VA, COR refused, FD on a PARTIAL PI, a real timeout, the masked log."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from payments.models import (
    Allotment,
    FundsSummary,
    JitCall,
    PaymentInstruction,
    PIBeneficiary,
    Sanction,
    VaWatermark,
)
from payments.services.failures import fd_run
from payments.services.funds import va_run
from payments.services.instructions import pi_create
from payments.services.polling import jit_poll_run
from payments.services.revised import pi_revise
from simulators.jit.services import sim_allotment_add, sim_scenario_set
from tests.payments.factories import HeadOfAccountFactory, SpendingUnitFactory, bill_create

pytestmark = pytest.mark.django_db(transaction=True)


def paid_original(city, amounts):
    bill = bill_create(tenant=city, amounts=amounts)
    pi = pi_create(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)
    for service in ("PIS", "PAG", "PD"):
        jit_poll_run(service=service)
    pi.refresh_from_db()
    assert pi.status == "SUCCESSFUL"
    return pi


def test_va_pulls_new_allotments_into_sanctions_once(jit, city):
    # given the treasury has an initial and an additional allotment for Angul's head and DDO
    unit = SpendingUnitFactory(tenant=city)
    head = HeadOfAccountFactory(tenant=city.state, effective_from=timezone.now() - timedelta(days=30))
    common = {"hoa": head.code, "ddo_code": unit.ddo_code, "grantee_code": unit.grantee_ag_code, "ssu_id": unit.ssu_id}
    sim_allotment_add(
        **common, mst_allotment_dist_id="MAD-9", amount=Decimal("500000.00"), sanctioned_amount=Decimal("900000.00")
    )
    sim_allotment_add(
        **common, mst_allotment_dist_id="MAD-9", amount=Decimal("100000.00"), txn_type="Additional allotment"
    )

    # when VA runs twice
    first = va_run()
    second = va_run()

    # then the sanction holds both allotments, counted once, and the watermark moved on
    sanction = Sanction.objects.get(master_allotment_id="MAD-9")
    assert sanction.sanctioned_amount == Decimal("900000.00")
    assert Allotment.objects.filter(sanction=sanction).count() == 2
    assert FundsSummary.objects.get(sanction=sanction).available_amount == Decimal("600000.00")
    assert (first.allotments_added, second.allotments_added) == (2, 0)
    assert VaWatermark.objects.filter(tenant=city, hoa_code=head.code).exists()
    assert JitCall.objects.filter(service="VA", outcome="SUCCESS").count() == 2


def test_a_refused_cor_fails_the_revision_and_leaves_the_pi_partial(jit, city, funded):
    pi = paid_original(city, [Decimal("300.00"), Decimal("200.00")])
    failing = pi.beneficiaries.order_by("id").last()
    sim_scenario_set(service="FD", fail_benf_ids=[failing.beneficiary_number], failed_reason="Invalid IFSC")
    fd_run()
    sim_scenario_set(service="COR", mode="ERROR", error_message="Corrected account is same as current account")

    revision = pi_revise(tenant_id=city.code, parent_pi_number=pi.pi_number, actor=None)

    pi.refresh_from_db()
    assert (revision.status, revision.is_active) == ("FAILED", False)
    assert revision.error_text == "Corrected account is same as current account"
    copy = revision.beneficiaries.get()
    assert (copy.payment_status, copy.failed_reason) == (PIBeneficiary.Status.FAILED, "Invalid IFSC")
    assert pi.status == "PARTIAL"
    assert pi.status_logs.filter(service="COR").get().message == (
        "On call of COR API: Corrected account is same as current account"
    )


def test_fd_matches_a_pi_already_partial_when_another_payment_fails(jit, city, funded):
    pi = paid_original(city, [Decimal("300.00"), Decimal("200.00"), Decimal("100.00")])
    first, second, _ = pi.beneficiaries.order_by("id")
    sim_scenario_set(service="FD", fail_benf_ids=[first.beneficiary_number])
    fd_run()
    pi.refresh_from_db()
    assert pi.status == "PARTIAL"

    sim_scenario_set(service="FD", fail_benf_ids=[first.beneficiary_number, second.beneficiary_number])
    fd_run()

    statuses = list(pi.beneficiaries.order_by("id").values_list("payment_status", flat=True))
    assert statuses == [PIBeneficiary.Status.FAILED, PIBeneficiary.Status.FAILED, PIBeneficiary.Status.SUCCESSFUL]


def test_a_call_that_times_out_counts_as_no_response(jit, city, funded, settings):
    bill = bill_create(tenant=city, amounts=[Decimal("100.00")])
    pi = pi_create(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)
    settings.KOSH_JIT_READ_TIMEOUT_SECONDS = 0.3
    settings.KOSH_JIT_POLL_RETRIES = 0
    sim_scenario_set(service="PIS", delay_seconds=Decimal("1.0"))

    jit_poll_run(service="PIS")

    call = JitCall.objects.filter(service="PIS").get()
    assert (call.outcome, call.response) == ("NO_RESPONSE", None)
    assert call.message.startswith("JIT-FS did not answer within 0.3 s")
    pi.refresh_from_db()
    assert pi.status == "INITIATED"


def test_the_pi_call_is_logged_with_account_numbers_masked(jit, city, funded):
    bill = bill_create(tenant=city, amounts=[Decimal("100.00")])

    pi = pi_create(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)

    call = JitCall.objects.get(service="PI", pi=pi)
    beneficiary = pi.beneficiaries.get()
    sent = call.request["params"]["beneficiaryDetails"][0]
    assert sent["benfAcctNo"] == "X" * (len(beneficiary.account_number) - 4) + beneficiary.account_number[-4:]
    assert sent["benfMobileNo"] == "[redacted]"
    assert beneficiary.account_number not in str(call.request)
    assert call.response["data"][0]["jitBillNo"] == pi.pi_number
    assert call.duration_ms >= 0
    assert PaymentInstruction.objects.get(pk=pi.pk).status == "INITIATED"
