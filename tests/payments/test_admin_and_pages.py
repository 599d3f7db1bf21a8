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


# --- Entering an expense bill in the admin (the expense-bill service behind it) ------------------


def _bill_post(tenant_code: str, lines: list[dict], **bill) -> dict:
    data = {
        "tenant": tenant_code,
        "bill_number": "WB/ADMIN/000001",
        "bill_type": "EXPENSE.WAGES",
        "bill_date": "2026-11-01",
        "reference_id": "MR/ADMIN/1",
        "lines-TOTAL_FORMS": str(len(lines) + 1),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        **bill,
    }
    for index, line in enumerate(lines):
        data.update({f"lines-{index}-{name}": value for name, value in line.items()})
    # A blank row as the browser posts it, its selects at their defaults: not a line item.
    data.update({f"lines-{len(lines)}-payee_type": "IND", f"lines-{len(lines)}-account_type": "SAVINGS"})
    return data


def _line(index: int, **overrides) -> dict:
    line = {
        "payee_type": "IND",
        "identifier": f"IND-ADMIN-{index}",
        "name": f"Wage Seeker {index}",
        "mobile_number": f"98760000{index:02d}",
        "address": "Ward 1",
        "account_number": f"7000000000{index:02d}",
        "ifsc": "SBIN0001234",
        "account_holder_name": f"Wage Seeker {index}",
        "account_type": "SAVINGS",
        "head_code": "WAGE",
        "amount": "1500.00",
    }
    return {**line, **overrides}


def test_the_admin_bill_form_lists_its_fields_and_line_rows(staff, city):
    page = staff.get(reverse("admin:payments_expensebill_add"))

    assert page.status_code == 200
    assert b'name="bill_number"' in page.content
    assert b'name="lines-0-account_number"' in page.content
    assert b'name="lines-TOTAL_FORMS"' in page.content


def test_a_bill_entered_in_the_admin_is_received_with_its_payees_accounts_and_payment(staff, city):
    from payments.models import ExpenseBill

    lines = [
        _line(1),
        _line(1, head_code="WAGE-OT", amount="200.50"),
        _line(2, payee_type="ORG", identifier="ORG-ADMIN-2", account_type="CURRENT"),
        _line(3, payee_type="DEPT", identifier="DED-LABOUR-CESS", mobile_number="", amount="17.00"),
    ]

    response = staff.post(reverse("admin:payments_expensebill_add"), _bill_post(city.code, lines))

    bill = ExpenseBill.objects.get(bill_number="WB/ADMIN/000001")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:payments_expensebill_change", args=[bill.pk])
    assert bill.net_payable == Decimal("3217.50")
    assert bill.line_items.count() == 4
    assert sorted(bill.line_items.values_list("payee__payee_type", flat=True)) == ["DEPT", "IND", "IND", "ORG"]
    assert bill.payment.amount == Decimal("3217.50")
    organisation = bill.line_items.get(payee__identifier="ORG-ADMIN-2").payee
    assert organisation.bank_accounts.get().account_type == "CURRENT"


@pytest.mark.parametrize(
    ("lines", "row", "field", "words"),
    [
        ([_line(1, amount="-10.00")], 0, "amount", "must not be negative"),
        ([_line(1), _line(2, amount="1.005")], 1, "amount", "two decimal places"),
        (
            [_line(1), _line(2, account_number="700000000001")],
            1,
            "account_number",
            "is also given for payee",
        ),
        ([_line(1, ifsc="SBIN1234")], 0, "ifsc", "IFSC"),
        ([_line(1, mobile_number="12345")], 0, "mobile_number", "10 digits"),
    ],
)
def test_a_bad_bill_in_the_admin_is_shown_on_its_field_and_nothing_is_written(staff, city, lines, row, field, words):
    from payments.models import ExpenseBill, ExpensePayment, Payee

    response = staff.post(reverse("admin:payments_expensebill_add"), _bill_post(city.code, lines))

    assert response.status_code == 200
    errors = response.context["lines"].forms[row].errors
    assert words in " ".join(errors[field])
    assert not ExpenseBill.objects.exists()
    assert not ExpensePayment.objects.exists()
    assert not Payee.objects.exists()


def test_a_bill_number_already_received_is_refused_on_the_bill_number(staff, city):
    from payments.models import ExpenseBill

    staff.post(reverse("admin:payments_expensebill_add"), _bill_post(city.code, [_line(1)]))

    again = staff.post(reverse("admin:payments_expensebill_add"), _bill_post(city.code, [_line(2)]))

    assert again.status_code == 200
    assert "already received" in " ".join(again.context["form"].errors["bill_number"])
    assert ExpenseBill.objects.count() == 1


def test_a_bill_with_no_line_items_is_refused_in_the_admin(staff, city):
    from payments.models import ExpenseBill

    data = _bill_post(city.code, [])

    response = staff.post(reverse("admin:payments_expensebill_add"), data)

    assert response.status_code == 200
    assert response.context["lines"].non_form_errors() or response.context["form"].non_field_errors()
    assert not ExpenseBill.objects.exists()


def test_entering_a_bill_needs_the_add_permission(client, city):
    from tests.core.factories import UserFactory

    clerk = UserFactory(username="clerk", is_staff=True)
    client.force_login(clerk)

    response = client.get(reverse("admin:payments_expensebill_add"))

    assert response.status_code == 403


# --- View PI: header, payment advice, beneficiaries and call history ----------------------------


@pytest.mark.django_db(transaction=True)
def test_view_pi_shows_the_parent_link_advice_masked_accounts_and_call_history(paid_revision, client, pi_viewer):
    client.force_login(pi_viewer)
    original = paid_revision.parent
    beneficiary = paid_revision.beneficiaries.get()

    html = client.get(reverse("payments:pi-view", args=[paid_revision.pk])).content.decode()

    assert reverse("payments:pi-view", args=[original.pk]) in html
    assert original.pi_number in html
    assert paid_revision.advice.bill_ref_number in html
    assert beneficiary.beneficiary_number in html
    assert beneficiary.account_masked in html and beneficiary.account_number not in html
    # every call that concerned the PI is listed: COR, then FTPS
    assert "On call of COR API: Response is received and updated successfully" in html
    assert "On call of FTPS API: Response is received and updated successfully" in html


def test_every_payments_admin_list_opens(staff, city, funded):
    from django.contrib import admin

    bill = bill_create(tenant=city, amounts=[Decimal("100.00")])
    pi_original_store(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)

    registered = [model for model in admin.site._registry if model._meta.app_label == "payments"]
    assert len(registered) >= 10
    for model in registered:
        response = staff.get(reverse(f"admin:payments_{model._meta.model_name}_changelist"))
        assert response.status_code == 200, model.__name__
