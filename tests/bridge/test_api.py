"""The G2P endpoints: the anchor's envelope and codes, client-token authentication, idempotent writes, and bad
input refused with the anchor's reason code and nothing written."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bridge.api.base import G2PJSONRenderer, wire
from bridge.models import BenefitProgram, Disbursement, Envelope, EnvelopeStage
from core.models import IdempotencyRecord
from tests.bridge.conftest import G2PCaller, disbursement_message, envelope_message, program_message
from tests.bridge.factories import BenefitProgramFactory, DisbursementFactory, EnvelopeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(tenants):
    return BenefitProgramFactory(mnemonic="OAP", sponsor_bank_account_number="500000000001")


@pytest.fixture
def envelope(g2p, program):
    answer = g2p.post("create_disbursement_envelope", envelope_message()).json()
    assert answer["header"]["status"] == "succ", answer["header"]
    return Envelope.objects.get(envelope_id="ENV-2026-11")


def header(response) -> dict:
    return response.json()["header"]


# --- Envelope and authentication ---------------------------------------------------------------


def test_a_call_without_a_client_token_is_refused(api, tenants):
    response = api.post("/create_disbursement_envelope", {"header": {}, "message": {}}, format="json")

    assert response.status_code == 401
    assert header(response)["status"] == "rjct"
    assert header(response)["status_reason_code"] == "INVALID_CLIENT_TOKEN"


def test_an_unknown_client_token_is_refused(tenants, program):
    response = G2PCaller("kbr_not-a-token").post("create_disbursement_envelope", envelope_message())

    assert response.status_code == 401
    assert header(response)["status_reason_code"] == "INVALID_CLIENT_TOKEN"
    assert not Envelope.objects.exists()


def test_a_digit_employee_token_is_not_a_g2p_client_token(make_employee, token_for, program):
    employee_token = token_for(make_employee())

    response = G2PCaller(employee_token).post("create_disbursement_envelope", envelope_message())

    assert response.status_code == 401
    assert not Envelope.objects.exists()


def test_a_client_bound_to_networks_is_refused_from_elsewhere(g2p, g2p_client, program):
    g2p_client.allowed_networks = ["10.0.0.0/8"]
    g2p_client.save()

    response = g2p.post("create_disbursement_envelope", envelope_message())

    assert response.status_code == 403
    assert header(response)["status_reason_code"] == "IP_NOT_ALLOWED"


def test_a_body_without_the_g2p_envelope_is_refused(g2p, program):
    response = g2p.api.post(
        "/create_disbursement_envelope", {"message": {}}, format="json", HTTP_AUTHORIZATION=f"Bearer {g2p.token}"
    )

    assert response.status_code == 400
    assert header(response)["status_reason_code"] == "INVALID_REQUEST"


def test_a_body_that_is_not_json_is_refused_not_crashed(g2p, program):
    response = g2p.api.post(
        "/create_disbursement_envelope",
        b"{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {g2p.token}",
    )

    assert response.status_code == 400
    assert header(response)["status"] == "rjct"


def test_a_write_without_a_message_id_is_refused(g2p, program):
    body = g2p.envelope(envelope_message())
    del body["header"]["message_id"]

    response = g2p.api.post(
        "/create_disbursement_envelope", body, format="json", HTTP_AUTHORIZATION=f"Bearer {g2p.token}"
    )

    assert header(response)["status_reason_code"] == "INVALID_MESSAGE_ID"
    assert not Envelope.objects.exists()


def test_the_answer_echoes_the_message_id_and_action(g2p, program):
    body = g2p.envelope(envelope_message(), message_id="m-42", action="create_disbursement_envelope")

    response = g2p.api.post(
        "/create_disbursement_envelope", body, format="json", HTTP_AUTHORIZATION=f"Bearer {g2p.token}"
    )

    assert response.status_code == 200
    assert header(response)["message_id"] == "m-42"
    assert header(response)["action"] == "create_disbursement_envelope"
    assert header(response)["status"] == "succ"


# --- Programs ----------------------------------------------------------------------------------


def test_a_program_is_created_from_the_anchors_configuration_payload(g2p):
    response = g2p.post("create_benefit_program_configuration", program_message())

    program = BenefitProgram.objects.get()
    assert header(response)["status"] == "succ"
    assert (program.tenant_id, program.mnemonic, program.sponsor_bank_code) == ("pb.amritsar", "OAP", "SIMBANK")
    assert response.json()["message"]["sponsor_bank_account_number"] == "500000000001"


def test_the_same_program_configuration_twice_creates_one_program(g2p):
    g2p.post("create_benefit_program_configuration", program_message())

    response = g2p.post("create_benefit_program_configuration", program_message())

    assert header(response)["status"] == "succ"
    assert BenefitProgram.objects.count() == 1


def test_a_different_configuration_under_a_taken_mnemonic_is_refused(g2p):
    g2p.post("create_benefit_program_configuration", program_message())

    response = g2p.post("create_benefit_program_configuration", program_message(benefit_program_name="Other"))

    assert header(response)["status_reason_code"] == "BENEFIT_PROGRAM_CONFIGURATION_ALREADY_EXISTS"
    assert BenefitProgram.objects.get().name == "Old age pension"


def test_a_program_for_a_bank_without_a_connector_is_refused(g2p):
    response = g2p.post("create_benefit_program_configuration", program_message(sponsor_bank_code="NOBANK"))

    assert header(response)["status_reason_code"] == "INVALID_PROGRAM_CONFIGURATION"
    assert "sponsor_bank_code" in header(response)["status_reason_detail"]
    assert not BenefitProgram.objects.exists()


# --- Envelopes ---------------------------------------------------------------------------------


def test_an_envelope_is_created_with_its_pipeline_stages_waiting(g2p, program):
    response = g2p.post("create_disbursement_envelope", envelope_message())

    envelope = Envelope.objects.get()
    assert header(response)["status"] == "succ"
    assert response.json()["message"]["disbursement_envelope_id"] == "ENV-2026-11"
    assert envelope.total_disbursement_amount == Decimal("600.00")
    assert set(envelope.stages.values_list("status", flat=True)) == {EnvelopeStage.Status.WAITING}


def test_an_envelope_without_an_id_gets_one_generated(g2p, program):
    response = g2p.post("create_disbursement_envelope", envelope_message(disbursement_envelope_id=None))

    generated = response.json()["message"]["disbursement_envelope_id"]
    assert Envelope.objects.get().envelope_id == generated
    assert len(generated) == 32


def test_the_same_envelope_id_twice_creates_one_envelope_and_answers_the_same(g2p, program):
    first = g2p.post("create_disbursement_envelope", envelope_message()).json()

    second = g2p.post("create_disbursement_envelope", envelope_message()).json()

    assert second["header"]["status"] == "succ"
    assert second["message"] == first["message"]
    assert Envelope.objects.count() == 1


def test_the_same_envelope_id_with_other_values_is_refused(g2p, program):
    g2p.post("create_disbursement_envelope", envelope_message())

    response = g2p.post("create_disbursement_envelope", envelope_message(number_of_disbursements=4))

    assert header(response)["status_reason_code"] == "DISBURSEMENT_ENVELOPE_ALREADY_EXISTS"
    assert Envelope.objects.get().number_of_disbursements == 3


def test_the_same_message_id_twice_gets_the_first_answer_and_writes_once(g2p, program):
    first = g2p.post("create_disbursement_envelope", envelope_message(disbursement_envelope_id=None), message_id="m-1")

    second = g2p.post("create_disbursement_envelope", envelope_message(disbursement_envelope_id=None), message_id="m-1")

    assert second.json() == first.json()
    assert Envelope.objects.count() == 1


def test_a_message_id_reused_for_another_request_is_refused(g2p, program):
    g2p.post("create_disbursement_envelope", envelope_message(), message_id="m-1")

    response = g2p.post(
        "create_disbursement_envelope", envelope_message(disbursement_envelope_id="E2"), message_id="m-1"
    )

    assert header(response)["status_reason_code"] == "rjct.message_id.duplicate"
    assert Envelope.objects.count() == 1


def test_a_refused_request_keeps_no_message_id_so_it_can_be_corrected(g2p, program):
    g2p.post("create_disbursement_envelope", envelope_message(benefit_program_mnemonic="NOPE"), message_id="m-1")

    response = g2p.post("create_disbursement_envelope", envelope_message(), message_id="m-1")

    assert header(response)["status"] == "succ"
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"benefit_program_mnemonic": "UNKNOWN"}, "INVALID_PROGRAM_MNEMONIC"),
        ({"benefit_program_mnemonic": ""}, "INVALID_PROGRAM_MNEMONIC"),
        ({"disbursement_frequency": "Hourly"}, "INVALID_DISBURSEMENT_FREQUENCY"),
        ({"cycle_code_mnemonic": ""}, "INVALID_CYCLE_CODE_MNEMONIC"),
        ({"number_of_beneficiaries": 0}, "INVALID_NO_OF_BENEFICIARIES"),
        ({"number_of_disbursements": -1}, "INVALID_NO_OF_DISBURSEMENTS"),
        ({"number_of_disbursements": "3"}, "INVALID_NO_OF_DISBURSEMENTS"),
        ({"total_disbursement_amount": Decimal("-1.00")}, "INVALID_TOTAL_DISBURSEMENT_AMOUNT"),
        ({"total_disbursement_amount": Decimal("600.005")}, "INVALID_TOTAL_DISBURSEMENT_AMOUNT"),
        ({"disbursement_currency_code": "USD"}, "INVALID_DISBURSEMENT_CURRENCY_CODE"),
        ({"disbursement_schedule_date": "20-11-2026"}, "INVALID_DISBURSEMENT_SCHEDULE_DATE"),
        ({"disbursement_envelope_id": "has space"}, "INVALID_DISBURSEMENT_ENVELOPE_ID"),
    ],
)
def test_a_bad_envelope_is_refused_with_the_anchors_code_and_nothing_written(g2p, program, overrides, code):
    response = g2p.post("create_disbursement_envelope", envelope_message(**overrides))

    assert response.status_code == 200
    assert header(response)["status"] == "rjct"
    assert header(response)["status_reason_code"] == code
    assert header(response)["status_reason_message"] == code
    assert not Envelope.objects.exists()


def test_an_envelope_scheduled_in_the_past_is_refused(g2p, program):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()

    response = g2p.post("create_disbursement_envelope", envelope_message(disbursement_schedule_date=yesterday))

    assert header(response)["status_reason_code"] == "INVALID_DISBURSEMENT_SCHEDULE_DATE"
    assert "in the past" in header(response)["status_reason_detail"]
    assert not Envelope.objects.exists()


def test_another_tenants_program_is_unknown(g2p, tenants):
    BenefitProgramFactory(mnemonic="OAP", tenant=tenants["pb.jalandhar"])

    response = g2p.post("create_disbursement_envelope", envelope_message())

    assert header(response)["status_reason_code"] == "INVALID_PROGRAM_MNEMONIC"


def test_cancelling_an_unknown_envelope_says_not_found(g2p, program):
    response = g2p.post("cancel_disbursement_envelope", {"disbursement_envelope_id": "NOPE"})

    assert header(response)["status_reason_code"] == "DISBURSEMENT_ENVELOPE_NOT_FOUND"


def test_cancelling_an_envelope_twice_says_already_cancelled(g2p, envelope):
    g2p.post("cancel_disbursement_envelope", {"disbursement_envelope_id": envelope.envelope_id})

    response = g2p.post("cancel_disbursement_envelope", {"disbursement_envelope_id": envelope.envelope_id})

    assert header(response)["status_reason_code"] == "DISBURSEMENT_ENVELOPE_ALREADY_CANCELED"
    envelope.refresh_from_db()
    assert envelope.is_cancelled


# --- Disbursements -----------------------------------------------------------------------------


def test_disbursements_are_received_and_echoed_with_their_status(g2p, envelope):
    response = g2p.post("create_disbursements", [disbursement_message(1), disbursement_message(2)])

    answer = response.json()
    assert answer["header"]["status"] == "succ"
    assert answer["header"]["completed_count"] == 2
    assert [item["status"] for item in answer["message"]] == ["RECEIVED", "RECEIVED"]
    assert answer["message"][0]["disbursement_amount"] == 200.0
    assert Disbursement.objects.filter(envelope=envelope).count() == 2


def test_the_same_disbursement_id_twice_creates_one_disbursement(g2p, envelope):
    g2p.post("create_disbursements", [disbursement_message(1)])

    response = g2p.post("create_disbursements", [disbursement_message(1), disbursement_message(2)])

    assert header(response)["status"] == "succ"
    assert Disbursement.objects.filter(disbursement_id="D-000001").count() == 1
    assert Disbursement.objects.count() == 2


def test_a_disbursement_id_reused_for_another_amount_is_refused_naming_the_item(g2p, envelope):
    g2p.post("create_disbursements", [disbursement_message(1)])

    response = g2p.post("create_disbursements", [disbursement_message(2), disbursement_message(1, amount="150.00")])

    answer = response.json()
    assert answer["header"]["status_reason_code"] == "INVALID_DISBURSEMENT_PAYLOAD"
    assert [item["response_error_codes"] for item in answer["message"]] == [[], ["DISBURSEMENT_ALREADY_EXISTS"]]
    assert Disbursement.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"disbursement_amount": Decimal("-10.00")}, "INVALID_DISBURSEMENT_AMOUNT"),
        ({"disbursement_amount": Decimal("0")}, "INVALID_DISBURSEMENT_AMOUNT"),
        ({"disbursement_amount": Decimal("10.005")}, "INVALID_DISBURSEMENT_AMOUNT"),
        ({"disbursement_amount": "ten"}, "INVALID_DISBURSEMENT_AMOUNT"),
        ({"beneficiary_id": ""}, "INVALID_BENEFICIARY_ID"),
        ({"beneficiary_name": None}, "INVALID_BENEFICIARY_NAME"),
        ({"narrative": ""}, "INVALID_NARRATIVE"),
        ({"disbursement_id": "bad id with spaces"}, "INVALID_DISBURSEMENT_ID"),
        ({"disbursement_envelope_id": ""}, "INVALID_DISBURSEMENT_ENVELOPE_ID"),
    ],
)
def test_a_bad_item_refuses_the_whole_batch_naming_the_item(g2p, envelope, overrides, code):
    response = g2p.post("create_disbursements", [disbursement_message(1), disbursement_message(2, **overrides)])

    answer = response.json()
    assert answer["header"]["status_reason_code"] == "INVALID_DISBURSEMENT_PAYLOAD"
    assert answer["message"][0]["response_error_codes"] == []
    assert code in answer["message"][1]["response_error_codes"]
    assert "#1" in answer["header"]["status_reason_detail"]
    assert not Disbursement.objects.exists()


def test_the_same_disbursement_id_twice_in_one_batch_is_refused(g2p, envelope):
    response = g2p.post("create_disbursements", [disbursement_message(1), disbursement_message(1)])

    assert response.json()["message"][1]["response_error_codes"] == ["INVALID_DISBURSEMENT_ID"]
    assert not Disbursement.objects.exists()


def test_disbursements_for_an_unknown_envelope_are_refused(g2p, envelope):
    response = g2p.post("create_disbursements", [disbursement_message(1, envelope_id="NOPE")])

    assert header(response)["status_reason_code"] == "DISBURSEMENT_ENVELOPE_NOT_FOUND"


def test_disbursements_for_two_envelopes_in_one_call_are_refused(g2p, envelope):
    response = g2p.post("create_disbursements", [disbursement_message(1), disbursement_message(2, envelope_id="E2")])

    assert header(response)["status_reason_code"] == "MULTIPLE_ENVELOPES_FOUND"


def test_more_disbursements_than_declared_are_refused(g2p, envelope):
    items = [disbursement_message(n, amount="100.00") for n in range(1, 5)]

    response = g2p.post("create_disbursements", items)

    assert header(response)["status_reason_code"] == "NO_OF_DISBUESEMENTS_EXCEEDS_DECLARED"
    assert not Disbursement.objects.exists()


def test_a_total_over_the_declared_is_refused(g2p, envelope):
    g2p.post("create_disbursements", [disbursement_message(1, amount="300.00")])

    response = g2p.post("create_disbursements", [disbursement_message(2, amount="300.01")])

    assert header(response)["status_reason_code"] == "TOTAL_DISBURSEMENT_AMOUNT_EXCEEDS_DECLARED"
    assert Disbursement.objects.count() == 1


def test_disbursements_for_a_cancelled_envelope_are_refused(g2p, envelope):
    g2p.post("cancel_disbursement_envelope", {"disbursement_envelope_id": envelope.envelope_id})

    response = g2p.post("create_disbursements", [disbursement_message(1)])

    assert header(response)["status_reason_code"] == "DISBURSEMENT_ENVELOPE_ALREADY_CANCELED"
    assert not Disbursement.objects.exists()


def test_an_amount_sent_as_a_json_number_is_read_exactly(g2p, envelope):
    body = json.dumps(g2p.envelope([disbursement_message(1, amount="AMOUNT")]))
    raw = body.replace('"disbursement_amount": "AMOUNT"', '"disbursement_amount": 0.1')

    g2p.api.post(
        "/create_disbursements", raw, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {g2p.token}"
    )

    assert Disbursement.objects.get().amount == Decimal("0.10")


def test_cancelling_a_received_disbursement_marks_it_cancelled(g2p, envelope):
    g2p.post("create_disbursements", [disbursement_message(1)])

    response = g2p.post("cancel_disbursements", [{"disbursement_id": "D-000001"}])

    assert header(response)["status"] == "succ"
    assert Disbursement.objects.get().status == Disbursement.Status.CANCELLED


def test_cancelling_an_unknown_or_cancelled_disbursement_is_refused_per_item(g2p, envelope):
    g2p.post("create_disbursements", [disbursement_message(1)])
    g2p.post("cancel_disbursements", [{"disbursement_id": "D-000001"}])

    again = g2p.post("cancel_disbursements", [{"disbursement_id": "D-000001"}]).json()
    unknown = g2p.post("cancel_disbursements", [{"disbursement_id": "D-999999"}]).json()

    assert again["message"][0]["response_error_codes"] == ["DISBURSEMENT_ALREADY_CANCELED"]
    assert unknown["message"][0]["response_error_codes"] == ["INVALID_DISBURSEMENT_ID"]


def test_a_disbursement_already_in_a_bank_batch_cannot_be_cancelled(g2p, envelope):
    from bridge.models import BankBatch

    g2p.post("create_disbursements", [disbursement_message(1)])
    batch = BankBatch.objects.create(
        tenant_id="pb.amritsar",
        envelope=envelope,
        sequence=1,
        idempotency_key="k1",
        item_count=1,
        total_amount=Decimal("200.00"),
    )
    Disbursement.objects.update(bank_batch=batch, status=Disbursement.Status.RESOLVED)

    response = g2p.post("cancel_disbursements", [{"disbursement_id": "D-000001"}])

    assert response.json()["message"][0]["response_error_codes"] == ["DISBURSEMENT_ALREADY_SHIPPED"]
    assert Disbursement.objects.get().status == Disbursement.Status.RESOLVED


# --- Status ------------------------------------------------------------------------------------


def test_envelope_status_has_the_anchors_batch_status_fields(g2p, envelope):
    g2p.post("create_disbursements", [disbursement_message(1), disbursement_message(2)])

    status = g2p.post("get_disbursement_envelope_status", "ENV-2026-11").json()["message"]

    assert status["number_of_disbursements_received"] == 2
    assert status["total_disbursement_amount_received"] == 400.0
    assert status["funds_available_with_bank"] == "PENDING_CHECK"
    assert status["funds_blocked_with_bank"] == "PENDING_CHECK"
    assert status["number_of_disbursements_shipped"] == 0
    assert [stage["stage"] for stage in status["stages"]] == [
        "RESOLVE",
        "FUNDS_CHECK",
        "FUNDS_BLOCK",
        "DISPATCH",
        "RECONCILE",
    ]


def test_envelope_status_is_not_cached_by_message_id(g2p, envelope):
    g2p.post("get_disbursement_envelope_status", "ENV-2026-11", message_id="s-1")
    g2p.post("create_disbursements", [disbursement_message(1)])

    status = g2p.post("get_disbursement_envelope_status", "ENV-2026-11", message_id="s-1").json()["message"]

    assert status["number_of_disbursements_received"] == 1


def test_status_of_an_unknown_envelope_is_refused(g2p, envelope):
    response = g2p.post("get_disbursement_envelope_status", "NOPE")

    assert header(response)["status_reason_code"] == "DISBURSEMENT_ENVELOPE_NOT_FOUND"


def test_disbursement_status_lists_each_with_its_lifecycle_status(g2p, envelope):
    g2p.post("create_disbursements", [disbursement_message(1), disbursement_message(2)])
    g2p.post("cancel_disbursements", [{"disbursement_id": "D-000002"}])

    answer = g2p.post("get_disbursement_status", ["D-000001", "D-000002"]).json()

    assert [(item["disbursement_id"], item["status"]) for item in answer["message"]] == [
        ("D-000001", "RECEIVED"),
        ("D-000002", "CANCELLED"),
    ]
    assert answer["message"][0]["disbursement_recon_records"] == {
        "disbursement_recon_payloads": [],
        "disbursement_error_recon_payloads": [],
    }


def test_disbursement_status_of_unknown_ids_names_them(g2p, envelope):
    g2p.post("create_disbursements", [disbursement_message(1)])

    answer = g2p.post("get_disbursement_status", ["D-000001", "D-404"]).json()

    assert answer["header"]["status_reason_code"] == "INVALID_DISBURSEMENT_ID"
    assert answer["message"] == ["D-404"]


def test_another_tenants_client_sees_no_envelope(program, envelope, tenants):
    from bridge.services.clients import bridge_client_create

    _client, token = bridge_client_create(tenant_id="pb.jalandhar", name="Jalandhar PBMS")

    response = G2PCaller(token).post("get_disbursement_envelope_status", "ENV-2026-11")

    assert header(response)["status_reason_code"] == "DISBURSEMENT_ENVELOPE_NOT_FOUND"


def test_the_api_is_documented_under_the_g2p_bridge_tag(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()

    assert '"/create_disbursements"' in schema
    assert '"G2P Bridge"' in schema
    assert "g2pClientToken" in schema


def test_an_amount_beyond_a_doubles_precision_is_rendered_exactly():
    # NUMERIC(18,2) holds 18 significant digits; a double keeps about 16 (…3456.78 would read …3456.8).
    answer = {"total": wire(Decimal("1234567890123456.78")), "items": [{"amount": wire(Decimal("-0.05"))}]}

    rendered = G2PJSONRenderer().render(answer)

    assert rendered == b'{"total":1234567890123456.78,"items":[{"amount":-0.05}]}'
    assert json.loads(rendered, parse_float=Decimal)["total"] == Decimal("1234567890123456.78")


def test_text_that_looks_like_a_marked_amount_stays_text():
    rendered = G2PJSONRenderer().render({"narrative": '{"kosh:decimal":"1.00"}'})

    assert json.loads(rendered) == {"narrative": '{"kosh:decimal":"1.00"}'}


# SQLite sums decimals as doubles; PostgreSQL's NUMERIC sum is exact, so the total is exact end to end there.
@pytest.mark.postgres
def test_a_total_beyond_a_doubles_precision_goes_on_the_wire_exactly(g2p, tenants):
    # 99,999,999,999,999.01 has 16 significant digits: through a float it would read …999.02.
    envelope = EnvelopeFactory(
        envelope_id="ENV-BIG",
        number_of_beneficiaries=101,
        number_of_disbursements=101,
        total_disbursement_amount=Decimal("99999999999999.01"),
    )
    DisbursementFactory.create_batch(100, envelope=envelope, amount=Decimal("999999999999.99"))
    DisbursementFactory(envelope=envelope, amount=Decimal("0.01"))

    response = g2p.post("get_disbursement_envelope_status", "ENV-BIG")
    status = json.loads(response.content, parse_float=Decimal)["message"]

    assert b'"total_disbursement_amount_received":99999999999999.01' in response.content
    assert status["total_disbursement_amount_received"] == Decimal("99999999999999.01")


def test_a_replayed_answer_carries_the_same_exact_amounts_as_the_first(g2p, envelope):
    message = [disbursement_message(1, amount=Decimal("199.99"))]

    first = g2p.post("create_disbursements", message, message_id="exact-1")
    replay = g2p.post("create_disbursements", message, message_id="exact-1")

    assert b'"disbursement_amount":199.99' in first.content
    assert json.loads(replay.content)["message"] == json.loads(first.content)["message"]
