"""The JIT-FS simulator speaks the treasury's encrypted protocol; Kosh's client talks to it over real HTTP."""

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from payments.clients.jit import JitAuthenticationError, JitClient, JitConfigurationError, jit_client_from_settings
from simulators.jit.models import SimSession
from simulators.jit.services import sim_scenario_set, sim_sessions_expire

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def jit(settings, live_server, tmp_path_factory, monkeypatch):
    from django.db import connection

    from simulators.jit import crypto

    # Live-server request threads close their connections with the request (see tests/payments/conftest.py).
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)

    settings.KOSH_JIT_SIMULATOR_KEY_DIR = str(tmp_path_factory.getbasetemp() / "jit-protocol-keys")
    settings.KOSH_JIT_BASE_URL = f"{live_server.url}/simulators/jit"
    settings.KOSH_JIT_CLIENT_ID = settings.KOSH_JIT_SIMULATOR_CLIENT_ID
    settings.KOSH_JIT_CLIENT_SECRET = settings.KOSH_JIT_SIMULATOR_CLIENT_SECRET
    settings.KOSH_JIT_PUBLIC_KEY_FILE = str(crypto.keys_ensure())
    JitClient._sessions.clear()
    yield settings
    JitClient._sessions.clear()


def test_a_service_call_round_trips_encrypted_through_the_simulator(jit):
    # given a client that has never authenticated
    client = jit_client_from_settings()

    # when it asks for the status of a bill the treasury does not know
    response = client.call("PIS", {"jitBillNo": "PI-ANG/2026-27/000404", "jitBillDate": "2026-11-01", "ssuIaId": "S"})

    # then JIT's own answer comes back decrypted, naming the bill
    assert response.service_id == "PIS"
    assert response.error_msg == "No bill found for jitBillNo PI-ANG/2026-27/000404"
    assert SimSession.objects.count() == 1


def test_the_session_is_reused_between_calls(jit):
    client = jit_client_from_settings()

    client.call("FD", {"finYear": "2026", "extAppName": "MUKTA", "voucherDate": "2026-08-01"})
    client.call("FD", {"finYear": "2026", "extAppName": "MUKTA", "voucherDate": "2026-08-01"})

    assert SimSession.objects.count() == 1


def test_an_expired_session_is_renewed_and_the_call_retried_once(jit):
    # given a session the treasury has since ended
    client = jit_client_from_settings()
    client.call("FD", {"finYear": "2026", "extAppName": "MUKTA", "voucherDate": "2026-08-01"})
    sim_sessions_expire()

    # when the client calls again
    response = client.call("FD", {"finYear": "2026", "extAppName": "MUKTA", "voucherDate": "2026-08-01"})

    # then it authenticated again and got the answer
    assert response.error_msg is None
    assert SimSession.objects.count() == 2


def test_a_wrong_client_secret_is_refused_with_a_clear_error(jit):
    jit.KOSH_JIT_CLIENT_SECRET = "not-the-secret"

    with pytest.raises(JitAuthenticationError, match="Invalid clientId or clientSecret"):
        jit_client_from_settings().call("FD", {})

    assert SimSession.objects.count() == 0


def test_a_wrong_public_key_is_refused_with_a_clear_error(jit, tmp_path):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    wrong = tmp_path / "other.der"
    wrong.write_bytes(other.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))
    jit.KOSH_JIT_PUBLIC_KEY_FILE = str(wrong)

    with pytest.raises(JitAuthenticationError, match="Invalid appKey"):
        jit_client_from_settings().call("FD", {})

    assert SimSession.objects.count() == 0


def test_a_missing_public_key_file_names_the_setting(jit):
    jit.KOSH_JIT_PUBLIC_KEY_FILE = "/nonexistent/jit.der"

    with pytest.raises(JitConfigurationError, match="KOSH_JIT_PUBLIC_KEY_FILE"):
        jit_client_from_settings().call("FD", {})


def test_the_simulator_keeps_its_private_key_readable_by_its_owner_only(jit):
    private = Path(jit.KOSH_JIT_SIMULATOR_KEY_DIR) / "private-key.pem"

    assert private.stat().st_mode & 0o077 == 0


def test_a_scenario_error_comes_back_as_jits_error_message(jit):
    sim_scenario_set(service="FD", mode="ERROR", error_message="Service temporarily unavailable")

    response = jit_client_from_settings().call("FD", {"finYear": "2026"})

    assert response.is_error
    assert response.error_text == "Service temporarily unavailable"


def test_the_simulator_answers_nothing_under_production_settings(client, settings):
    settings.KOSH_ENVIRONMENT = "production"

    response = client.post("/simulators/jit/webservices/jitfs/v1.0/authenticate", {}, content_type="application/json")

    assert response.status_code == 404
