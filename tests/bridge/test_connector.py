"""The simulator-bank connector over real HTTP: typed results, typed errors, idempotent payments, the narrative
readers."""

from decimal import Decimal

import pytest

from bridge.connectors import connector_for
from bridge.connectors.base import BankProtocolError, BankRejected, BankUnavailable, PaymentBatch, PaymentItem
from bridge.connectors.simulator_bank import SimulatorBankConnector

ACCOUNT = "600000000001"


@pytest.fixture
def connector(bank):
    bank.open_account(ACCOUNT, balance="1000.00")
    return connector_for("SIMBANK")


def item(number: int, amount="100.00") -> PaymentItem:
    return PaymentItem(
        disbursement_id=f"C-{number}",
        amount=Decimal(amount),
        beneficiary_id=f"B-{number}",
        beneficiary_name="Asha",
        beneficiary_account=f"91{number:08d}",
        beneficiary_bank_code="SBIN0001",
        beneficiary_branch_code="",
        beneficiary_account_type="BANK_ACCOUNT",
        beneficiary_mobile_number="",
        beneficiary_wallet_provider="",
        beneficiary_email="",
        narrative="Pension",
    )


def batch(reference: str, count: int) -> PaymentBatch:
    return PaymentBatch(
        remitting_account=ACCOUNT,
        currency="INR",
        funds_blocked_reference=reference,
        program_mnemonic="OAP",
        cycle_code_mnemonic="2026-11",
        items=tuple(item(n) for n in range(1, count + 1)),
    )


def test_check_funds_answers_with_the_available_balance(connector):
    result = connector.check_funds(account_number=ACCOUNT, currency="INR", amount=Decimal("999.00"))

    assert result.has_sufficient_funds is True
    assert result.available_balance == Decimal("1000.00")


def test_block_and_pay_and_ask_the_status(connector):
    block = connector.block_funds(
        account_number=ACCOUNT, currency="INR", amount=Decimal("300.00"), idempotency_key="b1"
    )

    paid = connector.initiate_payment(batch=batch(block.block_reference, 3), idempotency_key="p1")
    status = connector.payment_status(idempotency_key="p1")

    assert block.amount == Decimal("300.00")
    assert [result.accepted for result in paid.items] == [True, True, True]
    assert status.bank_reference == paid.bank_reference
    assert connector.payment_status(idempotency_key="never") is None


def test_the_same_payment_key_twice_is_answered_as_a_replay(connector):
    block = connector.block_funds(account_number=ACCOUNT, currency="INR", amount=Decimal("200.00"), idempotency_key="b")
    first = connector.initiate_payment(batch=batch(block.block_reference, 2), idempotency_key="p")

    second = connector.initiate_payment(batch=batch(block.block_reference, 2), idempotency_key="p")

    assert (first.replayed, second.replayed) == (False, True)
    assert second.bank_reference == first.bank_reference


def test_release_returns_what_the_block_still_held(connector):
    block = connector.block_funds(account_number=ACCOUNT, currency="INR", amount=Decimal("300.00"), idempotency_key="b")
    connector.initiate_payment(batch=batch(block.block_reference, 1), idempotency_key="p")

    released = connector.release_funds(block_reference=block.block_reference)

    assert released.released_amount == Decimal("200.00")


def test_a_refusal_is_a_typed_non_retryable_error_with_the_banks_code(connector):
    with pytest.raises(BankRejected) as refused:
        connector.block_funds(account_number=ACCOUNT, currency="INR", amount=Decimal("5000.00"), idempotency_key="b")

    assert refused.value.code == "INSUFFICIENT_FUNDS"
    assert refused.value.retryable is False


def test_a_wrong_api_key_is_refused(bank):
    bank.open_account(ACCOUNT)
    connector = SimulatorBankConnector(base_url=bank.url, api_key="wrong")

    with pytest.raises(BankRejected) as refused:
        connector.check_funds(account_number=ACCOUNT, currency="INR", amount=Decimal("1.00"))

    assert refused.value.code == "UNAUTHORIZED"


def test_an_unreachable_bank_is_a_retryable_error(settings):
    connector = SimulatorBankConnector(base_url="http://127.0.0.1:9", api_key="k")

    with pytest.raises(BankUnavailable) as unavailable:
        connector.check_funds(account_number=ACCOUNT, currency="INR", amount=Decimal("1.00"))

    assert unavailable.value.code == "BANK_UNREACHABLE"
    assert unavailable.value.retryable is True


def test_a_reply_that_is_not_the_banks_is_a_protocol_error(live_server):
    # Under this base the check_funds call lands on the statement download, which answers a POST without JSON.
    connector = SimulatorBankConnector(base_url=f"{live_server.url}/simulators/bank/statements", api_key="k")

    with pytest.raises(BankProtocolError):
        connector.check_funds(account_number=ACCOUNT, currency="INR", amount=Decimal("1.00"))


def test_an_unconfigured_bank_url_is_reported_not_called(settings):
    settings.BRIDGE_SIMULATOR_BANK_URL = ""

    with pytest.raises(BankUnavailable) as unavailable:
        connector_for("SIMBANK").check_funds(account_number=ACCOUNT, currency="INR", amount=Decimal("1.00"))

    assert unavailable.value.code == "BANK_NOT_CONFIGURED"


def test_an_unknown_bank_code_has_no_connector():
    with pytest.raises(BankRejected) as refused:
        connector_for("NOBANK")

    assert refused.value.code == "UNKNOWN_SPONSOR_BANK"


def test_the_narrative_readers_take_the_keyed_lines_in_any_order():
    connector = SimulatorBankConnector(base_url="http://bank", api_key="k")
    narratives = ("/RTRN/ACCOUNT_CLOSED", "/NARR/Pension", "/DISB/DISBURSEMENT-WITH-A-LONG-ID", "/BENM/Asha Devi")

    assert (
        connector.retrieve_disbursement_id(
            bank_reference="SB1", customer_reference="DISBURSEMENT-WIT", narratives=narratives
        )
        == "DISBURSEMENT-WITH-A-LONG-ID"
    )
    assert connector.retrieve_beneficiary_name(narratives=narratives) == "Asha Devi"
    assert connector.retrieve_reversal_reason(narratives=narratives) == "ACCOUNT_CLOSED"


def test_without_a_narrative_id_the_customer_reference_is_the_id():
    connector = SimulatorBankConnector(base_url="http://bank", api_key="k")

    assert connector.retrieve_disbursement_id(bank_reference="", customer_reference=" D-1 ", narratives=()) == "D-1"
