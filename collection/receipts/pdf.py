"""A receipt as an A4 PDF (fpdf2, core fonts: amounts are written "Rs.", not the rupee sign, and text outside
Latin-1 is replaced)."""

from decimal import Decimal

from fpdf import FPDF

from collection.receipts.document import ReceiptDocument

HEAD_COLUMNS = (("Head", 80), ("Period", 50), ("Due (Rs.)", 30), ("Paid (Rs.)", 30))


def _latin(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def receipt_pdf(document: ReceiptDocument) -> bytes:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(_latin(f"{document.layout.title} {document.receipt_number}"))
    pdf.set_author(_latin(document.tenant_name))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 8, _latin(document.tenant_name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, _latin(document.layout.title), align="C", new_x="LMARGIN", new_y="NEXT")
    if document.is_cancelled:
        pdf.set_text_color(176, 36, 44)
        pdf.cell(
            0, 7, _latin(f"{document.status.upper()}: this receipt is void"), align="C", new_x="LMARGIN", new_y="NEXT"
        )
        if document.void_reason:
            pdf.multi_cell(0, 6, _latin(f"Reason: {document.void_reason}"), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    facts = (
        ("Receipt no.", document.receipt_number),
        ("Receipt date", f"{document.receipt_date:%d/%m/%Y %H:%M} IST"),
        (document.layout.consumer_label, document.consumer_code),
        ("Consumer name", document.consumer_name),
        ("Address", document.consumer_address),
        ("Mobile no.", document.mobile_number),
        ("Paid by", document.paid_by),
        ("Service", document.service_name),
        ("Bill no.", document.bill_number),
        ("Bill period", f"{document.period_from:%d/%m/%Y} - {document.period_to:%d/%m/%Y}"),
    )
    _facts(pdf, facts)
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_fill_color(230, 236, 242)
    for title, width in HEAD_COLUMNS:
        pdf.cell(width, 7, title, border=1, fill=True, align="R" if "Rs." in title else "L")
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for line in document.lines:
        pdf.cell(HEAD_COLUMNS[0][1], 6, _latin(line.head), border=1)
        pdf.cell(HEAD_COLUMNS[1][1], 6, line.period, border=1)
        pdf.cell(HEAD_COLUMNS[2][1], 6, _money(line.due), border=1, align="R")
        pdf.cell(HEAD_COLUMNS[3][1], 6, _money(line.paid), border=1, align="R")
        pdf.ln()
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(HEAD_COLUMNS[0][1] + HEAD_COLUMNS[1][1], 7, "Total", border=1)
    pdf.cell(HEAD_COLUMNS[2][1], 7, _money(document.total_due), border=1, align="R")
    pdf.cell(HEAD_COLUMNS[3][1], 7, _money(document.amount_paid), border=1, align="R")
    pdf.ln(10)
    totals = [
        ("Amount paid", f"Rs. {_money(document.amount_paid)}"),
        ("Amount in words", document.amount_in_words),
        ("Payment mode", document.payment_mode),
    ]
    if document.instrument_number:
        totals.append(("Instrument no.", document.instrument_number))
    if document.instrument_date:
        totals.append(("Instrument date", f"{document.instrument_date:%d/%m/%Y}"))
    if document.ifsc_code:
        totals.append(("IFSC", document.ifsc_code))
    if document.transaction_number:
        totals.append(("Transaction no.", document.transaction_number))
    totals.append(("Pending due", f"Rs. {_money(document.pending)}"))
    if document.advance:
        totals.append(("Advance", f"Rs. {_money(document.advance)}"))
    totals.append(("Collected by", document.collector))
    _facts(pdf, totals)
    pdf.ln(8)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(0, 4, "This is a computer-generated receipt and needs no signature.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _facts(pdf: FPDF, facts) -> None:
    for label, value in facts:
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(45, 6, _latin(label))
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 6, _latin(value or "-"), new_x="LMARGIN", new_y="NEXT")
