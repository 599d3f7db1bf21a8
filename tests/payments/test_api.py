"""The DIGIT-style APIs: bill intake, PI search and create, funds search."""

from decimal import Decimal

import pytest

from core.models import Role
from payments.models import ExpenseBill, ExpensePayment, PaymentInstruction
from payments.services.instructions import pi_original_store
from tests.payments.factories import bill_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def creator_token(make_employee, token_for, city):
    return token_for(make_employee(role=Role.PI_CREATOR, tenant="od.angul"))


def bill_body(**overrides):
    bill = {
        "tenantId": "od.angul",
        "billNumber": "WB/2026-27/000777",
        "businessService": "EXPENSE.WAGES",
        "billDate": "2026-11-01",
        "referenceId": "MR/2026-27/000777",
        "status": "APPROVED",
        "billDetails": [
            {
                "payee": {
                    "identifier": "IND-777",
                    "type": "IND",
                    "name": "Sita Nayak",
                    "mobileNumber": "9437012345",
                    "bankAccount": {"accountNumber": "30012345678", "ifsc": "SBIN0001234", "accountHolderName": "Sita"},
                },
                "payableLineItems": [{"headCode": "WAGE", "amount": Decimal("1234.50")}],
            }
        ],
    }
    bill.update(overrides)
    return {"RequestInfo": {"apiId": "works"}, "bill": bill}


def post(api, path, body, token, **extra):
    return api.post(path, body, format="json", HTTP_AUTHORIZATION=f"Bearer {token}", **extra)


def test_an_approved_bill_comes_in_with_its_payment(api, creator_token):
    response = post(api, "/expense/bill/v1/_create", bill_body(), creator_token)

    assert response.status_code == 201, response.content
    bill = response.json()["bills"][0]
    assert bill["netPayableAmount"] == 1234.5
    assert bill["paymentNumber"].startswith("EP-ANG/")
    assert ExpensePayment.objects.get().amount == Decimal("1234.50")


def test_a_bill_with_a_negative_amount_is_refused_naming_the_field(api, creator_token):
    body = bill_body()
    body["bill"]["billDetails"][0]["payableLineItems"][0]["amount"] = Decimal("-10.00")

    response = post(api, "/expense/bill/v1/_create", body, creator_token)

    assert response.status_code == 400
    error = response.json()["Errors"][0]
    assert error["code"] == "INVALID_AMOUNT"
    assert error["params"] == ["bill.billDetails[0].payableLineItems[0].amount"]
    assert ExpenseBill.objects.count() == 0


def test_a_repeated_bill_with_the_same_idempotency_key_gets_the_first_answer(api, creator_token):
    first = post(api, "/expense/bill/v1/_create", bill_body(), creator_token, HTTP_IDEMPOTENCY_KEY="bill-777")
    again = post(api, "/expense/bill/v1/_create", bill_body(), creator_token, HTTP_IDEMPOTENCY_KEY="bill-777")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["bills"] == first.json()["bills"]
    assert ExpenseBill.objects.count() == 1


def test_revising_an_unknown_pi_through_the_api_is_not_found(api, creator_token):
    body = {"RequestInfo": {}, "tenantId": "od.angul", "parentPI": "PI-ANG/2026-27/999999"}

    response = post(api, "/ifms-adapter/pi/v1/_create", body, creator_token)

    assert response.status_code == 404
    assert response.json()["Errors"][0]["code"] == "PI_NOT_FOUND"


def test_pi_search_masks_account_numbers(api, creator_token, city, funded):
    bill = bill_create(tenant=city, amounts=[Decimal("100.00")])
    pi = pi_original_store(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)

    response = post(api, "/ifms-adapter/pi/v1/_search?tenantId=od.angul&piStatus=PENDING", {}, creator_token)

    assert response.status_code == 200, response.content
    found = response.json()["paymentInstructions"]
    assert [p["jitBillNo"] for p in found] == [pi.pi_number]
    account = pi.beneficiaries.get().account_number
    assert found[0]["beneficiaryDetails"][0]["accountNumber"].endswith(account[-4:])
    assert account not in response.content.decode()


def test_pi_search_in_a_tenant_without_the_role_is_refused(api, creator_token):
    response = post(api, "/ifms-adapter/pi/v1/_search?tenantId=pb.amritsar", {}, creator_token)

    assert response.status_code == 403
    assert PaymentInstruction.objects.count() == 0


def test_funds_search_returns_the_sanction_with_its_summary(api, make_employee, token_for, city, funded):
    token = token_for(make_employee(role=Role.FUND_VIEWER, tenant="od.angul"))

    response = post(api, "/ifms-adapter/funds/v1/_search?tenantId=od.angul", {}, token)

    sanction = response.json()["sanctions"][0]
    assert sanction["fundsSummary"] == {"allottedAmount": 1000000.0, "availableAmount": 1000000.0}
    assert sanction["allotmentDetails"][0]["allotmentTransactionType"] == "Initial Allotment"
