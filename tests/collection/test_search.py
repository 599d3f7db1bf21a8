"""`/collection-services/payments/_search` and `/{module}/_search` against DIGIT's criteria: each filter, lists,
dates, paging (default 100, at most 300), tenancy and bad criteria."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from collection.models import InstrumentStatus, Payment, PaymentMode, PaymentStatus
from collection.services.payments import PaymentDetailInput, PaymentInput, payment_create
from core.digit.envelope import epoch_millis
from core.models import Role
from tests.billing.factories import raise_demand
from tests.collection.conftest import SEARCH_URL
from tests.collection.factories import bill_of
from tests.collection.receipt_factories import receipt_act, receipt_number, receipt_take

NOV_10 = datetime(2026, 11, 10, 6, 30, tzinfo=UTC)
NOV_12 = datetime(2026, 11, 12, 6, 30, tzinfo=UTC)
NOV_14 = datetime(2026, 11, 14, 6, 30, tzinfo=UTC)


@pytest.fixture
def search(digit_post, approver_token):
    """Search as an Amritsar approver; answers the response."""

    def run(params=None, url=SEARCH_URL, token=None):
        return digit_post(url, token or approver_token, {"tenantId": "pb.amritsar", **(params or {})})

    return run


def found_ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [payment["id"] for payment in response.json()["Payments"]]


@pytest.fixture
def three(masters):
    """Water cash (NEW, APPROVED), a property-tax cheque (NEW, APPROVAL_PENDING) and a building-permit online
    payment (DEPOSITED, REMITTED), from three payers, on three days."""
    return {
        "cash": receipt_take("WS-1", "240", payer_id="P-1", at=NOV_10),
        "cheque": receipt_take(
            "PT-1", "500", service="PT", mode="CHEQUE", payer_id="P-2", mobile_number="9876500002", at=NOV_12
        ),
        "online": receipt_take(
            "BPA-1", "300", service="BPA", mode="ONLINE", payer_id="P-3", mobile_number="9876500003", at=NOV_14
        ),
    }


CRITERIA = {
    "ids": (lambda three: {"ids": f"{three['cash'].pk},{three['online'].pk}"}, ["online", "cash"]),
    "billIds": (lambda three: {"billIds": str(three["cheque"].details.get().bill_id)}, ["cheque"]),
    "receiptNumbers": (lambda three: {"receiptNumbers": receipt_number(three["online"])}, ["online"]),
    "status": (lambda three: {"status": "NEW"}, ["cheque", "cash"]),
    "instrumentStatus": (lambda three: {"instrumentStatus": "APPROVAL_PENDING,REMITTED"}, ["online", "cheque"]),
    "paymentModes": (lambda three: {"paymentModes": "CASH"}, ["cash"]),
    "payerIds": (lambda three: {"payerIds": "P-2,P-3"}, ["online", "cheque"]),
    "consumerCodes": (lambda three: {"consumerCodes": "WS-1,BPA-1"}, ["online", "cash"]),
    "businessServices": (lambda three: {"businessServices": "PT"}, ["cheque"]),
    "transactionNumber": (lambda three: {"transactionNumber": "PG-BPA-1"}, ["online"]),
    "mobileNumber": (lambda three: {"mobileNumber": "9876500002"}, ["cheque"]),
    "fromDate": (lambda three: {"fromDate": epoch_millis(NOV_12)}, ["online", "cheque"]),
    "toDate": (lambda three: {"toDate": epoch_millis(NOV_12)}, ["cheque", "cash"]),
    "fromDate and toDate": (
        lambda three: {"fromDate": epoch_millis(NOV_12 - timedelta(hours=1)), "toDate": epoch_millis(NOV_12)},
        ["cheque"],
    ),
    "criteria together": (lambda three: {"status": "NEW", "paymentModes": "CHEQUE,ONLINE"}, ["cheque"]),
}


@pytest.mark.parametrize("criterion", CRITERIA)
def test_each_criterion_finds_exactly_its_payments_newest_first(three, search, criterion):
    params, expected = CRITERIA[criterion]

    response = search(params(three))

    assert found_ids(response) == [str(three[name].pk) for name in expected]


def test_no_criterion_but_the_tenant_finds_every_payment_of_the_city_newest_first(three, search):
    assert found_ids(search()) == [str(three[name].pk) for name in ("online", "cheque", "cash")]


def test_a_payment_matching_through_two_of_its_receipts_is_found_once(masters, search):
    raise_demand(consumer="WS-1")
    raise_demand(consumer="WS-2")
    first, second = bill_of(consumer="WS-1"), bill_of(consumer="WS-2")
    payment = payment_create(
        payment=PaymentInput(
            tenant_id="pb.amritsar",
            payment_mode="CASH",
            total_amount_paid=Decimal("480"),
            paid_by="Gurpreet Kaur",
            details=[
                PaymentDetailInput(bill_id=str(first.pk), total_amount_paid=Decimal("240")),
                PaymentDetailInput(bill_id=str(second.pk), total_amount_paid=Decimal("240")),
            ],
        ),
        actor=None,
    )

    response = search({"consumerCodes": "WS-1,WS-2"})

    assert found_ids(response) == [str(payment.pk)]
    assert len(response.json()["Payments"][0]["paymentDetails"]) == 2


def test_pages_follow_one_another_newest_first_without_gaps_or_repeats(masters, search):
    payments = [receipt_take(f"WS-{n}", "100", at=NOV_10 + timedelta(hours=n)) for n in range(5)]
    newest_first = [str(payment.pk) for payment in reversed(payments)]

    pages = [found_ids(search({"limit": 2, "offset": offset})) for offset in (0, 2, 4, 6)]

    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:5], []]


def test_a_search_answers_at_most_a_hundred_payments_unless_asked_for_more(masters, search):
    # Payment rows alone: the search reads payments, and 101 full receipts would only slow the test.
    Payment.objects.bulk_create(
        Payment(
            tenant_id="pb.amritsar",
            total_due=Decimal("100"),
            total_amount_paid=Decimal("100"),
            payment_mode=PaymentMode.CASH,
            transaction_date=NOV_10 + timedelta(minutes=n),
            instrument_status=InstrumentStatus.APPROVED,
            payment_status=PaymentStatus.NEW,
            paid_by="Gurpreet Kaur",
        )
        for n in range(101)
    )

    assert len(found_ids(search())) == 100
    assert len(found_ids(search({"limit": 300}))) == 101


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 301}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"status": "PAID"}, "status"),
        ({"instrumentStatus": "OPEN"}, "instrumentStatus"),
        ({"paymentModes": "BITCOIN"}, "paymentModes"),
        ({"ids": "not-a-uuid"}, "ids"),
        ({"fromDate": "yesterday"}, "fromDate"),
        ({"mobileNumber": "12345"}, "mobileNumber"),
    ],
)
def test_a_bad_criterion_is_refused_naming_it(masters, search, params, field):
    response = search(params)

    assert response.status_code == 400, response.content
    assert response.json()["Errors"][0]["params"][0].startswith(field)


def test_the_module_search_keeps_to_its_module_whatever_services_are_named(three, search):
    response = search({"businessServices": "WS,BPA"}, url="/collection-services/payments/PT/_search")

    assert found_ids(response) == [str(three["cheque"].pk)]


def test_another_citys_payments_are_never_found_and_its_tenant_is_refused(three, search):
    theirs = receipt_take("WS-9", "70", tenant="pb.jalandhar")

    mine = search({"ids": f"{theirs.pk},{three['cash'].pk}"})
    refused = search({"tenantId": "pb.jalandhar"})

    assert found_ids(mine) == [str(three["cash"].pk)]
    assert refused.status_code == 403


def test_a_state_search_finds_the_payments_of_its_cities(three, digit_post, make_employee, token_for):
    theirs = receipt_take("WS-9", "70", tenant="pb.jalandhar")
    angul = receipt_take("WS-8", "60", tenant="od.angul")
    state = token_for(make_employee(Role.COLLECTION_APPROVER, "pb"))

    response = digit_post(SEARCH_URL, state, {"tenantId": "pb"})

    ids = found_ids(response)
    assert str(theirs.pk) in ids and str(three["cash"].pk) in ids
    assert str(angul.pk) not in ids and len(ids) == 4


def test_a_cancelled_payment_is_found_by_its_closed_statuses(three, search):
    receipt_act(three["cash"], "CANCEL", reason="wrong consumer")

    response = search({"status": "CANCELLED", "instrumentStatus": "CANCELLED"})

    assert found_ids(response) == [str(three["cash"].pk)]
