"""The simulator bank posts its statement back to /upload_mt940 with its own G2P client token, and Kosh
reconciles it: the loop `make run` relies on."""

from decimal import Decimal

from bridge.models import Disbursement, Statement
from bridge.services.clients import bridge_client_create
from simulators.bank.models import SimStatement
from simulators.bank.services import statements_generate_and_deliver
from tests.bridge.pipeline import ACCOUNT, envelope_with_disbursements, statuses


def test_the_bank_posts_its_statement_back_and_it_is_reconciled(g2p_client, bank, live_server, settings):
    _bank_client, bank_token = bridge_client_create(tenant_id="pb.amritsar", name="Sponsor bank")
    settings.SIMULATOR_BANK_STATEMENT_CALLBACK_URL = f"{live_server.url}/upload_mt940"
    settings.SIMULATOR_BANK_STATEMENT_CALLBACK_TOKEN = bank_token
    bank.open_account(ACCOUNT, failure_share="0.5")
    envelope = envelope_with_disbursements(g2p_client, 6, amount=Decimal("50.00"))

    delivered = statements_generate_and_deliver()

    statement = Statement.objects.get()
    assert delivered == 1
    assert SimStatement.objects.get().delivered_at is not None
    assert statement.uploaded_by_client.name == "Sponsor bank"
    assert statement.status == Statement.Status.PROCESSED
    assert Disbursement.Status.SHIPPED not in statuses(envelope)
    assert sum(statuses(envelope).values()) == 6


def test_a_refused_delivery_is_kept_and_tried_again(g2p_client, bank, live_server, settings):
    settings.SIMULATOR_BANK_STATEMENT_CALLBACK_URL = f"{live_server.url}/upload_mt940"
    settings.SIMULATOR_BANK_STATEMENT_CALLBACK_TOKEN = "kbr_wrong"
    bank.open_account(ACCOUNT)
    envelope_with_disbursements(g2p_client, 2)

    assert statements_generate_and_deliver() == 0
    refused = SimStatement.objects.get()
    assert refused.delivered_at is None
    assert "401" in refused.delivery_error

    _client, token = bridge_client_create(tenant_id="pb.amritsar", name="Sponsor bank")
    settings.SIMULATOR_BANK_STATEMENT_CALLBACK_TOKEN = token
    assert statements_generate_and_deliver() == 1
    assert Statement.objects.get().status == Statement.Status.PROCESSED
