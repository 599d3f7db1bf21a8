import io

import pytest
from django.core.management import CommandError, call_command

from core.models import AccessToken, ApiClient, Role, RoleAssignment, Tenant, User
from core.services.demo import DEMO_PASSWORD
from tests.conftest import DEFAULT_BASIC


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    return (Tenant.objects.count(), User.objects.count(), RoleAssignment.objects.count(), ApiClient.objects.count())


@pytest.mark.django_db
def test_seed_demo_creates_tenants_and_one_employee_per_role_per_city():
    seed()

    assert set(Tenant.objects.values_list("code", flat=True)) == {"pb", "pb.amritsar", "pb.jalandhar", "od", "od.angul"}
    for city in ("pb.amritsar", "pb.jalandhar", "od.angul"):
        assert set(RoleAssignment.objects.filter(tenant_id=city).values_list("role", flat=True)) == set(Role.values)
        assert RoleAssignment.objects.filter(tenant_id=city).count() == len(Role.values)


@pytest.mark.django_db
def test_seed_demo_prints_the_logins_and_password():
    output = seed()

    assert DEMO_PASSWORD in output
    assert "amritsar.collector" in output
    assert "bank-integrator" in output


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    seed()
    before = counts()

    seed()

    assert counts() == before


@pytest.mark.django_db
def test_demo_login_gets_a_token(api):
    seed()

    response = api.post(
        "/user/oauth/token",
        {
            "grant_type": "password",
            "username": "amritsar.collector",
            "password": DEMO_PASSWORD,
            "tenantId": "pb.amritsar",
        },
        HTTP_AUTHORIZATION=DEFAULT_BASIC,
    )

    assert response.status_code == 200, response.content
    assert AccessToken.objects.filter(user__username="amritsar.collector").exists()


@pytest.mark.django_db
def test_seed_demo_refuses_under_production_settings(settings):
    settings.KOSH_ENVIRONMENT = "production"

    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo")

    assert counts() == (0, 0, 0, 0)
