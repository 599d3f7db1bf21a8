import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from core import cards
from core.cards import HomeCard
from core.models import Role
from core.views import SESSION_TENANT_KEY
from tests.core.factories import DEFAULT_PASSWORD, UserFactory

LOGIN_URL = reverse("core:login")
HOME_URL = reverse("core:home")
SWITCH_URL = reverse("core:tenant-switch")


@pytest.fixture
def role_cards(monkeypatch):
    """Two domain cards, one per role, added to the registry for the test only."""
    registry = [
        *cards._registry,
        HomeCard(
            title="Collect a payment",
            description="Take cash at the counter.",
            url_name="core:home",
            roles={Role.COLLECTION_OPERATOR},
        ),
        HomeCard(
            title="Payment instructions",
            description="Search Payment Instructions.",
            url_name="core:tenant-switch",
            roles={Role.PI_VIEWER},
        ),
    ]
    monkeypatch.setattr(cards, "_registry", registry)


def two_tenant_operator(tenants):
    """A collector working in Amritsar (their own tenant) and in Angul."""
    return UserFactory(
        tenant=tenants["pb.amritsar"],
        roles=[(Role.COLLECTION_OPERATOR, "pb.amritsar"), (Role.COLLECTION_OPERATOR, "od.angul")],
    )


def sign_in(client, user, password=DEFAULT_PASSWORD):
    return client.post(LOGIN_URL, {"username": user.username, "password": password}, follow=True)


def card_titles(response):
    return [card.title for card in response.context["cards"]]


def test_login_lands_on_home_showing_the_cards_for_the_role(client, make_employee, role_cards):
    operator = make_employee(role=Role.COLLECTION_OPERATOR)

    response = sign_in(client, operator)

    assert response.redirect_chain == [(HOME_URL, 302)]
    assert "Collect a payment" in card_titles(response)
    assert "Payment instructions" not in card_titles(response)
    assert "Collect a payment" in response.content.decode()


def test_role_card_is_hidden_in_a_tenant_where_the_role_is_not_held(client, tenants, role_cards):
    user = UserFactory(
        tenant=tenants["pb.amritsar"],
        roles=[(Role.COLLECTION_OPERATOR, "pb.amritsar"), (Role.PI_VIEWER, "od.angul")],
    )
    client.force_login(user)
    client.post(SWITCH_URL, {"tenant": "od.angul"})

    response = client.get(HOME_URL)

    assert "Payment instructions" in card_titles(response)
    assert "Collect a payment" not in card_titles(response)


def test_wrong_password_shows_the_form_again_with_an_error(client, make_employee):
    operator = make_employee()

    response = client.post(LOGIN_URL, {"username": operator.username, "password": "wrong-password"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_anonymous_user_is_redirected_to_login(client, db):
    response = client.get(HOME_URL)

    assert response.status_code == 302
    assert response.url == f"{LOGIN_URL}?next={HOME_URL}"


def test_signed_in_user_visiting_login_goes_home(client, make_employee):
    client.force_login(make_employee())

    response = client.get(LOGIN_URL)

    assert response.status_code == 302
    assert response.url == HOME_URL


def test_home_lists_the_roles_held_in_the_current_tenant(client, tenants):
    user = UserFactory(
        tenant=tenants["pb.amritsar"],
        roles=[
            (Role.COLLECTION_OPERATOR, "pb.amritsar"),
            (Role.FUND_VIEWER, "pb"),
            (Role.BRIDGE_OPERATOR, "od.angul"),
        ],
    )
    client.force_login(user)
    client.post(SWITCH_URL, {"tenant": "pb.amritsar"})

    response = client.get(HOME_URL)

    roles = {(role["code"], role["inherited"]) for role in response.context["roles_here"]}
    assert roles == {(Role.COLLECTION_OPERATOR, False), (Role.FUND_VIEWER, True)}
    assert "Collection operator" in response.content.decode()
    assert "Disbursement bridge operator" not in response.content.decode()


def test_home_tells_a_user_without_roles_to_ask_for_one(client, tenants):
    client.force_login(UserFactory(tenant=tenants["pb.amritsar"]))

    response = client.get(HOME_URL)

    assert response.status_code == 200
    assert response.context["current_tenant"] is None
    assert "You hold no role in any tenant yet" in response.content.decode()


def test_tenant_switcher_lists_only_tenants_where_the_user_holds_a_role(client, tenants):
    user = two_tenant_operator(tenants)
    client.force_login(user)

    response = client.get(HOME_URL)

    assert [tenant.code for tenant in response.context["switchable_tenants"]] == ["od.angul", "pb.amritsar"]
    html = response.content.decode()
    assert 'value="od.angul"' in html
    assert 'value="pb.jalandhar"' not in html


def test_tenant_switcher_offers_the_cities_of_a_state_role(client, tenants):
    user = UserFactory(tenant=tenants["pb"], roles=[(Role.FUND_VIEWER, "pb")])
    client.force_login(user)

    response = client.get(HOME_URL)

    assert [tenant.code for tenant in response.context["switchable_tenants"]] == ["pb", "pb.amritsar", "pb.jalandhar"]


def test_current_tenant_starts_as_the_users_own_tenant(client, tenants):
    user = UserFactory(
        tenant=tenants["pb.amritsar"],
        roles=[(Role.COLLECTION_OPERATOR, "od.angul"), (Role.COLLECTION_OPERATOR, "pb.amritsar")],
    )
    client.force_login(user)

    response = client.get(HOME_URL)

    assert response.context["current_tenant_id"] == "pb.amritsar"


def test_switching_to_an_own_tenant_makes_it_current(client, tenants):
    user = two_tenant_operator(tenants)
    client.force_login(user)

    response = client.post(SWITCH_URL, {"tenant": "od.angul"}, follow=True)

    assert client.session[SESSION_TENANT_KEY] == "od.angul"
    assert response.context["current_tenant_id"] == "od.angul"
    assert "You are now working in Angul (od.angul)." in response.content.decode()


def test_switching_to_a_foreign_tenant_is_refused(client, tenants):
    user = two_tenant_operator(tenants)
    client.force_login(user)
    client.post(SWITCH_URL, {"tenant": "od.angul"})

    response = client.post(SWITCH_URL, {"tenant": "pb.jalandhar"}, follow=True)

    assert client.session[SESSION_TENANT_KEY] == "od.angul"
    assert response.context["current_tenant_id"] == "od.angul"
    assert "You hold no role in tenant &#x27;pb.jalandhar&#x27;." in response.content.decode()


def test_tenant_switch_refuses_get(client, make_employee):
    client.force_login(make_employee())

    response = client.get(SWITCH_URL)

    assert response.status_code == 405


def test_lockout_page_after_failure_limit_even_with_the_right_password(client, make_employee):
    operator = make_employee()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN_URL, {"username": operator.username, "password": "wrong-password"})

    response = client.post(LOGIN_URL, {"username": operator.username, "password": DEFAULT_PASSWORD})

    assert response.status_code == 403
    assert "core/locked_out.html" in [template.name for template in response.templates]
    assert "_auth_user_id" not in client.session


def test_failures_below_the_limit_do_not_lock_the_account(client, make_employee):
    operator = make_employee()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(LOGIN_URL, {"username": operator.username, "password": "wrong-password"})

    response = sign_in(client, operator)

    assert response.redirect_chain == [(HOME_URL, 302)]
    assert client.session["_auth_user_id"] == str(operator.pk)


def test_staff_only_card_is_hidden_from_non_staff(client, make_employee):
    client.force_login(make_employee(is_staff=False))

    response = client.get(HOME_URL)

    assert "API documentation" in card_titles(response)
    assert "Administration" not in card_titles(response)


def test_staff_only_card_is_shown_to_staff(client, make_employee):
    client.force_login(make_employee(is_staff=True))

    response = client.get(HOME_URL)

    assert "Administration" in card_titles(response)


def test_sign_out_ends_the_session_and_returns_to_sign_in(client, make_employee):
    client.force_login(make_employee())

    response = client.post(reverse("core:logout"), follow=True)

    assert response.redirect_chain == [(LOGIN_URL, 302)]
    assert "_auth_user_id" not in client.session
    assert "You have signed out." in response.content.decode()


def test_unknown_page_answers_a_page_for_browsers(client, db):
    response = client.get("/no-such-page/", headers={"Accept": "text/html"})

    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_a_form_without_its_csrf_token_gets_a_page_explaining_what_to_do(make_employee):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(LOGIN_URL, {"username": make_employee().username, "password": DEFAULT_PASSWORD})

    assert response.status_code == 403
    assert "reload the page and submit the form again" in response.content.decode()
    assert "_auth_user_id" not in browser.session
