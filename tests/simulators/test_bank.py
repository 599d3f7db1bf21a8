"""The simulated sponsor bank over HTTP: an API key, fund blocks, payments booked once per idempotency key, a
deterministic share returned with a reason, and MT940 statements whose balances add up."""

from decimal import Decimal

import pytest
import requests

from bridge.parsers.mt940 import parse_statement
from simulators.bank.models import SimAccount, SimFundBlock, SimLedgerEntry, SimStatement

API_KEY = "test-bank-key"


@pytest.fixture
def bank(live_server, settings):
    settings.SIMULATOR_BANK_API_KEY = API_KEY
    session = requests.Session()
    session.headers["X-Bank-Api-Key"] = API_KEY
    url = f"{live_server.url}/simulators/bank"

    def call(method: str, path: str, **kwargs):
        return session.request(method, f"{url}/{path}", timeout=30, **kwargs)

    call.url = url
    yield call
    session.close()


def open_account(bank, number="700000000001", balance="100000.00", share="0"):
    response = bank(
        "POST",
        "accounts",
        json={
            "account_number": number,
            "holder_name": "Welfare Dept",
            "balance": balance,
            "payment_failure_share": share,
        },
    )
    assert response.status_code == 201, response.text
    return number


def block(bank, number, amount, key="block-1") -> str:
    response = bank(
        "POST",
        "block_funds",
        json={"account_number": number, "currency": "INR", "amount": amount},
        headers={"Idempotency-Key": key},
    )
    assert response.status_code == 200, response.text
    return response.json()["block_reference_no"]


def payments(count: int, amount="100.00") -> list[dict]:
    return [
        {
            "disbursement_id": f"P-{n}",
            "payment_amount": amount,
            "beneficiary_account": f"91{n:08d}",
            "beneficiary_name": f"Person {n}",
            "disbursement_narrative": "Pension",
            "benefit_program_mnemonic": "OAP",
            "cycle_code_mnemonic": "2026-11",
        }
        for n in range(1, count + 1)
    ]


def pay(bank, number, reference, items, key="batch-1"):
    return bank(
        "POST",
        "initiate_payment",
        json={
            "remitting_account": number,
            "remitting_account_currency": "INR",
            "funds_blocked_reference_number": reference,
            "payments": items,
        },
        headers={"Idempotency-Key": key},
    )


def test_a_call_without_the_api_key_is_refused(live_server, settings):
    settings.SIMULATOR_BANK_API_KEY = API_KEY

    response = requests.post(f"{live_server.url}/simulators/bank/check_funds", json={}, timeout=10)

    assert response.status_code == 401
    assert response.json()["error_code"] == "UNAUTHORIZED"


def test_check_funds_counts_what_blocks_hold(bank):
    number = open_account(bank, balance="1000.00")
    block(bank, number, "600.00")

    answer = bank(
        "POST",
        "check_funds",
        json={
            "account_number": number,
            "account_currency": "INR",
            "total_funds_needed": "500.00",
        },
    ).json()

    assert answer["has_sufficient_funds"] is False
    assert answer["available_balance"] == "400.00"


def test_the_same_block_key_twice_makes_one_block(bank):
    number = open_account(bank)

    first = block(bank, number, "500.00", key="k")
    second = block(bank, number, "500.00", key="k")

    assert first == second
    assert SimFundBlock.objects.count() == 1


def test_a_block_larger_than_the_balance_is_refused(bank):
    number = open_account(bank, balance="100.00")

    response = bank(
        "POST",
        "block_funds",
        json={"account_number": number, "currency": "INR", "amount": "100.01"},
        headers={"Idempotency-Key": "k"},
    )

    assert response.status_code == 400
    assert response.json()["error_code"] == "INSUFFICIENT_FUNDS"


def test_a_batch_is_booked_once_however_often_it_is_sent(bank):
    number = open_account(bank, balance="10000.00")
    reference = block(bank, number, "500.00")

    first = pay(bank, number, reference, payments(5))
    second = pay(bank, number, reference, payments(5))

    assert first.json()["replayed"] is False
    assert second.json()["replayed"] is True
    assert second.json()["batch_reference"] == first.json()["batch_reference"]
    assert SimLedgerEntry.objects.filter(mark="D").count() == 5
    assert SimAccount.objects.get().balance == Decimal("9500.00")


def test_a_key_reused_for_another_batch_is_refused(bank):
    number = open_account(bank)
    reference = block(bank, number, "500.00")
    pay(bank, number, reference, payments(2))

    response = pay(bank, number, reference, payments(3))

    assert response.status_code == 409
    assert response.json()["error_code"] == "IDEMPOTENCY_KEY_REUSED"


def test_a_batch_larger_than_its_block_is_refused_whole(bank):
    number = open_account(bank)
    reference = block(bank, number, "250.00")

    response = pay(bank, number, reference, payments(3))

    assert response.json()["error_code"] == "INSUFFICIENT_BLOCKED_FUNDS"
    assert not SimLedgerEntry.objects.exists()


def test_the_configured_share_of_payments_is_returned_with_a_reason(bank):
    number = open_account(bank, balance="1000000.00", share="0.3")
    reference = block(bank, number, "100000.00")

    pay(bank, number, reference, payments(1000))

    returned = SimLedgerEntry.objects.filter(mark="RD")
    assert 250 <= returned.count() <= 350
    assert {entry.narratives[-1].split("/")[-1] for entry in returned} <= {
        "ACCOUNT_CLOSED",
        "ACCOUNT_NOT_FOUND",
        "ACCOUNT_DORMANT",
        "ACCOUNT_DECEASED",
    }
    assert SimAccount.objects.get().balance == Decimal("1000000.00") - 100 * (1000 - returned.count())


def test_a_payment_without_a_beneficiary_account_is_refused_alone(bank):
    number = open_account(bank)
    reference = block(bank, number, "500.00")
    items = payments(2)
    items[1]["beneficiary_account"] = ""

    answer = pay(bank, number, reference, items).json()

    assert [item["status"] for item in answer["items"]] == ["ACCEPTED", "REJECTED"]
    assert SimLedgerEntry.objects.count() == 1


def test_payment_status_answers_what_a_key_booked(bank):
    number = open_account(bank)
    reference = block(bank, number, "500.00")
    booked = pay(bank, number, reference, payments(2), key="known").json()

    known = bank("GET", "payment_status/known")
    unknown = bank("GET", "payment_status/never-sent")

    assert known.json()["batch_reference"] == booked["batch_reference"]
    assert unknown.status_code == 404


def test_releasing_a_block_returns_what_it_still_held_once(bank):
    number = open_account(bank)
    reference = block(bank, number, "500.00")
    pay(bank, number, reference, payments(2))

    first = bank("POST", "release_funds", json={"block_reference_no": reference}).json()
    second = bank("POST", "release_funds", json={"block_reference_no": reference}).json()

    assert (first["released_amount"], second["released_amount"]) == ("300.00", "0.00")


def test_a_statement_has_a_debit_per_payment_a_reversal_per_return_and_balances(bank, settings):
    settings.SIMULATOR_BANK_STATEMENT_PAGE_ENTRIES = 50
    number = open_account(bank, balance="50000.00", share="0.3")
    reference = block(bank, number, "10000.00")
    pay(bank, number, reference, payments(100))

    response = bank("POST", "generate_account_statement", json={"account_number": number})

    parsed = parse_statement(response.content)
    marks = [entry.mark for block_ in parsed.blocks for entry in block_.entries]
    assert response.status_code == 200
    assert marks.count("D") == 100
    assert marks.count("RD") == SimLedgerEntry.objects.filter(mark="RD").count()
    assert len(parsed.blocks) == -(-len(marks) // 50)
    assert all(block_.balance_ok for block_ in parsed.blocks)
    assert parsed.blocks[0].opening_balance == Decimal("50000.00")
    assert parsed.blocks[-1].closing_balance == SimAccount.objects.get().balance


def test_a_second_statement_holds_only_the_new_entries(bank):
    number = open_account(bank)
    reference = block(bank, number, "500.00")
    pay(bank, number, reference, payments(2), key="a")
    bank("POST", "generate_account_statement", json={"account_number": number})

    nothing_new = bank("POST", "generate_account_statement", json={"account_number": number})

    assert nothing_new.status_code == 204
    assert SimStatement.objects.count() == 1


def test_a_statement_can_be_downloaded_again(bank):
    number = open_account(bank)
    reference = block(bank, number, "500.00")
    pay(bank, number, reference, payments(2))
    generated = bank("POST", "generate_account_statement", json={"account_number": number})

    downloaded = bank("GET", f"statements/{generated.headers['X-Statement-Reference']}")

    assert downloaded.content == generated.content
    assert "attachment" in downloaded.headers["Content-Disposition"]


def test_bad_input_is_answered_with_a_code_not_a_crash(bank):
    open_account(bank)

    responses = [
        bank("POST", "check_funds", data=b"not json", headers={"Content-Type": "application/json"}),
        bank(
            "POST",
            "check_funds",
            json={"account_number": "700000000001", "account_currency": "INR", "total_funds_needed": 1.505},
        ),
        bank("POST", "block_funds", json={"account_number": "700000000001", "currency": "INR", "amount": "1"}),
        bank(
            "POST", "check_funds", json={"account_number": "nope", "account_currency": "INR", "total_funds_needed": "1"}
        ),
    ]

    assert [r.status_code for r in responses] == [400, 400, 400, 404]
    assert [r.json()["error_code"] for r in responses] == [
        "INVALID_JSON",
        "INVALID_AMOUNT",
        "IDEMPOTENCY_KEY_REQUIRED",
        "ACCOUNT_NOT_FOUND",
    ]


@pytest.mark.django_db
def test_the_admin_lists_simulated_accounts_masked(client, django_user_model):
    from simulators.bank.services import account_open

    account_open(account_number="700000004321", holder_name="Welfare Dept")
    client.force_login(django_user_model.objects.create_superuser("root", password="x", name="Root"))

    page = client.get("/admin/simulators_bank/simaccount/").content.decode()

    assert "••••4321" in page
    assert "700000004321" not in page
