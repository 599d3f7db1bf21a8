import base64

import pytest
from rest_framework.test import APIClient

from core.lookups import lookups_clear
from core.models import Role
from tests.core.factories import DEFAULT_PASSWORD, ApiClientFactory, TenantFactory, UserFactory

DEFAULT_BASIC = "Basic " + base64.b64encode(b"egov-user-client:").decode()


@pytest.fixture(scope="session", autouse=True)
def ledger_database_rules(django_db_setup, django_db_blocker):
    """The suite builds its database without migrations, so the ledger's PostgreSQL triggers (unbalanced
    vouchers and edits of posted rows refused at COMMIT) are installed here for every test."""
    from tests.ledger.factories import ledger_database_rules_install

    with django_db_blocker.unblock():
        ledger_database_rules_install()


@pytest.fixture(autouse=True)
def lookup_cache_empty():
    """Tests reuse tenant codes and may reuse rows; nothing cached by one test may answer for the next."""
    lookups_clear()


@pytest.fixture
def tenants(db):
    """The demo's tenant tree: two states, three cities."""
    codes = ["pb", "pb.amritsar", "pb.jalandhar", "od", "od.angul"]
    return {code: TenantFactory(code=code) for code in codes}


@pytest.fixture
def oauth_client(db):
    return ApiClientFactory(client_id="egov-user-client")


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def make_employee(tenants):
    def make(role=Role.COLLECTION_OPERATOR, tenant="pb.amritsar", **kwargs):
        return UserFactory(tenant=tenants[tenant], roles=[(role, tenant)], **kwargs)

    return make


@pytest.fixture
def token_for(api, oauth_client):
    """Sign `user` in through /user/oauth/token the DIGIT way and return the access token."""

    def issue(user, tenant_id=None):
        response = api.post(
            "/user/oauth/token",
            {
                "grant_type": "password",
                "username": user.username,
                "password": DEFAULT_PASSWORD,
                "tenantId": tenant_id or user.tenant_id,
                "userType": user.user_type,
                "scope": "read",
            },
            HTTP_AUTHORIZATION=DEFAULT_BASIC,
        )
        assert response.status_code == 200, response.content
        return response.json()["access_token"]

    return issue


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    return [
        f"kosh database: {database['ENGINE'].rsplit('.', 1)[-1]} {database.get('HOST') or ''} {database['NAME']}",
        f"kosh broker: {settings.CELERY_BROKER_URL.split('@')[-1]}  cache: {settings.CACHES['default']['BACKEND']}",
    ]


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL row locks; set DATABASE_URL=postgres://… (CI always does)")
