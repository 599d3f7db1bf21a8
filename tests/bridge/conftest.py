"""Fixtures for the bridge: a G2P client and its token, a caller speaking the G2P envelope, and the simulated
sponsor bank served over real HTTP by pytest-django's live server."""

import itertools
import uuid
from decimal import Decimal

import pytest
import requests
from rest_framework.test import APIClient

from bridge.connectors.simulator_bank import sessions_close
from bridge.services.clients import bridge_client_create
from simulators.bank.models import SimAccount

BANK_API_KEY = "test-bank-key"
_message_ids = itertools.count(1)


@pytest.fixture
def g2p_client(tenants):
    client, token = bridge_client_create(tenant_id="pb.amritsar", name="State PBMS")
    client.raw_token = token
    return client


class G2PCaller:
    """Posts `{signature, header, message}` to a G2P path the way a PBMS does, with the client token."""

    def __init__(self, token: str):
        self.api = APIClient()
        self.token = token

    def envelope(self, message, *, message_id: str | None = None, action: str = "") -> dict:
        return {
            "signature": None,
            "header": {
                "version": "1.0.0",
                "message_id": message_id or f"msg-{next(_message_ids)}-{uuid.uuid4().hex[:6]}",
                "message_ts": "2026-11-20T10:00:00+05:30",
                "action": action,
                "sender_id": "pbms",
                "receiver_id": "kosh",
                "total_count": len(message) if isinstance(message, list) else 1,
                "is_msg_encrypted": False,
            },
            "message": message,
        }

    def post(self, path: str, message, *, message_id: str | None = None, **headers):
        return self.api.post(
            f"/{path}",
            self.envelope(message, message_id=message_id),
            format="json",
            HTTP_AUTHORIZATION=f"Bearer {self.token}",
            **headers,
        )

    def upload(self, content: bytes, *, filename: str = "statement.sta", **data):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.api.post(
            "/upload_mt940",
            {"statement_file": SimpleUploadedFile(filename, content, content_type="text/plain"), **data},
            HTTP_AUTHORIZATION=f"Bearer {self.token}",
        )


@pytest.fixture
def g2p(g2p_client):
    return G2PCaller(g2p_client.raw_token)


def program_message(**overrides) -> dict:
    message = {
        "benefit_program_mnemonic": "OAP",
        "benefit_program_name": "Old age pension",
        "funding_org_code": "SWD",
        "funding_org_name": "Social Welfare Department",
        "sponsor_bank_code": "SIMBANK",
        "sponsor_bank_account_number": "500000000001",
        "sponsor_bank_branch_code": "AMR01",
        "sponsor_bank_account_currency": "INR",
        "id_mapper_resolution_required": True,
    }
    return {**message, **overrides}


def envelope_message(**overrides) -> dict:
    from django.utils import timezone

    message = {
        "disbursement_envelope_id": "ENV-2026-11",
        "benefit_program_mnemonic": "OAP",
        "disbursement_frequency": "Monthly",
        "cycle_code_mnemonic": "2026-11",
        "number_of_beneficiaries": 3,
        "number_of_disbursements": 3,
        "total_disbursement_amount": Decimal("600.00"),
        "disbursement_currency_code": "INR",
        "disbursement_schedule_date": timezone.localdate().isoformat(),
    }
    return {**message, **overrides}


def disbursement_message(number: int, *, envelope_id: str = "ENV-2026-11", amount=Decimal("200.00"), **overrides):
    message = {
        "mis_reference_number": f"MIS-{number}",
        "disbursement_id": f"D-{number:06d}",
        "disbursement_envelope_id": envelope_id,
        "beneficiary_id": f"BEN-{number:06d}",
        "beneficiary_name": f"Beneficiary {number}",
        "disbursement_amount": amount,
        "narrative": "Old age pension November",
    }
    return {**message, **overrides}


class SimulatorBank:
    """The simulated sponsor bank as the tests see it: over HTTP at the live server."""

    def __init__(self, url: str):
        self.url = url
        self.session = requests.Session()
        self.session.headers["X-Bank-Api-Key"] = BANK_API_KEY

    def open_account(self, number: str, *, balance="10000000.00", failure_share="0") -> dict:
        response = self.session.post(
            f"{self.url}/accounts",
            json={
                "account_number": number,
                "holder_name": "Social Welfare Department",
                "currency": "INR",
                "balance": str(balance),
                "payment_failure_share": str(failure_share),
            },
            timeout=10,
        )
        assert response.status_code == 201, response.text
        return response.json()

    def account(self, number: str) -> SimAccount:
        return SimAccount.objects.get(account_number=number)

    def statement(self, number: str) -> bytes:
        response = self.session.post(
            f"{self.url}/generate_account_statement", json={"account_number": number}, timeout=60
        )
        assert response.status_code == 200, response.text
        return response.content


@pytest.fixture
def bank(live_server, settings):
    """The connector pointed at the simulator bank served by the live server, over real HTTP."""
    url = f"{live_server.url}/simulators/bank"
    settings.BRIDGE_SIMULATOR_BANK_URL = url
    settings.BRIDGE_SIMULATOR_BANK_API_KEY = BANK_API_KEY
    settings.SIMULATOR_BANK_API_KEY = BANK_API_KEY
    simulator = SimulatorBank(url)
    yield simulator
    # Keep-alive connections would outlive the test and close the live server's shared database connection late.
    simulator.session.close()
    sessions_close()


@pytest.fixture
def queued_only():
    """Tasks go to the broker and stay there: the test runs each stage itself, one at a time."""
    from config.celery import app

    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True
    app.control.purge()
