"""Token, role and tenant lookups are cached between calls, and every change to their rows takes effect at once."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.lookups import token_key
from core.models import Role, RoleAssignment, Tenant
from core.selectors import token_digest
from core.services.directory import api_client_save, role_grant, role_revoke

SEARCH_URL = "/user/_search"
CHECK_URL = "/user/token/_check?tenantId=pb.amritsar"


@pytest.fixture
def approver(make_employee):
    return make_employee(Role.COLLECTION_APPROVER, "pb.amritsar")


def user_search(api, token, tenant_id="pb.amritsar"):
    return api.post(SEARCH_URL, {"RequestInfo": {"authToken": token}, "tenantId": tenant_id}, format="json")


def test_a_repeated_call_reads_token_roles_and_tenant_from_the_cache(api, token_for, approver):
    token = token_for(approver)
    body = {"RequestInfo": {"authToken": token}}
    assert api.post(CHECK_URL, body, format="json").status_code == 200

    with CaptureQueriesContext(connection) as queries:
        assert api.post(CHECK_URL, body, format="json").status_code == 200

    assert queries.captured_queries == []


def test_a_revoked_role_is_refused_on_the_next_call(api, token_for, approver):
    token = token_for(approver)
    assert user_search(api, token).status_code == 200

    role_revoke(assignment=RoleAssignment.objects.get(user=approver), revoked_by=None, reason="moved")

    assert user_search(api, token).status_code == 403


def test_a_granted_role_works_on_the_next_call(api, token_for, approver):
    token = token_for(approver)
    assert user_search(api, token, "pb.jalandhar").status_code == 403

    role_grant(user=approver, tenant_id="pb.jalandhar", role=Role.COLLECTION_APPROVER, granted_by=None)

    assert user_search(api, token, "pb.jalandhar").status_code == 200


def test_a_deactivated_user_is_refused_on_the_next_call(api, token_for, approver):
    token = token_for(approver)
    assert user_search(api, token).status_code == 200

    approver.is_active = False
    approver.save(update_fields=["is_active"])

    assert user_search(api, token).status_code == 401


def test_a_deactivated_city_is_refused_on_the_next_call(api, token_for, approver):
    token = token_for(approver)
    assert user_search(api, token).status_code == 200

    city = Tenant.objects.get(code="pb.amritsar")
    city.is_active = False
    city.save(update_fields=["is_active"])

    response = user_search(api, token)
    assert response.status_code == 400
    assert response.json()["Errors"][0]["params"] == ["tenantId"]


def test_a_state_role_does_not_cover_a_deactivated_city(api, token_for, make_employee):
    state_admin = make_employee(Role.SUPERUSER, "pb")
    token = token_for(state_admin)
    assert user_search(api, token, "pb.jalandhar").status_code == 200

    city = Tenant.objects.get(code="pb.jalandhar")
    city.is_active = False
    city.save(update_fields=["is_active"])

    assert user_search(api, token, "pb.jalandhar").status_code == 400


def test_an_allow_list_added_to_the_client_refuses_the_next_call(api, token_for, approver, oauth_client):
    token = token_for(approver)
    assert user_search(api, token).status_code == 200

    api_client_save(client=oauth_client, secret=None, allowed_networks=["10.0.0.0/8"], saved_by=None)

    response = user_search(api, token)
    assert response.status_code == 403
    assert response.json()["Errors"][0]["code"] == "IP_NOT_ALLOWED"


def test_the_cached_token_carries_no_password_hash(api, token_for, approver):
    token = token_for(approver)
    assert api.post(CHECK_URL, {"RequestInfo": {"authToken": token}}, format="json").status_code == 200

    cached = caches["lookups"].get(token_key(token_digest(token)))

    assert cached.user.username == approver.username
    assert "password" in cached.user.get_deferred_fields()
