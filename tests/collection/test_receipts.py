"""Receipts: the page, the PDF, the mini receipt (print page and ESC/POS), amounts in words; who may read them."""

from decimal import Decimal

import pytest

from collection.models import PaymentDetail
from collection.receipts.document import receipt_document
from collection.receipts.mini import mini_escpos, mini_lines
from collection.receipts.words import amount_in_words
from collection.selectors import receipt_get
from collection.services.payments import PaymentDetailInput, PaymentInput, payment_create
from collection.services.workflow import WorkflowItem, payment_workflow
from core.models import Role
from tests.billing.factories import month, raise_demand
from tests.collection.factories import bill_of
from tests.collection.pdfs import pdf_text


@pytest.fixture
def collector(make_employee):
    return make_employee(Role.COLLECTION_OPERATOR, "pb.amritsar", name="Gurdeep Singh")


@pytest.fixture
def receipt(masters, collector) -> PaymentDetail:
    """A partial cash payment of 150 on September's arrears and October's charges (404 due with the penalty)."""
    raise_demand(period=month(2026, 9), heads={"10101": "240"}, collected={"10101": "100"})
    raise_demand(period=month(2026, 10), heads={"10101": "240", "WS_TIME_PENALTY": "24"})
    bill = bill_of()
    payment = payment_create(
        payment=PaymentInput(
            tenant_id="pb.amritsar",
            payment_mode="CASH",
            total_amount_paid=Decimal("150"),
            paid_by="Gurpreet Kaur",
            mobile_number="9876500001",
            details=[PaymentDetailInput(bill_id=str(bill.pk), total_amount_paid=Decimal("150"))],
        ),
        actor=collector,
    )
    return payment.details.get()


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1", "Rupees One Only"),
        ("1603", "Rupees One Thousand Six Hundred And Three Only"),
        ("150000", "Rupees One Lakh Fifty Thousand Only"),
        (
            "12345678.50",
            "Rupees One Crore Twenty-Three Lakh Forty-Five Thousand Six Hundred And Seventy-Eight And Fifty Paise Only",
        ),
        ("25000000000", "Rupees Two Thousand Five Hundred Crore Only"),
    ],
)
def test_amounts_are_written_in_words_with_lakhs_and_crores(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_the_receipt_document_has_the_facts_of_the_receipt(receipt):
    document = receipt_document(receipt_get(tenant_id="pb.amritsar", receipt_id=receipt.pk))

    assert document.layout.title == "Water Charges Receipt"
    assert document.layout.consumer_label == "Connection no."
    assert (document.receipt_number, document.consumer_code, document.consumer_name) == (
        receipt.receipt_number,
        "WS-1",
        "Gurpreet Kaur",
    )
    assert (document.total_due, document.amount_paid, document.pending) == (
        Decimal("404.00"),
        Decimal("150.00"),
        Decimal("254.00"),
    )
    assert document.amount_in_words == "Rupees One Hundred And Fifty Only"
    assert [(line.head, line.due, line.paid) for line in document.lines] == [
        ("Water Charges", Decimal("140.00"), Decimal("140.00")),
        ("Water Charges", Decimal("240.00"), Decimal("10.00")),
        ("Time Penalty", Decimal("24.00"), Decimal("0.00")),
    ]
    assert (document.period_from.isoformat(), document.period_to.isoformat()) == ("2026-09-01", "2026-10-31")
    assert (document.payment_mode, document.collector) == ("Cash", "Gurdeep Singh")


def test_the_receipt_page_shows_the_receipt_to_a_collector(client, receipt, collector):
    client.force_login(collector)

    page = client.get(f"/collection/receipts/{receipt.pk}/").content.decode()

    assert "Water Charges Receipt" in page
    assert receipt.receipt_number in page
    assert "Rupees One Hundred And Fifty Only" in page
    assert "₹254.00" in page
    assert "Gurdeep Singh" in page


def test_the_pdf_is_a_real_pdf_with_the_receipts_facts(client, receipt, collector):
    client.force_login(collector)

    response = client.get(f"/collection/receipts/{receipt.pk}/receipt.pdf")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="receipt-{receipt.receipt_number.replace("/", "-")}.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    for fact in (receipt.receipt_number, "WS-1", "Rupees One Hundred And Fifty Only", "Rs. 254.00", "Gurdeep Singh"):
        assert fact in text


@pytest.mark.parametrize(("paper", "columns"), [(58, 32), (80, 48)])
def test_the_mini_receipt_fits_the_paper_and_has_mgramsevas_facts(receipt, paper, columns):
    document = receipt_document(receipt_get(tenant_id="pb.amritsar", receipt_id=receipt.pk))

    lines = [line.text for line in mini_lines(document, paper=paper)]

    assert max(len(line) for line in lines) <= columns
    text = "\n".join(lines)
    for fact in (
        receipt.receipt_number,
        "Amritsar",
        "Connection no.: WS-1",
        "Gurpreet Kaur",
        "9876500001",
        "Period: 01/09/2026 - 31/10/2026",
        "Rs. 404.00",
        "Rs. 150.00",
        "Rs. 254.00",
    ):
        assert fact in text
    assert "Rupees One Hundred And Fifty Only" in " ".join(lines)


def test_the_mini_receipt_print_page_shows_the_lines_for_the_chosen_paper(client, receipt, collector):
    client.force_login(collector)

    page = client.get(f"/collection/receipts/{receipt.pk}/mini/", {"paper": "80"}).content.decode()

    assert 'class="mini-paper mini-80"' in page
    assert "--columns: 48" in page
    assert "Actual due:" in page and "Pending:" in page
    assert client.get(f"/collection/receipts/{receipt.pk}/mini/", {"paper": "70"}).status_code == 404


def test_the_escpos_download_prints_the_mini_receipt_and_cuts(client, receipt, collector):
    client.force_login(collector)

    response = client.get(f"/collection/receipts/{receipt.pk}/mini.bin", {"paper": "58"})

    data = response.content
    assert response["Content-Type"] == "application/octet-stream"
    assert data.startswith(b"\x1b@\x1bt\x00")
    assert data.endswith(b"\x1dV\x42\x00")
    assert receipt.receipt_number.encode() in data
    assert b"Rupees One Hundred" in data
    document = receipt_document(receipt_get(tenant_id="pb.amritsar", receipt_id=receipt.pk))
    assert data == mini_escpos(document, paper=58)


def test_text_a_thermal_printer_cannot_print_is_replaced(receipt):
    receipt.bill.payer_name = "ਗੁਰਪ੍ਰੀਤ"
    document = receipt_document(receipt)

    data = mini_escpos(document, paper=58)

    assert b"Name: ????????" in data


def test_an_approver_reads_the_receipt(client, receipt, make_employee):
    client.force_login(make_employee(Role.COLLECTION_APPROVER, "pb.amritsar"))

    assert client.get(f"/collection/receipts/{receipt.pk}/").status_code == 200
    assert client.get(f"/collection/receipts/{receipt.pk}/receipt.pdf").status_code == 200


def test_another_citys_collector_does_not_find_the_receipt(client, receipt, make_employee):
    client.force_login(make_employee(Role.COLLECTION_OPERATOR, "pb.jalandhar"))

    for suffix in ("", "receipt.pdf", "mini/", "mini.bin"):
        assert client.get(f"/collection/receipts/{receipt.pk}/{suffix}").status_code == 404


def test_an_employee_without_a_collection_role_may_not_read_receipts(client, receipt, make_employee):
    client.force_login(make_employee(Role.PI_VIEWER, "pb.amritsar"))

    assert client.get(f"/collection/receipts/{receipt.pk}/").status_code == 403


def test_a_cancelled_receipt_is_shown_void_with_its_reason_on_its_page_pdf_and_mini_receipt(client, receipt, collector):
    # given the receipt cancelled by an approver
    payment_workflow(
        tenant_id="pb.amritsar",
        module="WS",
        action="CANCEL",
        items=[WorkflowItem(payment_id=str(receipt.payment_id), reason="wrong consumer")],
        actor=collector,
    )
    client.force_login(collector)

    # when its page and its PDF are opened
    page = client.get(f"/collection/receipts/{receipt.pk}/").content.decode()
    pdf = client.get(f"/collection/receipts/{receipt.pk}/receipt.pdf")
    mini = client.get(f"/collection/receipts/{receipt.pk}/mini/?paper=58").content.decode()

    # then all three still name the receipt and say it is cancelled, and why
    assert receipt.receipt_number in page
    assert "Cancelled: this receipt is void. Reason: wrong consumer" in page
    assert "CANCELLED: this receipt is void" in pdf_text(pdf.content)
    assert "Reason: wrong consumer" in pdf_text(pdf.content)
    assert "Reason: wrong consumer" in mini
