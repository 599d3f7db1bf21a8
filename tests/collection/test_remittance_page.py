from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from collection.models import InstrumentStatus, Payment, PaymentStatus, Remittance
from collection.services.remittances import RemittanceInput, remittance_create
from core.models import Role
from ledger.models import Voucher
from tests.collection.assertions import assert_ledger_balances
from tests.collection.receipt_factories import receipt_act, receipt_number, receipt_take

REMIT = reverse("collection:remittance-create")


@pytest.fixture
def signed_in(client, make_employee):
    client.force_login(make_employee(Role.COLLECTION_APPROVER, "pb.amritsar"))
    return client


def listed(response) -> list[str]:
    return [item["receipt"].receipt_number for item in response.context["receipts"]]


def test_the_page_lists_approved_cash_and_cheques_not_yet_remitted(masters, signed_in):
    # given cash, an approved cheque, a cheque pending approval, an online payment and a cancelled cash receipt
    cash = receipt_take("WS-1", "240")
    cheque = receipt_act(receipt_take("PT-1", "500", service="PT", mode="CHEQUE"), "APPROVE")
    receipt_take("PT-2", "300", service="PT", mode="CHEQUE")
    receipt_take("BPA-1", "120", service="BPA", mode="ONLINE")
    receipt_act(receipt_take("WS-3", "90"), "CANCEL", reason="wrong consumer")

    response = signed_in.get(REMIT)

    # then only the cash and the approved cheque are offered, each ticked, with their total
    assert response.status_code == 200
    assert listed(response) == [receipt_number(cash), receipt_number(cheque)]
    assert all(item["checked"] for item in response.context["receipts"])
    assert response.context["total"] == Decimal("740.00")


def test_the_page_offers_receipts_of_earlier_months_until_a_from_date_is_given(masters, signed_in):
    older = receipt_take("WS-1", "240", at=datetime(2026, 9, 28, 6, 0, tzinfo=UTC))
    newer = receipt_take("WS-2", "100", at=datetime(2026, 11, 12, 6, 0, tzinfo=UTC))

    everything = signed_in.get(REMIT)
    since = signed_in.get(REMIT, {"from_date": "2026-11-01"})

    assert listed(everything) == [receipt_number(older), receipt_number(newer)]
    assert listed(since) == [receipt_number(newer)]


def test_the_page_finds_receipts_by_service_and_date(masters, signed_in):
    receipt_take("WS-1", "240", at=datetime(2026, 11, 2, 6, 0, tzinfo=UTC))
    later = receipt_take("WS-2", "100", at=datetime(2026, 11, 12, 6, 0, tzinfo=UTC))
    receipt_take("PT-1", "500", service="PT", mode="CASH", at=datetime(2026, 11, 12, 6, 0, tzinfo=UTC))

    response = signed_in.get(REMIT, {"business_service": "WS", "from_date": "2026-11-10", "to_date": "2026-11-30"})

    assert listed(response) == [receipt_number(later)]


def test_remitting_the_ticked_receipts_deposits_them_with_a_reference_and_a_contra_voucher(masters, signed_in):
    # given two cash receipts and an approved cheque
    first, second = receipt_take("WS-1", "240"), receipt_take("WS-2", "110")
    cheque = receipt_act(receipt_take("PT-1", "500", service="PT", mode="CHEQUE"), "APPROVE")

    # when the approver ticks the cash receipts only and remits them
    response = signed_in.post(
        REMIT,
        {
            "receipts": [receipt_number(first), receipt_number(second)],
            "bank_account": "SBIN000123456",
            "remarks": "day",
        },
        follow=True,
    )

    # then a remittance of 350.00 is made, its receipts are REMITTED, and the cheque is left
    remittance = Remittance.objects.get()
    assert response.redirect_chain == [(reverse("collection:remittance-view", args=[remittance.pk]), 302)]
    assert remittance.total_amount == Decimal("350.00")
    assert remittance.reference_number.startswith("REM/")
    statuses = {
        payment.pk: (payment.instrument_status, payment.payment_status)
        for payment in Payment.objects.filter(pk__in=[first.pk, second.pk, cheque.pk])
    }
    assert statuses == {
        first.pk: (InstrumentStatus.REMITTED, PaymentStatus.DEPOSITED),
        second.pk: (InstrumentStatus.REMITTED, PaymentStatus.DEPOSITED),
        cheque.pk: (InstrumentStatus.APPROVED, PaymentStatus.NEW),
    }
    assert remittance.voucher.type == Voucher.Type.CONTRA
    page = response.content.decode()
    assert remittance.reference_number in page and remittance.voucher.number in page
    assert "••••3456" in page and "SBIN000123456" not in page
    assert_ledger_balances()


def test_a_bad_bank_account_is_refused_on_its_field_and_nothing_is_remitted(masters, signed_in):
    cash = receipt_take("WS-1", "240")

    response = signed_in.post(REMIT, {"receipts": [receipt_number(cash)], "bank_account": "SBI 0001"})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["bank_account"]
    assert not Remittance.objects.exists()


def test_remitting_with_nothing_ticked_is_refused_on_the_receipts(masters, signed_in):
    receipt_take("WS-1", "240")

    response = signed_in.post(REMIT, {"bank_account": "SBIN000123456"})

    assert response.context["form"].errors == {"receipts": ["Choose receipts to remit."]}
    assert not Remittance.objects.exists()


def test_a_receipt_the_service_will_not_remit_is_refused_on_the_receipts_and_nothing_is_written(masters, signed_in):
    # given a cash receipt and a cheque still pending approval
    cash = receipt_take("WS-1", "240")
    pending = receipt_take("PT-1", "500", service="PT", mode="CHEQUE")

    # when both are posted
    response = signed_in.post(
        REMIT, {"receipts": [receipt_number(cash), receipt_number(pending)], "bank_account": "SBIN000123456"}
    )

    # then the service's refusal sits on the receipts and the cash receipt is not remitted either
    [error] = response.context["form"].errors["receipts"]
    assert receipt_number(pending) in error and "APPROVAL_PENDING" in error
    assert not Remittance.objects.exists()
    cash.refresh_from_db()
    assert cash.instrument_status == InstrumentStatus.APPROVED


def test_another_citys_receipt_is_not_found(masters, signed_in):
    theirs = receipt_take("WS-9", "240", tenant="pb.jalandhar")

    response = signed_in.post(REMIT, {"receipts": [receipt_number(theirs)], "bank_account": "SBIN000123456"})

    assert response.context["form"].errors["receipts"] == ["no approved cash or cheque receipts to remit"]
    assert not Remittance.objects.exists()


def test_a_receipt_remitted_meanwhile_is_not_remitted_twice(masters, signed_in):
    cash = receipt_take("WS-1", "240")
    body = {"receipts": [receipt_number(cash)], "bank_account": "SBIN000123456"}
    assert signed_in.post(REMIT, body).status_code == 302

    again = signed_in.post(REMIT, body)

    assert "REMITTED" in again.context["form"].errors["receipts"][0]
    assert Remittance.objects.count() == 1


def test_only_a_collection_approver_remits(masters, make_employee, client):
    cash = receipt_take("WS-1", "240")
    client.force_login(make_employee(Role.COLLECTION_OPERATOR))

    assert client.get(REMIT).status_code == 403
    assert client.post(REMIT, {"receipts": [receipt_number(cash)], "bank_account": "SBIN000123456"}).status_code == 403
    assert not Remittance.objects.exists()


def test_another_citys_remittance_is_not_found(masters, make_employee, client):
    theirs = receipt_take("WS-9", "240", tenant="pb.jalandhar")
    remittance = remittance_create(
        remittance=RemittanceInput(
            tenant_id="pb.jalandhar", bank_account="SBIN000999999", receipt_numbers=[receipt_number(theirs)]
        ),
        actor=None,
    )
    client.force_login(make_employee(Role.COLLECTION_APPROVER, "pb.amritsar"))

    assert client.get(reverse("collection:remittance-view", args=[remittance.pk])).status_code == 404


def test_a_states_approver_is_told_to_remit_from_a_city_and_nothing_is_written(masters, make_employee, client):
    cash = receipt_take("WS-1", "240")
    client.force_login(make_employee(Role.COLLECTION_APPROVER, "pb"))

    page = client.get(REMIT)
    response = client.post(REMIT, {"receipts": [receipt_number(cash)], "bank_account": "SBIN000123456"})

    assert page.context["is_state"] and listed(page) == []
    [error] = response.context["form"].non_field_errors()
    assert "'pb' is a state" in error
    assert not Remittance.objects.exists()
