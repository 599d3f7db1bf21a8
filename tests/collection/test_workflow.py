from decimal import Decimal

from billing.models import Bill, DemandDetail
from collection.models import InstrumentStatus, Payment, PaymentStatus
from ledger.models import Voucher
from tests.billing.factories import financial_year, raise_demand
from tests.collection.assertions import assert_ledger_balances
from tests.collection.conftest import SEARCH_URL
from tests.collection.factories import bill_of, cheque, payment_body


def paid(pay, bill, amount, **extra) -> Payment:
    response = pay({**payment_body(bill, amount, **extra)})
    assert response.status_code == 200, response.content
    return Payment.objects.get(pk=response.json()["Payments"][0]["id"])


def pt_bill(amount="500"):
    raise_demand(service="PT", consumer="PT-1", heads={"PT_TAX": amount}, period=financial_year(2026))
    return bill_of(consumer="PT-1", service="PT")


def test_cancelling_a_receipt_gives_the_dues_back_reverses_the_voucher_and_the_bill_is_payable_again(
    masters, pay, workflow, digit_post, approver_token
):
    # given a bill of 240 paid 100 in cash
    raise_demand(heads={"10101": "240"})
    bill = bill_of()
    payment = paid(pay, bill, 100)

    # when an approver cancels the receipt with a reason
    response = workflow("CANCEL", [payment.pk], reason="wrong consumer")

    # then the receipt is CANCELLED with the reason, the dues are back, the voucher is reversed
    assert response.status_code == 200, response.content
    found = digit_post(SEARCH_URL, approver_token, {"tenantId": "pb.amritsar", "ids": payment.pk}).json()["Payments"]
    assert (found[0]["paymentStatus"], found[0]["instrumentStatus"]) == ("CANCELLED", "CANCELLED")
    copy = found[0]["paymentDetails"][0]["bill"]
    assert (copy["isCancelled"], copy["reasonForCancellation"], copy["status"]) == (
        True,
        "wrong consumer",
        "PAYMENT_CANCELLED",
    )
    assert DemandDetail.objects.get().collection_amount == Decimal("0.00")
    assert Voucher.objects.filter(reversal_of=payment.details.get().voucher).exists()
    assert_ledger_balances()

    # and a new bill for the whole 240 can be paid
    again = bill_of()
    assert (again.pk != bill.pk, again.total_amount) == (True, Decimal("240.00"))
    assert pay(payment_body(again, 240)).status_code == 200
    assert DemandDetail.objects.get().collection_amount == Decimal("240.00")
    assert_ledger_balances()


def test_cancelling_an_overpayment_takes_its_advance_back(masters, pay, workflow):
    # given a bill of 240 paid 300 (60 advance)
    raise_demand(heads={"10101": "240"})
    payment = paid(pay, bill_of(), 300)

    # when the receipt is cancelled
    response = workflow("CANCEL", [payment.pk], reason="paid twice")

    # then neither the charge nor the advance holds anything
    assert response.status_code == 200, response.content
    charges = DemandDetail.objects.get(tax_head__code="10101")
    advance = DemandDetail.objects.get(tax_head__code="WS_ADVANCE_CARRYFORWARD")
    assert charges.collection_amount == Decimal("0.00")
    assert (advance.tax_amount, advance.collection_amount) == (Decimal("0.00"), Decimal("0.00"))
    assert_ledger_balances()


def test_cancelling_needs_a_reason(masters, pay, workflow):
    # given a paid receipt
    raise_demand()
    payment = paid(pay, bill_of(), 100)

    # when it is cancelled without a reason
    response = workflow("CANCEL", [payment.pk], reason=" ")

    # then it is refused and nothing changes
    assert response.status_code == 400, response.content
    assert response.json()["Errors"][0]["code"] == "INVALID_REASON"
    payment.refresh_from_db()
    assert payment.instrument_status == InstrumentStatus.APPROVED
    assert DemandDetail.objects.get().collection_amount == Decimal("100.00")


def test_a_remitted_receipt_cannot_be_cancelled(masters, pay, workflow):
    # given an online property tax payment (deposited and remitted at once)
    bill = pt_bill()
    payment = paid(pay, bill, 500, mode="ONLINE", transactionNumber="PG-1", instrumentNumber="PG-1")

    # when it is cancelled
    response = workflow("CANCEL", [payment.pk], reason="refund", module="PT")

    # then it is refused: cancelling is for before remittance
    assert response.status_code == 400, response.content
    assert "before remittance" in response.json()["Errors"][0]["message"]
    assert DemandDetail.objects.get().collection_amount == Decimal("500.00")


def test_only_the_consumers_latest_receipt_is_cancelled(masters, pay, workflow):
    # given two partial receipts, one after the other
    raise_demand(heads={"10101": "240"})
    older = paid(pay, bill_of(), 100)
    paid(pay, bill_of(), 50)

    # when the older one is cancelled
    response = workflow("CANCEL", [older.pk], reason="mistake")

    # then it is refused: the newer one must go first
    assert response.status_code == 400, response.content
    assert response.json()["Errors"][0]["code"] == "RECEIPT_WORKFLOW_ACTION_NOT_APPLICABLE"
    assert DemandDetail.objects.get().collection_amount == Decimal("150.00")


def test_a_dishonoured_cheque_gives_the_dues_back(masters, pay, workflow):
    # given a property tax cheque, approved
    payment = paid(pay, pt_bill(), 500, mode="CHEQUE", **cheque())
    assert workflow("APPROVE", [payment.pk], module="PT").status_code == 200

    # when the cheque bounces
    response = workflow("DISHONOUR", [payment.pk], reason="insufficient funds", module="PT")

    # then the receipt is DISHONOURED and the tax is due again
    assert response.status_code == 200, response.content
    payment.refresh_from_db()
    assert (payment.payment_status, payment.instrument_status) == ("DISHONOURED", "DISHONOURED")
    assert DemandDetail.objects.get().collection_amount == Decimal("0.00")
    assert_ledger_balances()


def test_cash_cannot_be_dishonoured(masters, pay, workflow):
    # given a cash receipt
    raise_demand()
    payment = paid(pay, bill_of(), 100)

    # when it is dishonoured
    response = workflow("DISHONOUR", [payment.pk], reason="bounced")

    # then it is refused
    assert response.status_code == 400, response.content
    assert "cheque or demand draft" in response.json()["Errors"][0]["message"]


def test_approving_a_pending_receipt_keeps_its_money_and_rejecting_gives_it_back(masters, pay, workflow):
    # given two property tax receipts pending approval, for two consumers
    first = paid(pay, pt_bill(), 500, mode="CHEQUE", **cheque())
    raise_demand(service="PT", consumer="PT-2", heads={"PT_TAX": "300"}, period=financial_year(2026))
    second = paid(pay, bill_of(consumer="PT-2", service="PT"), 300, mode="CHEQUE", **cheque(number="000124"))

    # when the approver approves the first and rejects the second
    approved = workflow("APPROVE", [first.pk], module="PT")
    rejected = workflow("REJECT", [second.pk], reason="unsigned cheque", module="PT")

    # then the first counts, the second is REJECTED and its tax is due again
    assert (approved.status_code, rejected.status_code) == (200, 200), rejected.content
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.instrument_status == InstrumentStatus.APPROVED
    assert (second.instrument_status, second.payment_status) == (InstrumentStatus.REJECTED, PaymentStatus.CANCELLED)
    collected = dict(DemandDetail.objects.values_list("demand__consumer_code", "collection_amount"))
    assert collected == {"PT-1": Decimal("500.00"), "PT-2": Decimal("0.00")}
    assert_ledger_balances()


def test_a_collector_cannot_cancel(masters, pay, workflow, collector_token):
    # given a receipt
    raise_demand()
    payment = paid(pay, bill_of(), 100)

    # when the collector who took it tries to cancel it
    response = workflow("CANCEL", [payment.pk], reason="mistake", token=collector_token)

    # then the collector is refused
    assert response.status_code == 403, response.content
    assert Bill.objects.filter(status=Bill.Status.PAYMENT_CANCELLED).count() == 0


def test_a_payment_of_another_module_is_not_found(masters, pay, workflow):
    # given a water receipt
    raise_demand()
    payment = paid(pay, bill_of(), 100)

    # when it is cancelled through the property tax module
    response = workflow("CANCEL", [payment.pk], reason="mistake", module="PT")

    # then it is not found there
    assert response.status_code == 404, response.content


def test_an_unknown_payment_is_not_found(masters, workflow):
    # given no payments; when one is cancelled
    response = workflow("CANCEL", ["00000000-0000-4000-8000-000000000000"], reason="mistake")

    # then it is not found
    assert response.status_code == 404, response.content
    assert response.json()["Errors"][0]["code"] == "INVALID_PAYMENT_ID"


def test_one_request_takes_one_action(masters, pay, digit_post, approver_token):
    # given two receipts
    raise_demand(consumer="WS-1")
    raise_demand(consumer="WS-2")
    one, two = paid(pay, bill_of(consumer="WS-1"), 100), paid(pay, bill_of(consumer="WS-2"), 100)

    # when one request approves one and cancels the other
    items = [
        {"paymentId": str(one.pk), "action": "APPROVE", "tenantId": "pb.amritsar"},
        {"paymentId": str(two.pk), "action": "CANCEL", "tenantId": "pb.amritsar", "reason": "mistake"},
    ]
    response = digit_post(
        "/collection-services/payments/WS/_workflow", approver_token, body={"PaymentWorkflows": items}
    )

    # then the request is refused and both receipts stand
    assert response.status_code == 400, response.content
    assert set(Payment.objects.values_list("instrument_status", flat=True)) == {InstrumentStatus.APPROVED}
