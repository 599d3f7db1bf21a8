from decimal import Decimal

from billing.models import DemandDetail
from collection.models import InstrumentStatus, Payment, PaymentStatus, Remittance
from ledger.selectors import gl_balance
from tests.billing.factories import financial_year, raise_demand
from tests.collection.assertions import assert_ledger_balances
from tests.collection.factories import bill_of, cheque, payment_body

REMIT_URL = "/collection-services/remittances/_create"
REMIT_SEARCH_URL = "/collection-services/remittances/_search"


def paid(pay, bill, amount, **extra) -> Payment:
    response = pay(payment_body(bill, amount, **extra))
    assert response.status_code == 200, response.content
    return Payment.objects.get(pk=response.json()["Payments"][0]["id"])


def receipt_of(payment: Payment) -> str:
    return payment.details.get().receipt_number


def approved_cheque(pay, workflow, consumer="PT-1", amount="500", number="000123") -> Payment:
    raise_demand(service="PT", consumer=consumer, heads={"PT_TAX": amount}, period=financial_year(2026))
    payment = paid(pay, bill_of(consumer=consumer, service="PT"), amount, mode="CHEQUE", **cheque(number=number))
    assert workflow("APPROVE", [payment.pk], module="PT").status_code == 200
    return payment


def remit(digit_post, token, **remittance):
    body = {"tenantId": "pb.amritsar", "bankAccount": "SBIN000123456", **remittance}
    return digit_post(REMIT_URL, token, body={"Remittance": body})


def test_remitting_cash_and_a_cheque_moves_them_to_the_bank_and_touches_no_dues(
    masters, pay, workflow, digit_post, approver_token
):
    # given a cash receipt of 240 and an approved cheque receipt of 500
    raise_demand(heads={"10101": "240"})
    cash = paid(pay, bill_of(), 240)
    check = approved_cheque(pay, workflow)

    # when the approver remits both
    response = remit(
        digit_post, approver_token, remittanceReceipts=[{"receipt": receipt_of(cash)}, {"receipt": receipt_of(check)}]
    )

    # then both are REMITTED and DEPOSITED, and the contra voucher moves 740 from cash and cheques to the bank
    assert response.status_code == 200, response.content
    [remittance] = response.json()["Remittance"]
    assert remittance["referenceNumber"].startswith("REM/")
    assert remittance["totalAmount"] == 740
    for payment in (cash, check):
        payment.refresh_from_db()
        assert (payment.instrument_status, payment.payment_status) == ("REMITTED", "DEPOSITED")
    lines = {
        (line["chartOfAccount"], line["debitAmount"], line["creditAmount"]) for line in remittance["remittanceDetails"]
    }
    assert lines == {("4501001", 740, 0), ("4502101", 0, 240), ("4502201", 0, 500)}
    assert gl_balance(tenant_id="pb.amritsar", gl_code="4502101") == Decimal("0.00")
    assert gl_balance(tenant_id="pb.amritsar", gl_code="4501001") == Decimal("740.00")
    collected = sorted(DemandDetail.objects.values_list("collection_amount", flat=True))
    assert collected == [Decimal("240.00"), Decimal("500.00")]
    assert_ledger_balances()


def test_remitting_a_service_takes_only_its_approved_cash_and_cheques(
    masters, pay, workflow, digit_post, approver_token
):
    # given an approved cheque, a cheque pending approval and an online payment for property tax
    check = approved_cheque(pay, workflow)
    raise_demand(service="PT", consumer="PT-2", heads={"PT_TAX": "300"}, period=financial_year(2026))
    pending = paid(pay, bill_of(consumer="PT-2", service="PT"), 300, mode="CHEQUE", **cheque(number="000124"))
    raise_demand(service="PT", consumer="PT-3", heads={"PT_TAX": "200"}, period=financial_year(2026))
    paid(
        pay,
        bill_of(consumer="PT-3", service="PT"),
        200,
        mode="ONLINE",
        transactionNumber="PG-9",
        instrumentNumber="PG-9",
    )

    # when the approver remits the service
    response = remit(digit_post, approver_token, businessService="PT")

    # then only the approved cheque is remitted
    assert response.status_code == 200, response.content
    assert [r["receipt"] for r in response.json()["Remittance"][0]["remittanceReceipts"]] == [receipt_of(check)]
    pending.refresh_from_db()
    assert pending.instrument_status == InstrumentStatus.APPROVAL_PENDING


def test_a_remitted_receipt_cannot_be_cancelled_and_nothing_is_reversed(
    masters, pay, workflow, digit_post, approver_token
):
    # given a cash receipt, remitted
    raise_demand(heads={"10101": "240"})
    cash = paid(pay, bill_of(), 240)
    assert remit(digit_post, approver_token, remittanceReceipts=[{"receipt": receipt_of(cash)}]).status_code == 200

    # when it is cancelled
    response = workflow("CANCEL", [cash.pk], reason="mistake")

    # then it is refused and the receipt still holds the dues
    assert response.status_code == 400, response.content
    assert "before remittance" in response.json()["Errors"][0]["message"]
    cash.refresh_from_db()
    assert cash.instrument_status == InstrumentStatus.REMITTED
    assert DemandDetail.objects.get().collection_amount == Decimal("240.00")


def test_a_receipt_pending_approval_is_not_remitted_and_nothing_is_written(masters, pay, digit_post, approver_token):
    # given a cheque pending approval
    raise_demand(service="PT", consumer="PT-1", heads={"PT_TAX": "500"}, period=financial_year(2026))
    pending = paid(pay, bill_of(consumer="PT-1", service="PT"), 500, mode="CHEQUE", **cheque())

    # when it is remitted by number
    response = remit(digit_post, approver_token, remittanceReceipts=[{"receipt": receipt_of(pending)}])

    # then it is refused and no remittance exists
    assert response.status_code == 400, response.content
    assert response.json()["Errors"][0]["code"] == "RECEIPT_WORKFLOW_ACTION_NOT_APPLICABLE"
    assert Remittance.objects.count() == 0


def test_a_collector_cannot_remit(masters, pay, digit_post, collector_token):
    # given a cash receipt
    raise_demand()
    cash = paid(pay, bill_of(), 240)

    # when the collector remits it
    response = remit(digit_post, collector_token, remittanceReceipts=[{"receipt": receipt_of(cash)}])

    # then the collector is refused
    assert response.status_code == 403, response.content
    assert Remittance.objects.count() == 0


def test_a_remitted_cheque_that_bounces_leaves_neither_bank_nor_cheques_in_hand_holding_it(
    masters, pay, workflow, digit_post, approver_token
):
    # given an approved cheque of 500, remitted
    check = approved_cheque(pay, workflow)
    assert remit(digit_post, approver_token, remittanceReceipts=[{"receipt": receipt_of(check)}]).status_code == 200

    # when it is dishonoured
    response = workflow("DISHONOUR", [check.pk], reason="insufficient funds", module="PT")

    # then the tax is due again, and the bank and cheques in hand are back to nothing
    assert response.status_code == 200, response.content
    check.refresh_from_db()
    assert check.payment_status == PaymentStatus.DISHONOURED
    assert DemandDetail.objects.get().collection_amount == Decimal("0.00")
    assert gl_balance(tenant_id="pb.amritsar", gl_code="4501001") == Decimal("0.00")
    assert gl_balance(tenant_id="pb.amritsar", gl_code="4502201") == Decimal("0.00")
    assert_ledger_balances()


def test_search_finds_a_remittance_by_reference_number(masters, pay, digit_post, approver_token):
    # given a remittance
    raise_demand()
    cash = paid(pay, bill_of(), 240)
    created = remit(digit_post, approver_token, remittanceReceipts=[{"receipt": receipt_of(cash)}]).json()
    number = created["Remittance"][0]["referenceNumber"]

    # when it is searched by its reference number
    response = digit_post(REMIT_SEARCH_URL, approver_token, {"tenantId": "pb.amritsar", "referenceNumbers": number})

    # then it is found with its receipt
    assert response.status_code == 200, response.content
    [found] = response.json()["Remittance"]
    assert (found["referenceNumber"], found["remittanceReceipts"][0]["receipt"]) == (number, receipt_of(cash))
