import pytest

from core.models import IdFormat, Role
from core.selectors import tenant_masters_visible, user_role_tenant_ids

SEARCH_URL = "/user/_search"


@pytest.fixture
def amritsar_approver(make_employee):
    return make_employee(Role.COLLECTION_APPROVER, "pb.amritsar")


@pytest.fixture
def jalandhar_collector(make_employee):
    return make_employee(Role.COLLECTION_OPERATOR, "pb.jalandhar")


def user_search(api, token, **criteria):
    return api.post(SEARCH_URL, {"RequestInfo": {"authToken": token}, **criteria}, format="json")


def test_employee_is_refused_in_a_tenant_where_they_hold_no_role(
    api, token_for, amritsar_approver, jalandhar_collector
):
    response = user_search(api, token_for(amritsar_approver), tenantId="pb.jalandhar")

    assert response.status_code == 403
    assert response.json()["Errors"][0]["code"] == "ACCESS_DENIED"


def test_search_never_returns_rows_of_another_tenant(api, token_for, amritsar_approver, jalandhar_collector):
    response = user_search(
        api, token_for(amritsar_approver), tenantId="pb.amritsar", userName=jalandhar_collector.username
    )

    assert response.status_code == 200
    assert response.json()["user"] == []


def test_search_returns_own_tenant_rows(api, token_for, amritsar_approver, make_employee):
    colleague = make_employee(Role.COLLECTION_OPERATOR, "pb.amritsar")

    response = user_search(api, token_for(amritsar_approver), tenantId="pb.amritsar")

    assert {user["userName"] for user in response.json()["user"]} == {amritsar_approver.username, colleague.username}


def test_city_employee_is_refused_at_state_level(api, token_for, amritsar_approver):
    assert user_search(api, token_for(amritsar_approver), tenantId="pb").status_code == 403


def test_state_role_covers_the_states_cities_only(make_employee, tenants):
    state_admin = make_employee(Role.SUPERUSER, "pb")

    assert user_role_tenant_ids(user=state_admin) == {"pb", "pb.amritsar", "pb.jalandhar"}


def test_role_outside_the_asked_roles_grants_nothing(make_employee):
    operator = make_employee(Role.COLLECTION_OPERATOR, "pb.amritsar")

    assert user_role_tenant_ids(user=operator, roles=[Role.PI_CREATOR]) == set()


def test_superuser_role_stands_for_every_role(make_employee):
    admin = make_employee(Role.SUPERUSER, "od.angul")

    assert user_role_tenant_ids(user=admin, roles=[Role.PI_CREATOR]) == {"od.angul"}


def test_integrator_role_may_not_list_employees(api, token_for, make_employee):
    integrator = make_employee(Role.INTEGRATOR, "pb.amritsar")

    assert user_search(api, token_for(integrator), tenantId="pb.amritsar").status_code == 403


def test_unknown_tenant_in_search_is_400_naming_tenant(api, token_for, amritsar_approver):
    response = user_search(api, token_for(amritsar_approver), tenantId="pb.nowhere")

    assert response.status_code == 400
    assert response.json()["Errors"][0]["params"] == ["tenantId"]


def test_state_masters_are_visible_to_its_cities_not_to_other_states(tenants):
    IdFormat.objects.create(tenant=tenants["pb"], name="receipt.id", format="[SEQ_R]")
    IdFormat.objects.create(tenant=tenants["pb.amritsar"], name="bill.id", format="[SEQ_B]")
    IdFormat.objects.create(tenant=tenants["od"], name="pi.id", format="[SEQ_P]")

    visible = tenant_masters_visible(IdFormat.objects.all(), tenant_id="pb.amritsar")
    jalandhar = tenant_masters_visible(IdFormat.objects.all(), tenant_id="pb.jalandhar")

    assert sorted(visible.values_list("name", flat=True)) == ["bill.id", "receipt.id"]
    assert list(jalandhar.values_list("name", flat=True)) == ["receipt.id"]
