import pytest
from django.contrib import admin
from django.urls import reverse

from core.models import Role
from ledger.models import GLCode, Voucher, VoucherLine
from ledger.services import voucher_reverse
from tests.core.factories import UserFactory
from tests.ledger.factories import WATER_CHARGES, receipt_post


@pytest.fixture
def admin_site(client, chart):
    client.force_login(
        UserFactory(tenant=chart["pb"], is_staff=True, is_superuser=True, roles=[(Role.SUPERUSER, "pb")])
    )
    return client


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_gl_code_name_and_activity_are_editable_but_not_its_code(admin_site):
    # given the state's water charges account
    gl_code = GLCode.objects.get(tenant_id="pb", code=WATER_CHARGES)

    # when an administrator renames it, deactivates it (checkbox left empty), and tries to change its code
    response = admin_site.post(
        admin_url(GLCode, "change", gl_code.pk),
        {"code": "9999999", "name": "Water user charges", "type": "INCOME"},
    )

    # then the name and activity change and the code does not
    assert response.status_code == 302
    gl_code.refresh_from_db()
    assert (gl_code.code, gl_code.name, gl_code.is_active) == (WATER_CHARGES, "Water user charges", False)


def test_administrator_adds_a_gl_code(admin_site, chart):
    # given the add form
    # when an administrator adds an account for Punjab
    response = admin_site.post(
        admin_url(GLCode, "add"),
        {"tenant": "pb", "code": "1404002", "name": "Trade licence fees", "type": "INCOME", "is_active": "on"},
    )

    # then it exists
    assert response.status_code == 302
    assert GLCode.objects.filter(tenant_id="pb", code="1404002", name="Trade licence fees").exists()


def test_gl_code_cannot_be_deleted_in_the_admin(admin_site):
    # given an account
    gl_code = GLCode.objects.get(tenant_id="pb", code=WATER_CHARGES)

    # when its delete page is asked for
    response = admin_site.get(admin_url(GLCode, "delete", gl_code.pk))

    # then it is forbidden
    assert response.status_code == 403


def test_voucher_page_shows_its_lines_and_offers_no_edit(admin_site):
    # given a reversed voucher
    voucher = receipt_post(amount="321.00")
    voucher_reverse(voucher=voucher, reason="cancelled", reversed_by=None)

    # when its admin page is opened
    response = admin_site.get(admin_url(Voucher, "change", voucher.pk))

    # then it shows the number and the lines, read-only, with no save or delete
    content = response.content.decode()
    assert response.status_code == 200
    assert voucher.number in content
    assert "321.00" in content
    assert 'name="_save"' not in content
    assert admin_url(Voucher, "delete", voucher.pk) not in content


def test_vouchers_cannot_be_added_in_the_admin(admin_site):
    # given the admin
    # when the voucher add page is asked for
    response = admin_site.get(admin_url(Voucher, "add"))

    # then it is forbidden
    assert response.status_code == 403


def test_voucher_lines_are_shown_only_inside_their_voucher():
    # given the admin site
    # when its registered models are listed
    # then lines have no page of their own, and the voucher's inline cannot add, change or delete them
    voucher_admin = admin.site._registry[Voucher]
    [line_inline] = voucher_admin.get_inline_instances(request=None)
    assert VoucherLine not in admin.site._registry
    assert line_inline.model is VoucherLine
    assert not any(
        permission(None)
        for permission in (
            line_inline.has_add_permission,
            line_inline.has_change_permission,
            line_inline.has_delete_permission,
        )
    )


def test_voucher_cannot_be_deleted_in_the_admin(admin_site):
    # given a posted voucher
    voucher = receipt_post()

    # when its delete page is asked for
    response = admin_site.get(admin_url(Voucher, "delete", voucher.pk))

    # then it is forbidden and the voucher stays
    assert response.status_code == 403
    assert Voucher.objects.filter(pk=voucher.pk).exists()


def test_voucher_list_page_lists_the_vouchers(admin_site):
    # given two vouchers
    numbers = [receipt_post().number for _ in range(2)]

    # when the list page is opened
    response = admin_site.get(admin_url(Voucher, "changelist"))

    # then both are listed
    assert response.status_code == 200
    assert all(number in response.content.decode() for number in numbers)
