"""Bad input gets a clear error naming the field, and nothing is written."""

from decimal import Decimal

import pytest

from core.errors import ApplicationError, NotFoundError
from payments.models import ExpenseBill, Payee, PayeeBankAccount, PaymentInstruction
from payments.services.bills import BankAccountInput
from payments.services.instructions import pi_original_store
from payments.services.revised import pi_revise
from tests.payments.factories import bill_create, payee_input

pytestmark = pytest.mark.django_db


def rows():
    return (ExpenseBill.objects.count(), Payee.objects.count(), PayeeBankAccount.objects.count())


def test_revising_an_unknown_pi_is_not_found(city):
    with pytest.raises(NotFoundError) as refused:
        pi_revise(tenant_id=city.code, parent_pi_number="PI-ANG/2026-27/999999", actor=None)

    assert refused.value.code == "PI_NOT_FOUND"
    assert refused.value.field == "parentPI"
    assert PaymentInstruction.objects.count() == 0


def test_revising_a_pi_that_is_not_partial_is_refused(city, funded):
    bill = bill_create(tenant=city, amounts=[Decimal("100.00")])
    pi = pi_original_store(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)

    with pytest.raises(ApplicationError, match="only for a PARTIAL PI") as refused:
        pi_revise(tenant_id=city.code, parent_pi_number=pi.pi_number, actor=None)

    assert refused.value.code == "REVISED_PI_GEN_ERROR"
    assert PaymentInstruction.objects.count() == 1


def test_a_second_pi_for_a_payment_with_a_live_pi_is_refused(city, funded):
    bill = bill_create(tenant=city, amounts=[Decimal("100.00")])
    pi_original_store(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)

    with pytest.raises(ApplicationError) as refused:
        pi_original_store(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)

    assert refused.value.code == "PI_DUPLICATE_ERROR"
    assert PaymentInstruction.objects.count() == 1


def test_a_bill_with_a_negative_amount_is_refused_naming_the_line(city):
    with pytest.raises(ApplicationError) as refused:
        bill_create(tenant=city, amounts=[Decimal("100.00"), Decimal("-5.00")])

    assert refused.value.code == "INVALID_AMOUNT"
    assert refused.value.field == "billDetails[1].amount"
    assert rows() == (0, 0, 0)


def test_a_bill_paying_one_account_and_ifsc_to_two_payees_is_refused(city):
    from datetime import date

    from payments.services.bills import LineItemInput, expense_bill_create

    shared = BankAccountInput(account_number="555566667777", ifsc="SBIN0001234", account_holder_name="Shared")
    with pytest.raises(ApplicationError) as refused:
        expense_bill_create(
            tenant_id=city.code,
            bill_number="WB/2026-27/DUP",
            bill_type="EXPENSE.WAGES",
            bill_date=date(2026, 11, 1),
            reference_id="MR-1",
            line_items=[
                LineItemInput(payee=payee_input(1, bank_account=shared), head_code="WAGE", amount=Decimal("10.00")),
                LineItemInput(payee=payee_input(2, bank_account=shared), head_code="WAGE", amount=Decimal("10.00")),
            ],
            actor=None,
            push=False,
        )

    assert refused.value.code == "DUPLICATE_BANK_ACCOUNT"
    assert refused.value.field == "billDetails[1].payee.bankAccount.accountNumber"
    assert "XXXXXXXX7777" in refused.value.message and "555566667777" not in refused.value.message
    assert rows() == (0, 0, 0)


def test_a_bill_with_a_bad_ifsc_is_refused_naming_the_field(city):
    bad = BankAccountInput(account_number="555566667777", ifsc="SBIN1234", account_holder_name="X")

    with pytest.raises(ApplicationError) as refused:
        from datetime import date

        from payments.services.bills import LineItemInput, expense_bill_create

        expense_bill_create(
            tenant_id=city.code,
            bill_number="WB-IFSC",
            bill_type="EXPENSE.WAGES",
            bill_date=date(2026, 11, 1),
            reference_id="",
            line_items=[LineItemInput(payee=payee_input(1, bank_account=bad), head_code="W", amount=Decimal("1"))],
            actor=None,
            push=False,
        )

    assert refused.value.field == "billDetails[0].payee.bankAccount.ifsc"
    assert rows() == (0, 0, 0)


def test_a_pi_of_another_tenant_is_not_found_on_its_page(client, city, funded, tenants):
    from core.models import Role
    from tests.core.factories import UserFactory

    bill = bill_create(tenant=city, amounts=[Decimal("100.00")])
    pi = pi_original_store(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)
    outsider = UserFactory(tenant=tenants["pb.amritsar"], roles=[(Role.PI_VIEWER, "pb.amritsar")])
    client.force_login(outsider)

    response = client.get(f"/payments/pi/{pi.pk}/", HTTP_ACCEPT="text/html")

    assert response.status_code == 404
