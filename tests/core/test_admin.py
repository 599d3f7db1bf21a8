import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse

from core.models import (
    AccessToken,
    ApiClient,
    AuditEvent,
    IdFormat,
    IdSequence,
    Role,
    RoleAssignment,
    Tenant,
    User,
)
from core.services.directory import role_grant
from tests.core.factories import ApiClientFactory, UserFactory

NEW_SECRET = "a-new-secret-of-32-characters-ok"


@pytest.fixture
def superuser(tenants):
    return UserFactory(
        username="root", tenant=tenants["pb"], is_staff=True, is_superuser=True, roles=[(Role.SUPERUSER, "pb")]
    )


@pytest.fixture
def admin_site(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def one_of_each(tenants, superuser, token_for):
    """A row of every core model the admin shows."""
    employee = UserFactory(tenant=tenants["pb.amritsar"])
    role_grant(user=employee, tenant_id="pb.amritsar", role=Role.COLLECTION_OPERATOR, granted_by=superuser)
    token_for(employee)
    IdFormat.objects.create(tenant=tenants["pb"], name="receipt.id", format="RCPT/[fy:yyyy-yy]/[SEQ_RCPT]")
    IdSequence.objects.create(tenant=tenants["pb.amritsar"], name="SEQ_RCPT", period="2026-27", last_value=7)
    return {
        Tenant: tenants["pb.amritsar"],
        User: employee,
        ApiClient: ApiClient.objects.get(client_id="egov-user-client"),
        AccessToken: AccessToken.objects.get(user=employee),
        IdFormat: IdFormat.objects.get(),
        IdSequence: IdSequence.objects.get(),
        AuditEvent: AuditEvent.objects.filter(action="ROLE_GRANT").first(),
    }


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def client_change_data(client: ApiClient, **changes) -> dict:
    data = {
        "client_id": client.client_id,
        "name": client.name,
        "new_secret": "",
        "allowed_networks": "\n".join(client.allowed_networks),
        "is_active": "on",
    }
    data.update(changes)
    return data


MODELS = [Tenant, User, ApiClient, AccessToken, IdFormat, IdSequence, AuditEvent]


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_changelist_renders_for_a_superuser(admin_site, one_of_each, model):
    response = admin_site.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_change_page_renders_for_a_superuser(admin_site, one_of_each, model):
    response = admin_site.get(admin_url(model, "change", one_of_each[model].pk))

    assert response.status_code == 200


@pytest.mark.parametrize("model", [Tenant, User, ApiClient, IdFormat], ids=lambda model: model.__name__)
def test_add_page_renders_for_a_superuser(admin_site, model):
    response = admin_site.get(admin_url(model, "add"))

    assert response.status_code == 200


@pytest.mark.parametrize("model", [AccessToken, IdSequence, AuditEvent], ids=lambda model: model.__name__)
def test_service_written_rows_cannot_be_added_or_deleted(admin_site, one_of_each, model):
    assert admin_site.get(admin_url(model, "add")).status_code == 403
    assert admin_site.post(admin_url(model, "delete", one_of_each[model].pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=one_of_each[model].pk).exists()


def test_setting_an_api_client_secret_stores_a_hash_that_check_password_accepts(admin_site, db):
    client = ApiClientFactory(client_id="bank-pos")

    response = admin_site.post(
        admin_url(ApiClient, "change", client.pk), client_change_data(client, new_secret=NEW_SECRET)
    )

    assert response.status_code == 302
    client.refresh_from_db()
    assert client.secret_hash != NEW_SECRET
    assert check_password(NEW_SECRET, client.secret_hash)


def test_an_empty_secret_keeps_the_current_one(admin_site, db):
    client = ApiClientFactory(client_id="bank-pos")
    admin_site.post(admin_url(ApiClient, "change", client.pk), client_change_data(client, new_secret=NEW_SECRET))

    admin_site.post(admin_url(ApiClient, "change", client.pk), client_change_data(client, name="Renamed"))

    client.refresh_from_db()
    assert client.name == "Renamed"
    assert check_password(NEW_SECRET, client.secret_hash)


def test_the_secret_hash_is_never_shown(admin_site, db):
    client = ApiClientFactory(client_id="bank-pos")
    admin_site.post(admin_url(ApiClient, "change", client.pk), client_change_data(client, new_secret=NEW_SECRET))
    client.refresh_from_db()

    response = admin_site.get(admin_url(ApiClient, "change", client.pk))

    assert client.secret_hash.split("$")[-1] not in response.content.decode()
    assert "Set (only its hash is stored)" in response.content.decode()


def test_a_bad_network_is_refused_with_a_form_error_on_the_field(admin_site, db):
    client = ApiClientFactory(client_id="bank-pos")

    response = admin_site.post(
        admin_url(ApiClient, "change", client.pk), client_change_data(client, allowed_networks="10.0.0.0/8\n10.0.0.300")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "allowedNetworks: '10.0.0.300' is not an IP network" in errors["allowed_networks"][0]
    client.refresh_from_db()
    assert client.allowed_networks == []


def test_allowed_networks_are_stored_normalised(admin_site, db):
    client = ApiClientFactory(client_id="bank-pos")

    admin_site.post(
        admin_url(ApiClient, "change", client.pk),
        client_change_data(client, allowed_networks="10.1.2.3/24\n203.0.113.7"),
    )

    client.refresh_from_db()
    assert client.allowed_networks == ["10.1.2.0/24", "203.0.113.7/32"]


def test_an_id_format_with_an_unknown_token_is_refused(admin_site, tenants):
    response = admin_site.post(
        admin_url(IdFormat, "add"),
        {"tenant": "pb", "name": "receipt.id", "format": "RCPT/[WHO]/[SEQ_RCPT]", "reset": "NEVER"},
    )

    assert response.status_code == 200
    assert "format: unknown token [WHO]" in response.context["adminform"].form.errors["format"][0]
    assert not IdFormat.objects.exists()


def test_a_valid_id_format_is_saved(admin_site, tenants):
    response = admin_site.post(
        admin_url(IdFormat, "add"),
        {"tenant": "pb", "name": "receipt.id", "format": "RCPT/[fy:yyyy-yy]/[SEQ_RCPT]", "reset": "FINANCIAL_YEAR"},
    )

    assert response.status_code == 302
    assert IdFormat.objects.get().format == "RCPT/[fy:yyyy-yy]/[SEQ_RCPT]"


def test_a_city_whose_state_does_not_match_its_id_is_refused(admin_site, tenants):
    response = admin_site.post(
        admin_url(Tenant, "add"),
        {"code": "pb.ludhiana", "name": "Ludhiana", "state": "od", "financial_year_start_month": 4, "is_active": "on"},
    )

    assert response.status_code == 200
    assert "'pb'" in response.context["adminform"].form.errors["state"][0]
    assert not Tenant.objects.filter(code="pb.ludhiana").exists()


def test_revoke_action_revokes_the_selected_tokens(admin_site, make_employee, token_for):
    employee = make_employee()
    token_for(employee)
    token = AccessToken.objects.get(user=employee)

    response = admin_site.post(
        admin_url(AccessToken, "changelist"), {"action": "revoke_selected", "_selected_action": [token.pk]}
    )

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(entity_id=str(token.pk), to_state="REVOKED").exists()


def user_change_form(employee) -> dict:
    """The fields of the employee change page, as the admin posts them back unchanged."""
    return {
        "username": employee.username,
        "name": employee.name,
        "user_type": employee.user_type,
        "tenant": employee.tenant_id,
        "is_active": "on",
        "date_joined_0": "2026-04-01",
        "date_joined_1": "10:00:00",
    }


def test_role_granted_in_the_admin_is_audited(admin_site, tenants):
    employee = UserFactory(tenant=tenants["pb.amritsar"])
    data = {
        **user_change_form(employee),
        "role_assignments-TOTAL_FORMS": "1",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-0-tenant": "pb.amritsar",
        "role_assignments-0-role": Role.COLLECTION_APPROVER,
    }

    response = admin_site.post(admin_url(User, "change", employee.pk), data)

    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=employee)
    assert assignment.role == Role.COLLECTION_APPROVER
    event = AuditEvent.objects.get(action="ROLE_GRANT", entity_id=str(assignment.pk))
    assert event.actor_name == "root"


def test_role_removed_in_the_admin_is_revoked_and_audited(admin_site, make_employee):
    employee = make_employee(role=Role.COLLECTION_OPERATOR)
    assignment = RoleAssignment.objects.get(user=employee)
    data = {
        **user_change_form(employee),
        "role_assignments-TOTAL_FORMS": "1",
        "role_assignments-INITIAL_FORMS": "1",
        "role_assignments-0-id": assignment.pk,
        "role_assignments-0-user": employee.pk,
        "role_assignments-0-tenant": "pb.amritsar",
        "role_assignments-0-role": Role.COLLECTION_OPERATOR,
        "role_assignments-0-DELETE": "on",
    }

    response = admin_site.post(admin_url(User, "change", employee.pk), data)

    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(user=employee).exists()
    assert AuditEvent.objects.filter(action="ROLE_REVOKE", entity_id=str(assignment.pk), actor_name="root").exists()


def test_an_employee_added_in_the_admin_gets_the_password_set(admin_site, tenants):
    response = admin_site.post(
        admin_url(User, "add"),
        {
            "username": "amritsar.clerk",
            "name": "Counter clerk",
            "tenant": "pb.amritsar",
            "usable_password": "true",
            "password1": "Counter-Clerk-2026",
            "password2": "Counter-Clerk-2026",
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(username="amritsar.clerk").check_password("Counter-Clerk-2026")
