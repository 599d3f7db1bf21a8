import re

import pytest
from playwright.sync_api import expect

from core import cards
from core.cards import HomeCard
from core.models import Role
from tests.core.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def collector(tenants, monkeypatch):
    """A collector working in two cities, with a collection card registered for the test."""
    monkeypatch.setattr(
        cards,
        "_registry",
        [
            *cards._registry,
            HomeCard(
                title="Collect a payment",
                description="Find a consumer, see the bill and take the payment.",
                url_name="core:home",
                roles={Role.COLLECTION_OPERATOR},
            ),
        ],
    )
    return UserFactory(
        username="amritsar.collector",
        name="Asha Verma",
        tenant=tenants["pb.amritsar"],
        roles=[(Role.COLLECTION_OPERATOR, "pb.amritsar"), (Role.COLLECTION_OPERATOR, "od.angul")],
    )


def sign_in(page, user):
    page.goto("/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_signing_in_shows_the_home_cards_for_the_role(page, collector):
    sign_in(page, collector)

    expect(page.get_by_role("heading", name="Welcome, Asha Verma")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Collect a payment"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^API documentation"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Administration"))).to_have_count(0)
    expect(page.locator(".roles-panel")).to_contain_text("Collection operator")


def test_switching_tenant_in_the_header_changes_where_the_employee_works(page, collector):
    sign_in(page, collector)

    page.get_by_label("Working in").select_option("od.angul")
    page.get_by_role("button", name="Switch").click()

    expect(page.get_by_role("status")).to_contain_text("You are now working in Angul (od.angul).")
    expect(page.get_by_label("Working in")).to_have_value("od.angul")
    expect(page.get_by_role("heading", name="Your roles in Angul")).to_be_visible()


def test_signing_out_returns_to_sign_in_and_closes_the_home_page(page, collector):
    sign_in(page, collector)

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
