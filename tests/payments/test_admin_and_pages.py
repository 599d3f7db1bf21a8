"""Admin (money rows read-only, corrections through the service) and the Search PI page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from payments.models import PayeeBankAccount
from payments.services.instructions import pi_original_store
from tests.payments.factories import bill_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(admin_user, client):
    client.force_login(admin_user)
    return client


def test_money_rows_are_read_only_in_the_admin(staff, city, funded):
    bill = bill_create(tenant=city, amounts=[Decimal("100.00")])
    pi = pi_original_store(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)

    page = staff.get(reverse("admin:payments_paymentinstruction_change", args=[pi.pk]))
    add = staff.get(reverse("admin:payments_paymentinstruction_add"))

    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert add.status_code == 403


def test_a_bank_account_correction_in_the_admin_keeps_the_old_one_inactive(staff, city):
    bill = bill_create(tenant=city, amounts=[Decimal("100.00")])
    payee = bill.line_items.get().payee

    response = staff.post(
        reverse("admin:payments_payeebankaccount_add"),
        {
            "payee": payee.pk,
            "account_number": "40012345678",
            "ifsc": "UTIB0000123",
            "account_holder_name": "New",
            "account_type": "SAVINGS",
        },
    )

    assert response.status_code == 302
    assert list(payee.bank_accounts.order_by("id").values_list("is_active", flat=True)) == [False, True]


def test_an_account_already_anothers_is_refused_in_the_admin(staff, city):
    first = bill_create(tenant=city, amounts=[Decimal("100.00"), Decimal("50.00")])
    one, other = [item.payee for item in first.line_items.order_by("id")]
    taken = other.bank_accounts.get()

    response = staff.post(
        reverse("admin:payments_payeebankaccount_add"),
        {
            "payee": one.pk,
            "account_number": taken.account_number,
            "ifsc": taken.ifsc,
            "account_holder_name": "X",
            "account_type": "SAVINGS",
        },
    )

    assert response.status_code == 200
    assert "belongs to another payee" in response.content.decode()
    assert PayeeBankAccount.objects.count() == 2


def test_pending_for_action_lists_failed_and_partial_pis_only(client, city, funded, pi_viewer):
    ok = bill_create(tenant=city, amounts=[Decimal("100.00")])
    poor = bill_create(tenant=city, amounts=[Decimal("5000000.00")])
    pending = pi_original_store(tenant_id=city.code, reference_id=ok.payment.payment_number, actor=None)
    failed = pi_original_store(tenant_id=city.code, reference_id=poor.payment.payment_number, actor=None)
    client.force_login(pi_viewer)

    response = client.get(reverse("payments:pi-search"))

    listed = [pi.pi_number for pi in response.context["results"]]
    assert listed == [failed.pi_number]
    assert pending.pi_number not in listed


def test_open_search_needs_a_criterion_and_finds_by_bill_number(client, city, funded, pi_viewer):
    bill = bill_create(tenant=city, amounts=[Decimal("100.00")])
    pi = pi_original_store(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)
    client.force_login(pi_viewer)

    empty = client.get(reverse("payments:pi-search"), {"tab": "search", "bill_number": ""})
    found = client.get(reverse("payments:pi-search"), {"tab": "search", "bill_number": bill.bill_number})

    assert "Give at least one search criterion." in empty.content.decode()
    assert [p.pi_number for p in found.context["results"]] == [pi.pi_number]
    assert found.context["results"][0].successful_count == 0


def test_a_pi_viewer_sees_no_actions_and_cannot_post_one(client, city, funded, pi_viewer):
    poor = bill_create(tenant=city, amounts=[Decimal("5000000.00")])
    failed = pi_original_store(tenant_id=city.code, reference_id=poor.payment.payment_number, actor=None)
    client.force_login(pi_viewer)

    page = client.get(reverse("payments:pi-view", args=[failed.pk]))
    action = client.post(reverse("payments:pi-action", args=[failed.pk, "retry"]))

    assert "Retry PI" not in page.content.decode()
    assert action.status_code == 403
