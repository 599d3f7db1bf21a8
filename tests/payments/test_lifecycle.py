"""The transition table, end to end against the simulator over HTTP: PI → PIS → PAG → PD → FD → COR → FTPS → FTFPS."""

from decimal import Decimal

import pytest

from notifications.models import SmsMessage
from payments.models import FundsSummary, FundTransaction, JitCall, PaymentInstruction, PIBeneficiary
from payments.services.bills import BankAccountInput, payee_bank_account_change
from payments.services.failures import fd_run
from payments.services.instructions import pi_create
from payments.services.polling import jit_poll_run
from payments.services.revised import pi_revise
from simulators.jit.services import sim_scenario_set, sim_scenarios_reset
from tests.payments.factories import bill_create

pytestmark = pytest.mark.django_db(transaction=True)

Status = PaymentInstruction.Status
Benf = PIBeneficiary.Status


def statuses(pi):
    return [b.payment_status for b in pi.beneficiaries.order_by("id")]


def available(pi):
    return FundsSummary.objects.get(sanction=pi.sanction).available_amount


def test_full_chain_moves_every_status_of_the_transition_table(jit, city, funded):
    # given an approved bill paying three wage seekers
    bill = bill_create(tenant=city, amounts=[Decimal("500.00"), Decimal("700.50"), Decimal("300.00")])
    before = FundsSummary.objects.get().available_amount

    # PI: accepted → INITIATED, beneficiaries initiated, funds debited under the sanction
    pi = pi_create(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)
    assert pi.pi_number.startswith("PI-ANG/")
    assert pi.status == Status.INITIATED
    assert statuses(pi) == [Benf.INITIATED] * 3
    assert available(pi) == before - Decimal("1500.50")
    assert FundTransaction.objects.get(pi=pi).transaction_type == FundTransaction.Type.DEBIT
    a, b, c = pi.beneficiaries.order_by("id")

    # PIS: approved → APPROVED with the payment instruction id
    jit_poll_run(service="PIS")
    pi.refresh_from_db()
    assert pi.status == Status.APPROVED
    assert pi.approved_id.startswith("PMT")

    # PAG: advice → IN PROCESS, advice details kept, beneficiaries in process
    jit_poll_run(service="PAG")
    pi.refresh_from_db()
    assert pi.status == Status.IN_PROCESS
    assert pi.advice.bill_ref_number.startswith("OBR") and pi.advice.token_number
    assert statuses(pi) == [Benf.IN_PROCESS] * 3

    # PD with one beneficiary not yet paid: the PI stays IN PROCESS, the missing one unchanged
    sim_scenario_set(service="PD", hold_benf_ids=[c.beneficiary_number])
    jit_poll_run(service="PD")
    pi.refresh_from_db()
    assert pi.status == Status.IN_PROCESS
    assert statuses(pi) == [Benf.SUCCESSFUL, Benf.SUCCESSFUL, Benf.IN_PROCESS]
    assert pi.beneficiaries.get(pk=a.pk).utr_number.startswith("UTR")

    # PD again, everyone paid → SUCCESSFUL
    sim_scenarios_reset()
    jit_poll_run(service="PD")
    pi.refresh_from_db()
    assert pi.status == Status.SUCCESSFUL
    assert statuses(pi) == [Benf.SUCCESSFUL] * 3
    # one "payment successful" SMS per beneficiary, however many PD calls it took
    assert SmsMessage.objects.filter(event_key__startswith="jit:PD:").count() == 3

    # FD: one payment bounced → PARTIAL, that beneficiary failed with reason and challan; funds untouched
    funds_before_fd = available(pi)
    sim_scenario_set(service="FD", fail_benf_ids=[b.beneficiary_number], failed_reason="Account closed")
    fd_run()
    pi.refresh_from_db()
    assert pi.status == Status.PARTIAL
    assert statuses(pi) == [Benf.SUCCESSFUL, Benf.FAILED, Benf.SUCCESSFUL]
    failed = pi.beneficiaries.get(pk=b.pk)
    assert failed.failed_reason == "Account closed" and failed.challan_number.startswith("CHL")
    assert available(pi) == funds_before_fd
    assert list(SmsMessage.objects.filter(event_key__startswith="jit:FD:").values_list("to", flat=True)) == [
        failed.mobile_number
    ]

    # COR after the account is corrected: a revised PI for the failed one, the original COMPLETED
    payee_bank_account_change(
        payee=failed.payee,
        account=BankAccountInput(account_number="99887766554433", ifsc="HDFC0004321", account_holder_name="W S"),
        actor=None,
    )
    revision = pi_revise(tenant_id=city.code, parent_pi_number=pi.pi_number, actor=None)
    pi.refresh_from_db()
    assert revision.pi_number.startswith("COR-ANG/")
    assert revision.status == Status.INITIATED
    assert (revision.pi_type, revision.parent_id, revision.replaces_id) == ("REVISED", pi.pk, pi.pk)
    assert pi.status == Status.COMPLETED
    copy = revision.beneficiaries.get()
    assert (copy.beneficiary_number, copy.amount) == (failed.beneficiary_number, Decimal("700.50"))
    assert (copy.account_number, copy.ifsc) == ("99887766554433", "HDFC0004321")
    assert revision.gross_amount == Decimal("700.50")
    assert not FundTransaction.objects.filter(pi=revision).exists()

    # FTPS: paid → SUCCESSFUL, the revised PI's own bill reference kept
    jit_poll_run(service="FTPS")
    revision.refresh_from_db()
    assert revision.status == Status.SUCCESSFUL
    assert revision.advice.bill_ref_number.startswith("OBR")
    assert statuses(revision) == [Benf.SUCCESSFUL]

    # FTFPS: failed again → PARTIAL, beneficiary failed; sent with the revised PI's bill reference
    sim_scenario_set(service="FTFPS", fail_benf_ids=[copy.beneficiary_number])
    jit_poll_run(service="FTFPS")
    revision.refresh_from_db()
    assert revision.status == Status.PARTIAL
    assert statuses(revision) == [Benf.FAILED]
    ftfps = JitCall.objects.filter(service="FTFPS").get()
    assert ftfps.request["params"]["billRefNo"] == revision.advice.bill_ref_number
    assert revision.advice.bill_ref_number != pi.advice.bill_ref_number
