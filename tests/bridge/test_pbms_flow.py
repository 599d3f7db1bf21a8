"""A benefits system's whole flow, as the anchor's functional plan has it: program → envelope → 1,002
disbursements valued 1…1,002 in batches (one cancelled, one beneficiary unknown to the mapper) → pipeline →
statement with about 30% returned → status. The connector talks to the simulator bank over HTTP."""

from decimal import Decimal

from bridge.models import Disbursement, EnvelopeStage, FinancialAddress
from simulators.bank.models import SimLedgerEntry
from tests.bridge.conftest import disbursement_message, envelope_message, program_message

ACCOUNT = "500000000001"


def status_of(g2p, envelope_id: str) -> dict:
    response = g2p.post("get_disbursement_envelope_status", envelope_id)
    assert response.json()["header"]["status"] == "succ", response.json()
    return response.json()["message"]


def test_a_pbms_envelope_of_1002_disbursements_is_paid_reversed_and_reconciled(g2p, bank, settings, tenants):
    # Given a funded sponsor account that returns about 30% of payments, and a mapper knowing all but one
    settings.BRIDGE_BATCH_SIZE = 100
    bank.open_account(ACCOUNT, balance="1000000.00", failure_share="0.3")
    FinancialAddress.objects.bulk_create(
        FinancialAddress(
            tenant_id="pb.amritsar",
            beneficiary_id=f"BEN-{number:06d}",
            account_number=f"91{number:010d}",
            bank_code="SBIN0001234",
        )
        for number in range(1, 1003)
        if number != 17
    )
    assert g2p.post("create_benefit_program_configuration", program_message()).json()["header"]["status"] == "succ"
    envelope = envelope_message(
        number_of_beneficiaries=1002, number_of_disbursements=1002, total_disbursement_amount=Decimal("502503.00")
    )
    assert g2p.post("create_disbursement_envelope", envelope).json()["header"]["status"] == "succ"

    # When the disbursements arrive in batches of 100, one is cancelled before the last batch completes the envelope
    items = [disbursement_message(number, amount=Decimal(number)) for number in range(1, 1003)]
    for start in range(0, 1000, 100):
        answer = g2p.post("create_disbursements", items[start : start + 100]).json()
        assert answer["header"]["status"] == "succ", answer["header"]
    cancelled = g2p.post("cancel_disbursements", [{"disbursement_id": "D-000005"}]).json()
    assert cancelled["header"]["status"] == "succ", cancelled["header"]
    assert g2p.post("create_disbursements", items[1000:]).json()["header"]["status"] == "succ"
    # … the pipeline has run (resolve, funds check, block, 11 batches); the bank's statement comes back
    uploaded = g2p.upload(bank.statement(ACCOUNT)).json()
    assert uploaded["header"]["status"] == "succ", uploaded["header"]

    # Then the status shows 1,000 shipped and reconciled, the bank's returns reversed, the cancelled one unpaid
    status = status_of(g2p, "ENV-2026-11")
    returned = SimLedgerEntry.objects.filter(mark="RD").count()
    assert status["number_of_disbursements_received"] == 1002
    assert status["number_of_disbursements_cancelled"] == 1
    assert status["number_of_disbursements_failed"] == 1
    assert status["number_of_disbursements_shipped"] == 1000
    assert status["number_of_disbursements_reconciled"] == 1000
    assert status["number_of_disbursements_reversed"] == returned
    assert 250 <= returned <= 350
    assert status["funds_blocked_with_bank"] == "FUNDS_BLOCK_SUCCESS"
    assert not SimLedgerEntry.objects.filter(disbursement_id="D-000005").exists()
    assert Disbursement.objects.get(disbursement_id="D-000017").failure_code == "ACCOUNT_NOT_RESOLVED"
    assert {stage["stage"]: stage["status"] for stage in status["stages"]} == {
        "RESOLVE": "DONE",
        "FUNDS_CHECK": "DONE",
        "FUNDS_BLOCK": "DONE",
        "DISPATCH": "DONE",
        "RECONCILE": "DONE",
    }


def test_paid_and_reversed_amounts_add_up_to_what_left_the_sponsor_account(g2p, bank, settings, tenants):
    # Given an envelope of 50 paid through the simulator bank, a fifth returned
    settings.BRIDGE_BATCH_SIZE = 20
    opening = Decimal("100000.00")
    bank.open_account(ACCOUNT, balance=opening, failure_share="0.2")
    FinancialAddress.objects.bulk_create(
        FinancialAddress(tenant_id="pb.amritsar", beneficiary_id=f"BEN-{n:06d}", account_number=f"92{n:010d}")
        for n in range(1, 51)
    )
    g2p.post("create_benefit_program_configuration", program_message())
    g2p.post(
        "create_disbursement_envelope",
        envelope_message(number_of_beneficiaries=50, number_of_disbursements=50, total_disbursement_amount="1275.00"),
    )
    g2p.post("create_disbursements", [disbursement_message(n, amount=Decimal(n)) for n in range(1, 51)])

    # When the statement is reconciled
    g2p.upload(bank.statement(ACCOUNT))

    # Then the account lost exactly what was paid and not returned
    paid = sum(d.amount for d in Disbursement.objects.filter(status=Disbursement.Status.PAID))
    assert Disbursement.objects.filter(status=Disbursement.Status.REVERSED).exists()
    assert bank.account(ACCOUNT).balance == opening - paid
    assert EnvelopeStage.objects.get(stage="RECONCILE").status == "DONE"
