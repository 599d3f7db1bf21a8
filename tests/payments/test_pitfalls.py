"""The anchor's bugs (reference §12), each avoided. Three are proven along the main chain and named here:
FD matching PARTIAL PIs (test_jit_services::test_fd_matches_a_pi_already_partial_when_another_payment_fails),
FTFPS sending the revised PI's bill reference and PD leaving unlisted beneficiaries alone
(test_lifecycle::test_full_chain_moves_every_status_of_the_transition_table)."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from payments.models import PaymentInstruction, Sanction
from payments.selectors import pi_search
from payments.services.bills import BankAccountInput, payee_bank_account_change
from payments.services.instructions import pi_original_store
from tests.payments.factories import HeadOfAccountFactory, SpendingUnitFactory, bill_create, funds_add

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")


def test_the_original_type_filter_keeps_every_other_criterion(city, funded, tenants):
    # given a pending and a failed original in Angul, and a failed original in another city
    pending = bill_create(tenant=city, amounts=[Decimal("100.00")])
    poor = bill_create(tenant=city, amounts=[Decimal("5000000.00")])
    pi_original_store(tenant_id=city.code, reference_id=pending.payment.payment_number, actor=None)
    failed = pi_original_store(tenant_id=city.code, reference_id=poor.payment.payment_number, actor=None)
    elsewhere = bill_create(tenant=tenants["pb.amritsar"], amounts=[Decimal("100.00")])
    pi_original_store(tenant_id="pb.amritsar", reference_id=elsewhere.payment.payment_number, actor=None)
    assert PaymentInstruction.objects.filter(pi_type="ORIGINAL", status="FAILED").count() == 2

    found = pi_search(tenant_id=city.code, pi_type="ORIGINAL", status="FAILED")

    assert [pi.pi_number for pi in found] == [failed.pi_number]


def test_a_failed_pi_is_stored_inactive(city, funded):
    poor = bill_create(tenant=city, amounts=[Decimal("5000000.00")])

    failed = pi_original_store(tenant_id=city.code, reference_id=poor.payment.payment_number, actor=None)

    failed.refresh_from_db()
    assert (failed.status, failed.is_active) == ("FAILED", False)


def test_a_bank_account_correction_leaves_the_pis_already_made_as_they_were(city, funded):
    bill = bill_create(tenant=city, amounts=[Decimal("100.00")])
    pi = pi_original_store(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)
    beneficiary = pi.beneficiaries.get()
    sent = (beneficiary.account_number, beneficiary.ifsc, beneficiary.account_holder_name)

    payee_bank_account_change(
        payee=beneficiary.payee,
        account=BankAccountInput(account_number="99887766554433", ifsc="HDFC0004321", account_holder_name="New"),
        actor=None,
    )

    beneficiary.refresh_from_db()
    assert (beneficiary.account_number, beneficiary.ifsc, beneficiary.account_holder_name) == sent
    assert beneficiary.payee.bank_accounts.get(is_active=True).account_number == "99887766554433"


def test_a_sanction_allotted_in_february_belongs_to_the_financial_year_begun_in_april(city):
    unit = SpendingUnitFactory(tenant=city)
    head = HeadOfAccountFactory(tenant=city.state)

    funds_add(
        unit=unit,
        head=head,
        amount=Decimal("5000.00"),
        master_allotment_id="MAD-FEB",
        allotted_at=datetime(2027, 2, 15, 11, 0, tzinfo=IST),
    )

    assert Sanction.objects.get(master_allotment_id="MAD-FEB").financial_year == "2026-27"
