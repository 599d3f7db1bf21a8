"""The admin: programs, clients and the account mapper are listed with masked accounts; money rows read-only."""

import pytest

from bridge.models import BridgeClient
from core.models import Role
from tests.bridge.factories import BenefitProgramFactory, DisbursementFactory, FinancialAddressFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_employee):
    user = make_employee(role=Role.SUPERUSER, is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "benefitprogram",
        "bridgeclient",
        "financialaddress",
        "envelope",
        "disbursement",
        "bankbatch",
        "statement",
        "reviewitem",
    ],
)
def test_every_bridge_admin_page_opens(admin_client, path, tenants):
    DisbursementFactory()

    response = admin_client.get(f"/admin/bridge/{path}/")

    assert response.status_code == 200


def test_programs_and_mapper_show_accounts_masked(admin_client, tenants):
    BenefitProgramFactory(sponsor_bank_account_number="500000004321")
    FinancialAddressFactory(account_number="910000008765")

    programs = admin_client.get("/admin/bridge/benefitprogram/").content.decode()
    mapper = admin_client.get("/admin/bridge/financialaddress/").content.decode()

    assert "••••4321" in programs and "500000004321" not in programs
    assert "••••8765" in mapper and "910000008765" not in mapper


def test_disbursements_cannot_be_edited_in_the_admin(admin_client, tenants):
    disbursement = DisbursementFactory()

    response = admin_client.post(f"/admin/bridge/disbursement/{disbursement.pk}/change/", {"amount": "1.00"})

    disbursement.refresh_from_db()
    assert response.status_code == 403
    assert str(disbursement.amount) == "200.00"


def test_a_new_client_token_can_be_issued_from_the_admin(admin_client, g2p_client):
    old_digest = g2p_client.token_digest

    response = admin_client.post(
        "/admin/bridge/bridgeclient/", {"action": "rotate_token", "_selected_action": [g2p_client.pk]}, follow=True
    )

    assert "New token for State PBMS" in response.content.decode()
    assert BridgeClient.objects.get().token_digest != old_digest
