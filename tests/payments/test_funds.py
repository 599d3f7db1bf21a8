"""Funds: the PI's debit under the sanction, its reversal, no-funds failure, and the register's running balances."""

import re
import zlib
from decimal import Decimal

import pytest
from django.urls import reverse

from payments.models import FundsSummary, FundTransaction, HeadOfAccount, PaymentInstruction, PIBeneficiary, PIStatusLog
from payments.selectors import fund_register
from payments.services.funds import funds_reverse
from payments.services.instructions import pi_original_store
from tests.payments.factories import bill_create, funds_add

pytestmark = pytest.mark.django_db


def test_a_pi_debits_its_sanction_and_a_reversal_gives_it_back_once(city, funded):
    bill = bill_create(tenant=city, amounts=[Decimal("250.00"), Decimal("49.99")])

    pi = pi_original_store(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)
    assert FundsSummary.objects.get().available_amount == Decimal("999700.01")

    funds_reverse(pi=pi)
    funds_reverse(pi=pi)

    assert FundsSummary.objects.get().available_amount == Decimal("1000000.00")
    assert FundTransaction.objects.filter(pi=pi).count() == 2


def test_a_pi_with_no_sanction_big_enough_fails_at_once_with_insufficient_funds(city, funded):
    bill = bill_create(tenant=city, amounts=[Decimal("1000000.01")])

    pi = pi_original_store(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)

    assert (pi.status, pi.is_active, pi.error_text) == ("FAILED", False, "PAYMENT_INSUFFICIENT_FUNDS")
    assert set(pi.beneficiaries.values_list("payment_status", flat=True)) == {PIBeneficiary.Status.FAILED}
    assert PIStatusLog.objects.get(pi=pi).status == "PI_NO_FUNDS"
    assert FundsSummary.objects.get().available_amount == Decimal("1000000.00")
    bill.payment.refresh_from_db()
    assert bill.payment.status == "FAILED"


def test_the_register_runs_sanctioned_balance_and_fund_available(city, funded):
    bill = bill_create(tenant=city, amounts=[Decimal("400.00")])
    pi = pi_original_store(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)
    funds_reverse(pi=pi)
    year = PaymentInstruction.objects.get().sanction.financial_year

    rows = fund_register(tenant_id=city.code, financial_year=year)

    assert [(r.kind, r.amount, r.sanctioned_balance, r.fund_available) for r in rows] == [
        ("INITIAL", Decimal("1000000.00"), Decimal("1000000.00"), Decimal("1000000.00")),
        ("EXPENSE", Decimal("400.00"), Decimal("1000000.00"), Decimal("999600.00")),
        ("EXPENSE_REVERSED", Decimal("400.00"), Decimal("1000000.00"), Decimal("1000000.00")),
    ]
    only_expense = fund_register(tenant_id=city.code, financial_year=year, kind="EXPENSE")
    assert [(r.transaction_number, r.fund_available) for r in only_expense] == [(pi.pi_number, Decimal("999600.00"))]


def test_the_register_downloads_as_csv_and_pdf_for_a_fund_viewer(client, city, funded):
    from core.models import Role
    from tests.core.factories import UserFactory

    viewer = UserFactory(tenant=city, roles=[(Role.FUND_VIEWER, "od.angul")])
    client.force_login(viewer)
    year = FundsSummary.objects.get().sanction.financial_year

    csv_response = client.get(reverse("payments:fund-register-csv"), {"financial_year": year})
    pdf_response = client.get(reverse("payments:fund-register-pdf"), {"financial_year": year})

    assert csv_response.status_code == 200
    assert "Initial Allotment,1000000.00,1000000.00,1000000.00" in csv_response.content.decode()
    assert pdf_response["Content-Type"] == "application/pdf"
    assert pdf_response.content.startswith(b"%PDF")


def _pdf_text(content: bytes) -> str:
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S)
    return "".join(zlib.decompress(stream).decode("latin-1") for stream in streams)


def test_the_register_page_and_pdf_group_amounts_the_indian_way_and_the_csv_keeps_plain_numbers(client, city, funded):
    from core.models import Role
    from tests.core.factories import UserFactory

    bill = bill_create(tenant=city, amounts=[Decimal("2500000.00")])
    funds_add(unit=funded, head=HeadOfAccount.objects.get(), amount=Decimal("2500000.00"), master_allotment_id="MAD2")
    pi_original_store(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)
    client.force_login(UserFactory(tenant=city, roles=[(Role.FUND_VIEWER, "od.angul")]))
    query = {"financial_year": FundsSummary.objects.first().sanction.financial_year}

    page = client.get(reverse("payments:fund-register"), query).content.decode()
    pdf = _pdf_text(client.get(reverse("payments:fund-register-pdf"), query).content)
    csv_text = client.get(reverse("payments:fund-register-csv"), query).content.decode()

    assert ">25,00,000.00<" in page
    assert ">10,00,000.00<" in page
    assert "(25,00,000.00)" in pdf
    assert "2500000.00" in csv_text
    assert "25,00,000" not in csv_text


def test_the_register_is_refused_to_someone_without_the_fund_viewer_role(client, city, pi_viewer):
    client.force_login(pi_viewer)

    response = client.get(reverse("payments:fund-register"))

    assert response.status_code == 403
