"""The Collect Payment pages: search a consumer, see the bill, take the payment, the success page."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import Bill, BusinessService, DemandDetail
from collection.models import Payment, PaymentDetail
from core.models import Role
from ledger.models import Voucher
from notifications.models import SmsMessage
from tests.billing.factories import financial_year, month, raise_demand
from tests.collection.factories import bill_of

COLLECT_URL = "/collection/collect/"


@pytest.fixture
def collector_web(client, make_employee):
    """A browser session of an Amritsar collector."""
    user = make_employee(Role.COLLECTION_OPERATOR, "pb.amritsar", name="Gurdeep Singh")
    client.force_login(user)
    client.user = user
    return client


def bill_url(bill: Bill) -> str:
    return f"/collection/collect/bills/{bill.pk}/"


def collect(client, bill: Bill, amount, **fields):
    data = {"amount": str(amount), "payment_mode": "CASH", "paid_by": "Gurpreet Kaur", "mobile_number": "9876500001"}
    data.update(fields)
    return client.post(bill_url(bill), data)


def errors(response) -> list[str]:
    """The messages the page shows against fields and the whole form."""
    html = response.content.decode()
    return re.findall(r'class="field-error"[^>]*>([^<]*)<', html) + re.findall(
        r'class="notice notice-error" role="alert">([^<]*)<', html
    )


def nothing_written() -> None:
    assert Payment.objects.count() == 0
    assert PaymentDetail.objects.count() == 0
    assert Voucher.objects.count() == 0
    assert not DemandDetail.objects.exclude(collection_amount=0).exists()
    assert SmsMessage.objects.count() == 0


def test_the_home_page_offers_collect_payment_to_a_collector_and_not_to_an_approver(client, masters, make_employee):
    client.force_login(make_employee(Role.COLLECTION_OPERATOR))
    assert "Collect payment" in client.get("/").content.decode()

    client.force_login(make_employee(Role.COLLECTION_APPROVER))
    assert "Collect payment" not in client.get("/").content.decode()
    assert client.get(COLLECT_URL).status_code == 403


def test_a_search_by_consumer_code_finds_the_consumer_with_its_payer(collector_web, masters):
    raise_demand(consumer="WS-1")
    raise_demand(consumer="WS-2")

    page = collector_web.get(COLLECT_URL, {"consumer_code": "WS-1"}).content.decode()

    assert "1 consumer found" in page
    assert "Gurpreet Kaur" in page
    assert "?service=WS&amp;consumer=WS-1" in page
    assert "consumer=WS-2" not in page


def test_a_search_by_mobile_finds_the_payers_consumers_across_services(collector_web, masters):
    raise_demand(consumer="WS-1")
    raise_demand(service="PT", consumer="PT-1", heads={"PT_TAX": "900"}, period=financial_year(2026))
    raise_demand(consumer="WS-9", payer={"name": "Harjit Singh", "mobileNumber": "9876500002"})

    page = collector_web.get(COLLECT_URL, {"mobile_number": "9876500001"}).content.decode()

    assert "2 consumers found" in page
    assert "consumer=WS-1" in page and "consumer=PT-1" in page
    assert "WS-9" not in page


def test_a_search_does_not_find_another_citys_consumer(collector_web, masters):
    raise_demand(tenant="pb.jalandhar", consumer="WS-JAL")

    page = collector_web.get(COLLECT_URL, {"consumer_code": "WS-JAL"}).content.decode()

    assert "0 consumers found" in page


def test_a_search_needs_a_consumer_code_or_a_mobile_number(collector_web, masters):
    page = collector_web.get(COLLECT_URL, {"consumer_code": "", "mobile_number": ""})

    assert errors(page) == ["Enter a consumer code or a mobile number."]


def test_opening_a_consumer_fetches_its_bill(collector_web, masters):
    raise_demand(heads={"10101": "240"})

    response = collector_web.get("/collection/collect/consumer/", {"service": "WS", "consumer": "WS-1"})

    bill = Bill.objects.get(consumer_code="WS-1", status=Bill.Status.ACTIVE)
    assert response.status_code == 302
    assert response["Location"] == bill_url(bill)


def test_a_consumer_with_nothing_to_pay_goes_back_to_the_search_with_the_reason(collector_web, masters):
    raise_demand(heads={"10101": "240"}, collected={"10101": "240"})

    response = collector_web.get("/collection/collect/consumer/", {"service": "WS", "consumer": "WS-1"}, follow=True)

    assert response.redirect_chain[-1][0] == f"{COLLECT_URL}?consumer_code=WS-1"
    assert "WS-1:" in response.content.decode()
    assert not Bill.objects.exists()


def test_the_bill_shows_arrears_per_head_and_the_penalty_and_advance_rows_the_service_displays(collector_web, masters):
    # given September's water charges part paid, and October's with a time penalty
    raise_demand(period=month(2026, 9), heads={"10101": "240"}, collected={"10101": "100"})
    raise_demand(period=month(2026, 10), heads={"10101": "240", "WS_TIME_PENALTY": "24"})

    page = collector_web.get(bill_url(bill_of())).content.decode()

    rows = re.findall(r'<tr class="bill-row-(\w+)"><td>([^<]*)</td><td class="amount">([^<]*)</td>', page)
    assert rows == [
        ("current", "Water Charges", "240.00"),
        ("arrear", "BL_10101 (Water Charges)", "140.00"),
        ("penalty", "Penalty", "24.00"),
        ("advance", "Advance", "0.00"),
    ]
    assert '<td class="amount total-due">404.00</td>' in page


def test_a_service_that_does_not_display_penalty_and_advance_lists_those_heads_as_any_other(collector_web, masters):
    BusinessService.objects.filter(code="WS").update(display_penalty=False, display_advance=False)
    raise_demand(heads={"10101": "240", "WS_TIME_PENALTY": "24"})

    page = collector_web.get(bill_url(bill_of())).content.decode()

    rows = re.findall(r'<tr class="bill-row-(\w+)"><td>([^<]*)</td>', page)
    assert rows == [("current", "Water Charges"), ("current", "Time Penalty")]


def test_the_amount_starts_at_the_total_due_and_only_the_services_modes_are_offered_cash_first(collector_web, masters):
    raise_demand(service="PT", consumer="PT-1", heads={"PT_TAX": "900"}, period=financial_year(2026))

    page = collector_web.get(bill_url(bill_of(consumer="PT-1", service="PT"))).content.decode()

    assert re.search(r'name="amount" value="900"', page)
    modes = re.findall(r'<input type="radio" name="payment_mode" value="(\w+)"( checked)?>', page)
    assert modes[0] == ("CASH", " checked")
    assert [mode for mode, _ in modes] == ["CASH", "CHEQUE", "DD", "CARD", "OFFLINE_NEFT", "OFFLINE_RTGS"]


def test_a_water_bill_offers_cash_only_and_no_instrument_fields(collector_web, masters):
    raise_demand()

    page = collector_web.get(bill_url(bill_of())).content.decode()

    assert re.findall(r'name="payment_mode" value="(\w+)"', page) == ["CASH"]
    assert 'name="instrument_number"' not in page


def test_a_partial_cash_payment_is_taken_and_the_success_page_shows_the_receipt(collector_web, masters):
    # given a water bill of 240
    raise_demand(heads={"10101": "240"})
    bill = bill_of()

    # when the collector takes 100 in cash
    response = collect(collector_web, bill, "100")

    # then one receipt is made by payment_create, the bill is part paid, and the success page shows the receipt
    payment = Payment.objects.get()
    receipt = payment.details.get()
    assert response.status_code == 302
    assert response["Location"] == f"/collection/collect/payments/{payment.pk}/"
    assert payment.total_amount_paid == Decimal("100.00")
    assert payment.created_by == collector_web.user
    assert Bill.objects.get(pk=bill.pk).status == Bill.Status.PARTIALLY_PAID
    page = collector_web.get(response["Location"]).content.decode()
    assert receipt.receipt_number in page
    assert f"/collection/receipts/{receipt.pk}/receipt.pdf" in page
    assert f"/collection/receipts/{receipt.pk}/mini/" in page
    assert "Receipt SMS sent to the payer's mobile ******0001." in page


def test_an_amount_above_the_total_is_kept_as_advance(collector_web, masters):
    raise_demand(heads={"10101": "240"})

    collect(collector_web, bill_of(), "300")

    assert PaymentDetail.objects.get().allocations.get(is_advance=True).amount == Decimal("60.00")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "The amount must be more than zero."),
        ("-5", "Enter the amount in whole rupees, digits only."),
        ("10.555", "Enter the amount in whole rupees, digits only."),
        ("10.50", "Enter the amount in whole rupees, digits only."),
        ("abc", "Enter the amount in whole rupees, digits only."),
        ("", "This field is required."),
    ],
)
def test_a_bad_amount_is_refused_on_the_amount_field_and_nothing_is_written(collector_web, masters, amount, message):
    raise_demand()

    response = collect(collector_web, bill_of(), amount)

    assert response.status_code == 200
    assert errors(response) == [message]
    nothing_written()


def test_a_mode_the_service_does_not_take_is_refused(collector_web, masters):
    raise_demand()

    response = collect(collector_web, bill_of(), "100", payment_mode="CHEQUE", instrument_number="1")

    assert errors(response) == ["CHEQUE is not accepted for WS: choose one of the methods listed."]
    nothing_written()


def test_a_cheque_dated_100_days_ago_is_refused_on_the_instrument_date(collector_web, masters):
    raise_demand(service="PT", consumer="PT-1", heads={"PT_TAX": "900"}, period=financial_year(2026))
    old = (timezone.localdate() - timedelta(days=100)).isoformat()

    response = collect(
        collector_web, bill_of("PT-1", "PT"), "900", payment_mode="CHEQUE", instrument_number="123", instrument_date=old
    )

    assert errors(response) == ["A CHEQUE is valid for 90 days from its date"]
    assert 'data-field="instrument_date"' in response.content.decode()
    nothing_written()


def test_a_cheque_without_its_number_is_refused_on_that_field(collector_web, masters):
    raise_demand(service="PT", consumer="PT-1", heads={"PT_TAX": "900"}, period=financial_year(2026))

    response = collect(
        collector_web,
        bill_of("PT-1", "PT"),
        "900",
        payment_mode="CHEQUE",
        instrument_date=timezone.localdate().isoformat(),
    )

    assert errors(response) == ["Required for CHEQUE"]
    nothing_written()


def test_a_cheque_is_taken_with_its_instrument(collector_web, masters):
    raise_demand(service="PT", consumer="PT-1", heads={"PT_TAX": "900"}, period=financial_year(2026))
    day = timezone.localdate() - timedelta(days=3)

    collect(
        collector_web,
        bill_of("PT-1", "PT"),
        "500",
        payment_mode="CHEQUE",
        instrument_number="004512",
        instrument_date=day.isoformat(),
        ifsc_code="sbin0001234",
    )

    payment = Payment.objects.get()
    assert (payment.payment_mode, payment.instrument_number, payment.ifsc_code) == ("CHEQUE", "004512", "SBIN0001234")
    assert timezone.localtime(payment.instrument_date).date() == day


@pytest.mark.parametrize(
    ("service", "consumer", "heads", "amount", "message"),
    [
        ("BPA", "BPA-1", {"BPA_PERMIT_FEE": "598"}, "500", "Partial payment is not allowed: pay 598.00"),
        ("BPA", "BPA-1", {"BPA_PERMIT_FEE": "598"}, "600", "Advance payment is not allowed: at most 598.00"),
        ("PT", "PT-1", {"PT_TAX": "900"}, "50", "At least 100.00 must be paid"),
    ],
)
def test_the_services_rules_are_payment_creates_and_shown_on_the_amount(
    collector_web, masters, service, consumer, heads, amount, message
):
    raise_demand(service=service, consumer=consumer, heads=heads, period=financial_year(2026))

    response = collect(collector_web, bill_of(consumer, service), amount)

    assert errors(response) == [message]
    nothing_written()


def test_an_unknown_bill_is_not_found_and_nothing_is_written(collector_web, masters):
    response = collector_web.post(
        "/collection/collect/bills/00000000-0000-0000-0000-000000000000/",
        {"amount": "100", "payment_mode": "CASH", "paid_by": "Gurpreet Kaur"},
    )

    assert response.status_code == 404
    nothing_written()


def test_another_citys_bill_is_not_found_and_nothing_is_written(collector_web, masters):
    raise_demand(tenant="pb.jalandhar", consumer="WS-JAL")
    other = bill_of("WS-JAL", tenant="pb.jalandhar")

    assert collector_web.get(bill_url(other)).status_code == 404
    assert collect(collector_web, other, "100").status_code == 404
    nothing_written()
    assert Bill.objects.get(pk=other.pk).status == Bill.Status.ACTIVE


def test_a_paid_bill_shows_its_receipt_and_no_form(collector_web, masters):
    raise_demand(heads={"10101": "240"})
    bill = bill_of()
    collect(collector_web, bill, "240")

    page = collector_web.get(bill_url(bill)).content.decode()

    assert PaymentDetail.objects.get().receipt_number in page
    assert 'id="collect-form"' not in page
    assert collect(collector_web, bill, "240").status_code == 200
    assert Payment.objects.count() == 1


def test_a_payer_name_the_receipt_cannot_carry_is_refused(collector_web, masters):
    raise_demand()

    response = collect(collector_web, bill_of(), "100", paid_by="Robert'); DROP TABLE--")

    assert errors(response) == ["Use letters, spaces and . - ' only.".replace("'", "&#x27;")]
    nothing_written()
