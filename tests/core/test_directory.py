import pytest
from django.contrib.auth.hashers import check_password

from core.errors import ApplicationError
from core.models import AuditEvent, Role
from core.services.directory import api_client_create, api_client_save


@pytest.fixture
def admin_user(make_employee):
    return make_employee(Role.SUPERUSER, "pb")


def test_client_creation_is_audited_without_the_secret(admin_user):
    client = api_client_create(client_id="bank", name="Bank", secret="bank-secret-value", created_by=admin_user)

    event = AuditEvent.objects.get(action="API_CLIENT_CREATE", entity_id=str(client.pk))
    assert event.actor == admin_user
    assert "bank-secret-value" not in str(event.data)
    assert check_password("bank-secret-value", client.secret_hash)


def test_client_change_audits_changed_fields(admin_user):
    client = api_client_create(client_id="bank", name="Bank", secret="s")
    client.name = "Bank of Punjab"

    api_client_save(client=client, secret=None, allowed_networks=["10.0.0.0/8"], saved_by=admin_user)

    event = AuditEvent.objects.get(action="API_CLIENT_UPDATE")
    assert event.data == {"changed": ["name", "allowed_networks"]}


def test_client_secret_none_keeps_the_current_secret(admin_user):
    client = api_client_create(client_id="bank", name="Bank", secret="first-secret")

    api_client_save(client=client, secret=None, allowed_networks=[], saved_by=admin_user)

    client.refresh_from_db()
    assert check_password("first-secret", client.secret_hash)


def test_client_with_bad_network_is_refused_and_unchanged(admin_user):
    client = api_client_create(client_id="bank", name="Bank", secret="s", allowed_networks=["10.0.0.0/8"])

    with pytest.raises(ApplicationError) as refused:
        api_client_save(client=client, secret=None, allowed_networks=["10.0.0.300/8"], saved_by=admin_user)

    assert refused.value.field == "allowedNetworks"
    client.refresh_from_db()
    assert client.allowed_networks == ["10.0.0.0/8"]
