from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import DemandDetail
from collection.models import InstrumentStatus, Payment, PaymentDetail, Remittance
from core.models import Role
from tests.billing.factories import raise_demand
from tests.collection.factories import bill_of, payment_body
from tests.core.factories import UserFactory


@pytest.fixture
def admin_site(client, tenants):
    client.force_login(
        UserFactory(tenant=tenants["pb"], is_staff=True, is_superuser=True, roles=[(Role.SUPERUSER, "pb")])
    )
    return client


@pytest.fixture
def payment(masters, pay) -> Payment:
    raise_demand(heads={"10101": "240"})
    response = pay(payment_body(bill_of(), 100))
    assert response.status_code == 200, response.content
    return Payment.objects.get()


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", [Payment, PaymentDetail, Remittance])
def test_collection_rows_are_listed_read_only(admin_site, payment, model):
    # given a payment; when an administrator opens the list
    response = admin_site.get(changelist(model))

    # then it is shown, with no way to add a row
    assert response.status_code == 200
    assert b"to view | Kosh administration" in response.content
    add_url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    assert add_url.encode() not in response.content


def test_the_cancel_action_cancels_through_the_service_with_the_typed_reason(admin_site, payment):
    # given a receipt of 100; when an administrator cancels it with a reason
    response = admin_site.post(
        changelist(Payment), {"action": "cancel", "_selected_action": [payment.pk], "reason": "duplicate entry"}
    )

    # then the receipt is cancelled with that reason and the dues are back
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.instrument_status, payment.workflow_reason) == (InstrumentStatus.CANCELLED, "duplicate entry")
    assert DemandDetail.objects.get().collection_amount == Decimal("0.00")


def test_the_cancel_action_without_a_reason_changes_nothing(admin_site, payment):
    # given a receipt of 100; when an administrator cancels it without a reason
    response = admin_site.post(
        changelist(Payment), {"action": "cancel", "_selected_action": [payment.pk], "reason": ""}, follow=True
    )

    # then the refusal is shown and the receipt stands
    assert b"required to CANCEL" in response.content
    payment.refresh_from_db()
    assert payment.instrument_status == InstrumentStatus.APPROVED
    assert DemandDetail.objects.get().collection_amount == Decimal("100.00")
