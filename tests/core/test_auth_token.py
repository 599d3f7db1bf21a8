import base64
from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from core.models import AccessToken, ApiClient, Role
from core.services.directory import api_client_create
from tests.conftest import DEFAULT_BASIC
from tests.core.factories import DEFAULT_PASSWORD

TOKEN_URL = "/user/oauth/token"
SEARCH_URL = "/user/_search"


def basic(client_id: str, secret: str = "") -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def password_grant(
    api,
    user,
    *,
    password=DEFAULT_PASSWORD,
    tenant_id=None,
    authorization=DEFAULT_BASIC,
    remote_addr="127.0.0.1",
    **extra,
):
    form = {
        "grant_type": "password",
        "username": user.username,
        "password": password,
        "tenantId": tenant_id or user.tenant_id,
        "userType": "EMPLOYEE",
        "scope": "read",
        **extra,
    }
    headers = {"REMOTE_ADDR": remote_addr}
    if authorization:
        headers["HTTP_AUTHORIZATION"] = authorization
    return api.post(TOKEN_URL, form, **headers)


def search_with_header(api, token, tenant_id="pb.amritsar"):
    return api.post(
        SEARCH_URL, {"RequestInfo": {}, "tenantId": tenant_id}, format="json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def search_with_request_info(api, token, tenant_id="pb.amritsar"):
    return api.post(SEARCH_URL, {"RequestInfo": {"authToken": token}, "tenantId": tenant_id}, format="json")


def assert_digit_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["ResponseInfo"] is None
    assert [error["code"] for error in body["Errors"]] == [code]
    assert set(body["Errors"][0]) == {"code", "message", "description", "params"}


@pytest.fixture
def operator(make_employee):
    return make_employee(Role.COLLECTION_OPERATOR, "pb.amritsar")


def test_password_grant_answers_digit_token_shape(api, oauth_client, operator):
    response = password_grant(api, operator)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["access_token"] and body["refresh_token"] and body["access_token"] != body["refresh_token"]
    assert body["expires_in"] == 24 * 3600
    assert body["scope"] == "read"
    assert body["ResponseInfo"]["status"] == "successful"
    assert body["UserRequest"]["userName"] == operator.username
    assert body["UserRequest"]["uuid"] == str(operator.uuid)
    assert body["UserRequest"]["roles"] == [
        {"code": "COLLECTION_OPERATOR", "name": "Collection operator", "tenantId": "pb.amritsar"}
    ]
    assert response["Cache-Control"] == "no-store"


def test_token_is_stored_only_as_digest(api, oauth_client, operator):
    access = password_grant(api, operator).json()["access_token"]

    stored = AccessToken.objects.get(user=operator)
    assert access not in (stored.access_digest, stored.refresh_digest)
    assert len(stored.access_digest) == 64


def test_token_works_in_authorization_header(api, operator, token_for):
    response = search_with_header(api, token_for(operator))

    assert response.status_code == 200, response.content
    assert [user["userName"] for user in response.json()["user"]] == [operator.username]


def test_token_works_in_request_info(api, operator, token_for):
    response = search_with_request_info(api, token_for(operator))

    assert response.status_code == 200, response.content
    assert [user["userName"] for user in response.json()["user"]] == [operator.username]


def test_protected_endpoint_without_token_is_401(api, operator):
    response = api.post(SEARCH_URL, {"RequestInfo": {}, "tenantId": "pb.amritsar"}, format="json")

    assert_digit_error(response, 401, "AUTHENTICATION_REQUIRED")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_unknown_token_is_401(api, operator):
    assert_digit_error(search_with_request_info(api, "not-a-token"), 401, "INVALID_ACCESS_TOKEN")


def test_wrong_password_is_400(api, oauth_client, operator):
    response = password_grant(api, operator, password="wrong-password")

    assert_digit_error(response, 400, "INVALID_GRANT")
    assert not AccessToken.objects.exists()


def test_unknown_user_is_400_like_wrong_password(api, oauth_client, operator):
    operator.username = "nobody"

    assert_digit_error(password_grant(api, operator, tenant_id="pb.amritsar"), 400, "INVALID_GRANT")


def test_unknown_tenant_is_400_naming_tenant(api, oauth_client, operator):
    response = password_grant(api, operator, tenant_id="pb.atlantis")

    assert_digit_error(response, 400, "INVALID_TENANT_ID")
    assert response.json()["Errors"][0]["params"] == ["tenantId"]


def test_tenant_where_user_holds_no_role_is_refused(api, oauth_client, operator):
    assert_digit_error(password_grant(api, operator, tenant_id="pb.jalandhar"), 400, "INVALID_GRANT")


def test_state_login_allowed_for_employee_of_its_city(api, oauth_client, operator):
    assert password_grant(api, operator, tenant_id="pb").status_code == 200


def test_wrong_user_type_is_refused(api, oauth_client, operator):
    assert_digit_error(password_grant(api, operator, userType="CITIZEN"), 400, "INVALID_GRANT")


def test_missing_basic_header_is_401(api, oauth_client, operator):
    response = password_grant(api, operator, authorization=None)

    assert_digit_error(response, 401, "INVALID_CLIENT")
    assert response.json()["Errors"][0]["params"] == ["Authorization"]


def test_unknown_client_is_401(api, oauth_client, operator):
    assert_digit_error(password_grant(api, operator, authorization=basic("who-knows")), 401, "INVALID_CLIENT")


def test_garbled_basic_header_is_401(api, oauth_client, operator):
    assert_digit_error(password_grant(api, operator, authorization="Basic !!!"), 401, "INVALID_CLIENT")


def test_missing_grant_fields_named(api, oauth_client):
    response = api.post(TOKEN_URL, {"grant_type": "password"}, HTTP_AUTHORIZATION=DEFAULT_BASIC)

    assert response.status_code == 400
    params = sorted(error["params"][0] for error in response.json()["Errors"])
    assert params == ["password", "tenantId", "username"]


def test_unsupported_grant_type_named(api, oauth_client):
    response = api.post(TOKEN_URL, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=DEFAULT_BASIC)

    assert response.status_code == 400
    assert response.json()["Errors"][0]["params"] == ["grant_type"]


def test_expired_token_is_401(api, operator, token_for):
    token = token_for(operator)

    with freeze_time(timezone.now() + timedelta(days=1, seconds=1)):
        response = search_with_header(api, token)

    assert_digit_error(response, 401, "INVALID_ACCESS_TOKEN")


def test_logout_revokes_token(api, operator, token_for):
    token = token_for(operator)

    logout = api.post("/user/_logout", {"RequestInfo": {"authToken": token}}, format="json")

    assert logout.status_code == 200, logout.content
    assert_digit_error(search_with_header(api, token), 401, "INVALID_ACCESS_TOKEN")
    assert AccessToken.objects.get(user=operator).revoke_reason == AccessToken.RevokeReason.LOGOUT


def test_logout_is_audited(api, operator, token_for):
    from core.models import AuditEvent

    token = token_for(operator)
    api.post("/user/_logout", {"RequestInfo": {"authToken": token}}, format="json")

    event = AuditEvent.objects.get(action="LOGOUT")
    assert (event.actor, event.from_state, event.to_state) == (operator, "ACTIVE", "REVOKED")


def test_refresh_issues_new_pair_and_ends_old_one(api, oauth_client, operator):
    first = password_grant(api, operator).json()

    refreshed = api.post(
        TOKEN_URL,
        {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        HTTP_AUTHORIZATION=DEFAULT_BASIC,
    )

    assert refreshed.status_code == 200, refreshed.content
    assert refreshed.json()["access_token"] != first["access_token"]
    assert search_with_header(api, refreshed.json()["access_token"]).status_code == 200
    assert_digit_error(search_with_header(api, first["access_token"]), 401, "INVALID_ACCESS_TOKEN")


def test_refresh_token_works_once(api, oauth_client, operator):
    refresh_token = password_grant(api, operator).json()["refresh_token"]
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    api.post(TOKEN_URL, form, HTTP_AUTHORIZATION=DEFAULT_BASIC)

    again = api.post(TOKEN_URL, form, HTTP_AUTHORIZATION=DEFAULT_BASIC)

    assert_digit_error(again, 400, "INVALID_GRANT")


def test_refresh_after_logout_is_refused(api, oauth_client, operator):
    first = password_grant(api, operator).json()
    api.post("/user/_logout", {"RequestInfo": {"authToken": first["access_token"]}}, format="json")

    again = api.post(
        TOKEN_URL,
        {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        HTTP_AUTHORIZATION=DEFAULT_BASIC,
    )

    assert_digit_error(again, 400, "INVALID_GRANT")


def test_refresh_by_another_client_is_refused(api, oauth_client, operator):
    refresh_token = password_grant(api, operator).json()["refresh_token"]
    api_client_create(client_id="other", name="Other", secret="s3cret")

    again = api.post(
        TOKEN_URL,
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        HTTP_AUTHORIZATION=basic("other", "s3cret"),
    )

    assert_digit_error(again, 400, "INVALID_GRANT")


def test_account_locks_at_the_failure_limit(api, oauth_client, operator, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert password_grant(api, operator, password="wrong").status_code == 400

    assert_digit_error(password_grant(api, operator, password="wrong"), 403, "ACCOUNT_LOCKED")


def test_locked_account_refuses_the_right_password(api, oauth_client, operator, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_grant(api, operator, password="wrong")

    locked = password_grant(api, operator)

    assert_digit_error(locked, 403, "ACCOUNT_LOCKED")
    assert not AccessToken.objects.exists()


def test_failures_below_limit_do_not_lock(api, oauth_client, operator, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        password_grant(api, operator, password="wrong")

    assert password_grant(api, operator).status_code == 200


def test_lockout_ends_after_cooloff(api, oauth_client, operator, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_grant(api, operator, password="wrong")

    with freeze_time(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(seconds=1)):
        assert password_grant(api, operator).status_code == 200


@pytest.fixture
def integrator_client(db):
    return api_client_create(client_id="bank", name="Bank", secret="bank-secret", allowed_networks=["10.20.0.0/16"])


@pytest.fixture
def integrator(make_employee, integrator_client):
    user = make_employee(Role.INTEGRATOR, "pb.amritsar")
    user.api_client = integrator_client
    user.save()
    return user


def test_client_secret_must_match(api, integrator):
    response = password_grant(api, integrator, authorization=basic("bank", "guess"), remote_addr="10.20.1.5")

    assert_digit_error(response, 401, "INVALID_CLIENT")


def test_client_bound_to_networks_refuses_other_address(api, integrator):
    response = password_grant(api, integrator, authorization=basic("bank", "bank-secret"), remote_addr="192.0.2.10")

    assert_digit_error(response, 403, "IP_NOT_ALLOWED")


def test_client_bound_to_networks_accepts_its_address(api, integrator):
    response = password_grant(api, integrator, authorization=basic("bank", "bank-secret"), remote_addr="10.20.1.5")

    assert response.status_code == 200, response.content


def test_integrator_token_refused_from_address_outside_allow_list(api, integrator, make_employee):
    token = password_grant(api, integrator, authorization=basic("bank", "bank-secret"), remote_addr="10.20.1.5").json()[
        "access_token"
    ]

    response = api.post(
        SEARCH_URL,
        {"RequestInfo": {"authToken": token}, "tenantId": "pb.amritsar"},
        format="json",
        REMOTE_ADDR="192.0.2.10",
    )

    assert_digit_error(response, 403, "IP_NOT_ALLOWED")


def test_integrator_user_cannot_use_public_client(api, oauth_client, integrator):
    response = password_grant(api, integrator, remote_addr="10.20.1.5")

    assert_digit_error(response, 401, "INVALID_CLIENT")


def test_inactive_client_is_refused(api, oauth_client, operator):
    ApiClient.objects.filter(pk=oauth_client.pk).update(is_active=False)

    assert_digit_error(password_grant(api, operator), 401, "INVALID_CLIENT")


def test_admin_revocation_is_audited_under_the_admin(api, operator, token_for, make_employee):
    from core.models import AuditEvent
    from core.services.auth import token_revoke

    admin = make_employee(Role.SUPERUSER, "pb")
    token = token_for(operator)
    stored = AccessToken.objects.get(user=operator)

    token_revoke(token=stored, ip="127.0.0.1", revoked_by=admin, reason=AccessToken.RevokeReason.ADMIN)

    event = AuditEvent.objects.get(action="TOKEN_REVOKE")
    assert (event.actor, event.reason) == (admin, "Revoked by an administrator")
    assert_digit_error(search_with_header(api, token), 401, "INVALID_ACCESS_TOKEN")


def test_token_check_answers_the_tokens_user_in_the_tenant(api, token_for, make_employee):
    collector = make_employee(Role.COLLECTION_OPERATOR, "pb.amritsar")

    response = api.post(
        "/user/token/_check?tenantId=pb.amritsar", {"RequestInfo": {"authToken": token_for(collector)}}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["token"]["userName"] == collector.username


def test_token_check_refuses_a_tenant_without_a_role(api, token_for, make_employee):
    collector = make_employee(Role.COLLECTION_OPERATOR, "pb.amritsar")

    response = api.post(
        "/user/token/_check?tenantId=pb.jalandhar", {"RequestInfo": {"authToken": token_for(collector)}}, format="json"
    )

    assert response.status_code == 403
