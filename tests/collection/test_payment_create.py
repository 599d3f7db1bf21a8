from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from freezegun import freeze_time

from billing.models import Bill, DemandDetail
from collection.models import InstrumentStatus, Payment, PaymentDetail
from collection.services.receipts import RECEIPT_SOURCE_TYPE
from core.models import AuditEvent, IdempotencyRecord, Role
from ledger.models import Voucher
from ledger.selectors import vouchers_for_source
from notifications.models import SmsMessage
from tests.billing.factories import financial_year, month, raise_demand
from tests.collection.assertions import assert_ledger_balances
from tests.collection.conftest import BILL_SEARCH_URL, FETCH_URL, SEARCH_URL, VALIDATE_URL
from tests.collection.factories import bill_of, cheque, payment_body


def collections(consumer="WS-1") -> dict[str, Decimal]:
    rows = DemandDetail.objects.filter(demand__consumer_code=consumer).select_related("tax_head", "demand")
    return {f"{row.demand.tax_period_to:%m}:{row.tax_head.code}": row.collection_amount for row in rows}


def nothing_written() -> None:
    assert Payment.objects.count() == 0
    assert PaymentDetail.objects.count() == 0
    assert Voucher.objects.count() == 0
    assert not DemandDetail.objects.exclude(collection_amount=0).exists()
    assert not Bill.objects.exclude(status=Bill.Status.ACTIVE).exists()
    assert SmsMessage.objects.count() == 0


def test_the_digit_integrator_flow_pays_a_bill_in_two_parts(masters, make_employee, token_for, digit_post):
    # given an integrator and a consumer owing 240 in water charges
    token = token_for(make_employee(Role.INTEGRATOR, "pb.amritsar"))
    raise_demand(heads={"10101": "200", "WS_WATER_CESS": "40"})
    criteria = {"tenantId": "pb.amritsar", "consumerCode": "WS-1", "businessService": "WS"}

    # when the integrator fetches the bill and pays 100 of it
    bill = digit_post(FETCH_URL, token, criteria).json()["Bill"][0]
    first = digit_post(
        "/collection-services/payments/_create",
        token,
        body={
            "Payment": {
                "tenantId": "pb.amritsar",
                "totalDue": bill["totalAmount"],
                "totalAmountPaid": 100,
                "paymentMode": "CASH",
                "paidBy": "Gurpreet Kaur",
                "mobileNumber": "9876500001",
                "paymentDetails": [
                    {"billId": bill["id"], "businessService": "WS", "totalDue": 240, "totalAmountPaid": 100}
                ],
            }
        },
    )

    # then a receipt is made, the bill is PARTIALLY_PAID and the next fetch is a new bill for the rest
    assert first.status_code == 200, first.content
    [payment] = first.json()["Payments"]
    assert payment["paymentStatus"] == "NEW" and payment["instrumentStatus"] == "APPROVED"
    assert payment["paymentDetails"][0]["receiptNumber"].startswith("WS/")
    paid_bill = digit_post(BILL_SEARCH_URL, token, {"tenantId": "pb.amritsar", "billId": bill["id"]}).json()["Bill"]
    assert paid_bill[0]["status"] == "PARTIALLY_PAID"
    again = digit_post(FETCH_URL, token, criteria).json()["Bill"][0]
    assert again["id"] != bill["id"]
    assert again["totalAmount"] == 140
    assert_ledger_balances()

    # when the rest is paid on the new bill
    second = digit_post(
        "/collection-services/payments/_create",
        token,
        body={
            "Payment": {
                "tenantId": "pb.amritsar",
                "totalAmountPaid": 140,
                "paymentMode": "CASH",
                "paidBy": "Gurpreet Kaur",
                "paymentDetails": [{"billId": again["id"], "totalAmountPaid": 140}],
            }
        },
    )

    # then that bill is PAID and the search finds both receipts
    assert second.status_code == 200, second.content
    assert Bill.objects.get(pk=again["id"]).status == Bill.Status.PAID
    found = digit_post(SEARCH_URL, token, {"tenantId": "pb.amritsar", "consumerCodes": "WS-1"}).json()["Payments"]
    receipts = {detail["receiptNumber"] for payment in found for detail in payment["paymentDetails"]}
    assert receipts == {
        first.json()["Payments"][0]["paymentDetails"][0]["receiptNumber"],
        second.json()["Payments"][0]["paymentDetails"][0]["receiptNumber"],
    }
    assert collections() == {"10:10101": Decimal("200.00"), "10:WS_WATER_CESS": Decimal("40.00")}
    assert_ledger_balances()


def test_a_partial_payment_goes_to_the_oldest_period_first_then_by_head_order(masters, pay):
    # given September and October dues of two heads each
    raise_demand(period=month(2026, 9), heads={"10101": "100", "WS_WATER_CESS": "20"})
    raise_demand(period=month(2026, 10), heads={"10101": "100", "WS_WATER_CESS": "20"})

    # when 150 is paid
    response = pay(payment_body(bill_of(), 150))

    # then September is paid in full, then October's first head takes the rest
    assert response.status_code == 200, response.content
    assert collections() == {
        "09:10101": Decimal("100.00"),
        "09:WS_WATER_CESS": Decimal("20.00"),
        "10:10101": Decimal("30.00"),
        "10:WS_WATER_CESS": Decimal("0.00"),
    }
    assert_ledger_balances()


def test_an_overpayment_becomes_the_services_advance_as_a_negative_tax(masters, pay):
    # given a water bill of 240, where advances are allowed
    raise_demand(heads={"10101": "240"})
    bill = bill_of()

    # when 300 is paid
    response = pay(payment_body(bill, 300))

    # then the bill is PAID and 60 sits on the advance head, credited to the advance GL code
    assert response.status_code == 200, response.content
    bill.refresh_from_db()
    assert bill.status == Bill.Status.PAID
    advance = DemandDetail.objects.get(tax_head__code="WS_ADVANCE_CARRYFORWARD")
    assert (advance.tax_amount, advance.collection_amount) == (Decimal("-60.00"), Decimal("0.00"))
    receipt = PaymentDetail.objects.get()
    lines = {(line.gl_code.code, line.debit, line.credit) for line in receipt.voucher.lines.all()}
    assert lines == {
        ("4502101", Decimal("300.00"), Decimal("0.00")),
        ("1401001", Decimal("0.00"), Decimal("240.00")),
        ("3504001", Decimal("0.00"), Decimal("60.00")),
    }
    assert_ledger_balances()


def test_a_rebate_is_taken_first_and_debited_in_the_receipt_voucher(masters, pay):
    # given 240 of charges less a 40 rebate
    raise_demand(heads={"10101": "240", "WS_TIME_REBATE": "-40"})
    bill = bill_of()

    # when the 200 due is paid
    response = pay(payment_body(bill, 200))

    # then the rebate is used up and the charges collected in full, and the voucher balances
    assert response.status_code == 200, response.content
    assert collections() == {"10:10101": Decimal("240.00"), "10:WS_TIME_REBATE": Decimal("-40.00")}
    [voucher] = vouchers_for_source(source_type=RECEIPT_SOURCE_TYPE, source_id=PaymentDetail.objects.get().pk)
    lines = {(line.gl_code.code, line.debit, line.credit) for line in voucher.lines.all()}
    assert lines == {
        ("4502101", Decimal("200.00"), Decimal("0.00")),
        ("2801001", Decimal("40.00"), Decimal("0.00")),
        ("1401001", Decimal("0.00"), Decimal("240.00")),
    }
    assert_ledger_balances()


def test_a_payment_is_audited_and_the_bill_copy_shows_what_each_head_took(masters, pay):
    # given a bill of two heads
    raise_demand(heads={"10101": "200", "WS_WATER_CESS": "40"})

    # when 220 is paid
    [payment] = pay(payment_body(bill_of(), 220)).json()["Payments"]

    # then the receipt's bill copy carries the adjusted amounts, and the payment and receipt are audited
    accounts = payment["paymentDetails"][0]["bill"]["billDetails"][0]["billAccountDetails"]
    assert {account["taxHeadCode"]: account["adjustedAmount"] for account in accounts} == {
        "10101": 200,
        "WS_WATER_CESS": 20,
    }
    assert payment["paymentDetails"][0]["bill"]["amountPaid"] == 220
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"PAYMENT_CREATE", "RECEIPT_CREATE", "BILL_PARTIALLY_PAID"} <= actions


@pytest.mark.parametrize(
    ("amount", "message"),
    [("0", "more than zero"), ("-5", "negative"), ("10.555", "two decimal places"), ("abc", "not a number")],
)
def test_a_bad_amount_is_refused_naming_the_field_and_nothing_is_written(masters, pay, amount, message):
    # given a bill
    raise_demand()

    # when it is paid with a bad amount
    response = pay(payment_body(bill_of(), amount))

    # then the answer is a 400 naming the amount, and nothing is written
    assert response.status_code == 400, response.content
    errors = response.json()["Errors"]
    assert any("totalAmountPaid" in error["message"] and message in error["message"] for error in errors), errors
    nothing_written()


@pytest.mark.parametrize(
    ("service", "consumer", "heads", "change", "code"),
    [
        ("WS", "WS-1", {"10101": "240"}, {"paymentMode": "CHEQUE", **cheque()}, "INVALID_PAYMENTDETAIL"),
        (
            "PT",
            "PT-1",
            {"PT_TAX": "500"},
            {"paymentMode": "CHEQUE", **cheque(days_ago=100)},
            "CHEQUE_DD_DATE_WITH_IN_90_DAYS",
        ),
        ("PT", "PT-1", {"PT_TAX": "500"}, {"paymentMode": "CHEQUE", **cheque(days_ago=-3)}, "CHEQUE_DD_DATE_IN_FUTURE"),
        ("PT", "PT-1", {"PT_TAX": "500"}, {"paymentMode": "DD", "instrumentNumber": ""}, "INVALID_INST_NUMBER"),
        ("PT", "PT-1", {"PT_TAX": "500"}, {"paymentMode": "ONLINE"}, "INVALID_TXN_NUMBER"),
        ("WS", "WS-1", {"10101": "240"}, {"totalAmountPaid": "100"}, "INVALID_PAYMENT"),
    ],
    ids=["mode-not-allowed", "cheque-100-days-old", "post-dated-cheque", "dd-without-number", "online-no-txn", "total"],
)
def test_a_payment_breaking_a_rule_is_refused_and_nothing_is_written(
    masters, pay, service, consumer, heads, change, code
):
    # given a bill of 240 or 500
    period = month(2026, 10) if service == "WS" else financial_year(2026)
    raise_demand(service=service, consumer=consumer, heads=heads, period=period)
    bill = bill_of(consumer=consumer, service=service)

    # when it is paid in full, breaking one rule
    response = pay({**payment_body(bill, bill.total_amount), **change})

    # then the refusal names the rule, and nothing is written
    assert response.status_code == 400, response.content
    assert response.json()["Errors"][0]["code"] == code
    nothing_written()


@pytest.mark.parametrize(
    ("service", "consumer", "amount", "message"),
    [
        ("BPA", "BPA-1", "100", "partial payment is not allowed"),
        ("BPA", "BPA-1", "700", "advance payment is not allowed"),
        ("PT", "PT-1", "50", "at least 100"),
        ("WS", "WS-1", "10.50", "whole rupees"),
    ],
)
def test_an_amount_the_service_does_not_take_is_refused(masters, pay, service, consumer, amount, message):
    # given a bill of 598 (BPA: no partial, no advance), 500 (PT: at least 100) or 240 (WS: whole rupees)
    heads = {"BPA": {"BPA_PERMIT_FEE": "598"}, "PT": {"PT_TAX": "500"}, "WS": {"10101": "240"}}[service]
    period = month(2026, 10) if service == "WS" else financial_year(2026)
    raise_demand(service=service, consumer=consumer, heads=heads, period=period)

    # when the amount is paid
    response = pay(payment_body(bill_of(consumer=consumer, service=service), amount))

    # then it is refused, saying why
    assert response.status_code == 400, response.content
    assert message in response.json()["Errors"][0]["message"]
    nothing_written()


def test_an_unknown_bill_is_not_found(masters, pay):
    # given a bill
    raise_demand()
    body = payment_body(bill_of(), 240)

    # when a payment names a bill that does not exist
    body["paymentDetails"][0]["billId"] = "00000000-0000-4000-8000-000000000000"
    response = pay(body)

    # then it is not found
    assert response.status_code == 404, response.content
    assert response.json()["Errors"][0]["code"] == "INVALID_BILL_ID"
    nothing_written()


def test_another_citys_bill_is_not_found(masters, pay):
    # given a bill in Angul
    raise_demand(tenant="od.angul")
    bill = bill_of(tenant="od.angul")

    # when an Amritsar collector pays it as an Amritsar payment
    response = pay({**payment_body(bill, 240), "tenantId": "pb.amritsar"})

    # then it is not found there
    assert response.status_code == 404, response.content
    nothing_written()


def test_a_collector_cannot_take_payments_in_another_city(masters, pay):
    # given a bill in Angul
    raise_demand(tenant="od.angul")

    # when an Amritsar collector pays it as an Angul payment
    response = pay(payment_body(bill_of(tenant="od.angul"), 240))

    # then the caller is refused
    assert response.status_code == 403, response.content
    nothing_written()


def test_an_expired_bill_is_refused(masters, pay):
    # given a water bill, valid to the end of tomorrow
    raise_demand()
    bill = bill_of()

    # when it is paid three days later
    with freeze_time(timezone.now() + timedelta(days=3)):
        response = pay(payment_body(bill, 240))

    # then it has expired
    assert response.status_code == 400, response.content
    assert response.json()["Errors"][0]["code"] == "BILL_EXPIRED"
    nothing_written()


def test_a_bill_is_paid_once(masters, pay):
    # given a bill partly paid
    raise_demand()
    bill = bill_of()
    assert pay(payment_body(bill, 100)).status_code == 200

    # when the same bill is paid again
    response = pay(payment_body(bill, 100))

    # then the second payment is refused and the demand holds the first only
    assert response.status_code == 400, response.content
    assert response.json()["Errors"][0]["code"] == "BILL_ALREADY_PAID"
    assert collections() == {"10:10101": Decimal("100.00")}
    assert Payment.objects.count() == 1


def test_a_repeat_with_the_same_idempotency_key_answers_the_first_receipt(masters, pay):
    # given a bill
    raise_demand()
    body = payment_body(bill_of(), 100)

    # when the same payment is sent twice with one Idempotency-Key
    first = pay(body, headers={"Idempotency-Key": "pay-1"})
    second = pay(body, headers={"Idempotency-Key": "pay-1"})

    # then both answers are the first receipt, taken once
    assert (first.status_code, second.status_code) == (200, 200), second.content
    assert second.json()["Payments"] == first.json()["Payments"]
    assert PaymentDetail.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
    assert SmsMessage.objects.count() == 1
    assert collections() == {"10:10101": Decimal("100.00")}


def test_an_online_payment_sent_again_with_its_transaction_number_answers_the_first(masters, pay):
    # given a property tax bill
    raise_demand(service="PT", consumer="PT-1", heads={"PT_TAX": "500"}, period=financial_year(2026))
    body = payment_body(
        bill_of(consumer="PT-1", service="PT"), 500, mode="ONLINE", transactionNumber="PG-77", instrumentNumber="PG-77"
    )

    # when the gateway's payment arrives twice
    first = pay(body)
    second = pay(body)

    # then one payment, deposited and remitted, answers both
    assert (first.status_code, second.status_code) == (200, 200), second.content
    assert second.json()["Payments"][0]["id"] == first.json()["Payments"][0]["id"]
    assert first.json()["Payments"][0]["instrumentStatus"] == "REMITTED"
    assert first.json()["Payments"][0]["paymentStatus"] == "DEPOSITED"
    assert Payment.objects.count() == 1


def test_a_cheque_for_a_service_with_approval_waits_for_approval(masters, pay):
    # given a property tax bill (receipts need approval)
    raise_demand(service="PT", consumer="PT-1", heads={"PT_TAX": "500"}, period=financial_year(2026))

    # when it is paid by cheque
    response = pay({**payment_body(bill_of(consumer="PT-1", service="PT"), 500, mode="CHEQUE"), **cheque()})

    # then the receipt is pending approval and booked to cheques in hand
    assert response.status_code == 200, response.content
    assert Payment.objects.get().instrument_status == InstrumentStatus.APPROVAL_PENDING
    assert {line.gl_code.code for line in PaymentDetail.objects.get().voucher.lines.all()} == {"4502201", "1100101"}
    assert_ledger_balances()


def test_validate_answers_the_payment_and_writes_nothing(masters, digit_post, collector_token):
    # given a bill
    raise_demand()

    # when a payment is validated, then one with a bad amount
    good = digit_post(VALIDATE_URL, collector_token, body={"Payment": payment_body(bill_of(), 240)})
    bad = digit_post(VALIDATE_URL, collector_token, body={"Payment": payment_body(bill_of(), 240, mode="CHEQUE")})

    # then the first passes, the second is refused, and nothing is written
    assert good.status_code == 200, good.content
    assert good.json()["Payments"][0]["totalAmountPaid"] == "240"
    assert bad.status_code == 400
    nothing_written()


@pytest.mark.parametrize(
    ("consumer", "change", "status", "field"),
    [
        ("WS-1", {"totalAmountPaid": "0"}, 400, "totalAmountPaid"),
        ("WS-1", {"totalAmountPaid": "-5"}, 400, "totalAmountPaid"),
        ("WS-1", {"totalAmountPaid": "10.555"}, 400, "totalAmountPaid"),
        ("WS-1", {"totalAmountPaid": "abc"}, 400, "totalAmountPaid"),
        ("WS-1", {"paymentMode": "CHEQUE", **cheque()}, 400, "Payment.paymentMode"),
        ("PT-1", {"paymentMode": "CHEQUE", **cheque(days_ago=100)}, 400, "Payment.instrumentDate"),
        ("WS-1", {"billId": "00000000-0000-4000-8000-000000000000"}, 404, "Payment.paymentDetails[0].billId"),
        ("OTHER-CITY", {}, 404, "Payment.paymentDetails[0].billId"),
    ],
    ids=["zero", "negative", "three-decimals", "not-a-number", "mode", "old-cheque", "unknown-bill", "other-city"],
)
def test_validate_refuses_what_create_refuses_naming_the_field(
    masters, digit_post, collector_token, consumer, change, status, field
):
    # given a water bill and a property tax bill in Amritsar, and a water bill in Angul
    raise_demand()
    raise_demand(service="PT", consumer="PT-1", heads={"PT_TAX": "500"}, period=financial_year(2026))
    raise_demand(tenant="od.angul")
    bill = bill_of(tenant="od.angul") if consumer == "OTHER-CITY" else bill_of(consumer, consumer.split("-")[0])
    body = {**payment_body(bill, bill.total_amount), "tenantId": "pb.amritsar"}
    # an amount is the detail's and the payment's total; a bill is the detail's; the rest is the payment's
    body["paymentDetails"][0].update({key: change[key] for key in ("billId", "totalAmountPaid") if key in change})
    body.update({key: value for key, value in change.items() if key != "billId"})

    # when the payment is validated
    response = digit_post(VALIDATE_URL, collector_token, body={"Payment": body})

    # then it is refused naming the field, and nothing is written
    assert response.status_code == status, response.content
    errors = response.json()["Errors"]
    assert any(field in error["message"] for error in errors), errors
    nothing_written()


def test_module_search_finds_that_services_payments_for_an_approver_only_in_its_city(
    masters, pay, digit_post, approver_token, make_employee, token_for
):
    # given a water and a property tax payment
    raise_demand()
    raise_demand(service="PT", consumer="PT-1", heads={"PT_TAX": "500"}, period=financial_year(2026))
    pay(payment_body(bill_of(), 240))
    pay(payment_body(bill_of(consumer="PT-1", service="PT"), 500))

    # when an approver searches the WS module, and a billing administrator tries to
    found = digit_post("/collection-services/payments/WS/_search", approver_token, {"tenantId": "pb.amritsar"})
    billing = token_for(make_employee(Role.BILLING_ADMIN, "pb.amritsar"))
    refused = digit_post("/collection-services/payments/WS/_search", billing, {"tenantId": "pb.amritsar"})

    # then only the water payment is found, and the billing administrator is refused
    assert found.status_code == 200, found.content
    assert [p["paymentDetails"][0]["businessService"] for p in found.json()["Payments"]] == ["WS"]
    assert refused.status_code == 403


def test_a_receipt_queues_the_payers_receipt_sms_once(masters, pay):
    # given a water bill
    raise_demand(heads={"10101": "240"})

    # when 100 is paid by a payer with a mobile number
    [payment] = pay(payment_body(bill_of(), 100)).json()["Payments"]

    # then one receipt SMS is queued to that number, naming the receipt and the amount
    receipt_number = payment["paymentDetails"][0]["receiptNumber"]
    [sms] = SmsMessage.objects.all()
    assert sms.template.code == "COLLECTION_RECEIPT"
    assert sms.to.endswith("9876500001")
    assert receipt_number in sms.text and "Rs. 100.00" in sms.text
    assert sms.event_key == f"collection:receipt:pb.amritsar:{receipt_number}"


def test_one_payment_over_two_bills_makes_a_receipt_for_each(masters, pay):
    # given two consumers' water bills
    raise_demand(consumer="WS-1", heads={"10101": "240"})
    raise_demand(consumer="WS-2", heads={"10101": "100"})
    first, second = bill_of(consumer="WS-1"), bill_of(consumer="WS-2")
    body = payment_body(first, 240)
    body["paymentDetails"] += payment_body(second, 100)["paymentDetails"]
    body["totalAmountPaid"] = "340"

    # when one payment pays both
    response = pay(body)

    # then it carries two receipts, each bill is PAID and each demand holds its own amount
    assert response.status_code == 200, response.content
    [payment] = response.json()["Payments"]
    assert payment["totalDue"] == 340
    assert len({detail["receiptNumber"] for detail in payment["paymentDetails"]}) == 2
    assert set(Bill.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {"PAID"}
    assert collections("WS-1") == {"10:10101": Decimal("240.00")}
    assert collections("WS-2") == {"10:10101": Decimal("100.00")}
    assert_ledger_balances()


def test_a_bill_named_twice_in_one_payment_is_refused(masters, pay):
    # given a bill
    raise_demand()
    body = payment_body(bill_of(), 100)

    # when one payment names it twice
    body["paymentDetails"] *= 2
    body["totalAmountPaid"] = "200"
    response = pay(body)

    # then it is refused
    assert response.status_code == 400, response.content
    assert response.json()["Errors"][0]["code"] == "DUPLICATE_BILLID"
    nothing_written()
