"""The Fund Allocation Register as a PDF (fpdf2, core fonts: amounts are written "Rs.", not the rupee sign,
in Indian digit grouping)."""

from django.utils import timezone
from fpdf import FPDF

from core.money import format_inr
from payments.selectors import REGISTER_TYPES, RegisterRow

COLUMNS = (
    ("Head of account", 62),
    ("Transaction no", 38),
    ("Date", 26),
    ("Type", 36),
    ("Amount (Rs.)", 34),
    ("Sanctioned balance (Rs.)", 40),
    ("Fund available (Rs.)", 40),
)


def fund_register_pdf(*, rows: list[RegisterRow], tenant_id: str, filters: dict) -> bytes:
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, "Fund Allocation Register", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    kind = REGISTER_TYPES.get(filters.get("kind") or "", "All")
    pdf.cell(
        0,
        6,
        f"Tenant {tenant_id} | Financial year {filters['financial_year']} | "
        f"Head of account {filters.get('hoa_code') or 'All'} | Transaction type {kind} | "
        f"Printed {timezone.localtime():%d/%m/%Y %H:%M} IST",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    _header(pdf)
    pdf.set_font("Helvetica", "", 8)
    for row in rows:
        if pdf.will_page_break(6):
            pdf.add_page()
            _header(pdf)
            pdf.set_font("Helvetica", "", 8)
        values = (
            row.hoa_code,
            row.transaction_number,
            f"{timezone.localtime(row.transaction_at):%d/%m/%Y}",
            row.kind_label,
            format_inr(row.amount),
            format_inr(row.sanctioned_balance),
            format_inr(row.fund_available),
        )
        for (_title, width), value, index in zip(COLUMNS, values, range(len(values)), strict=True):
            pdf.cell(width, 6, value, border=1, align="R" if index >= 4 else "L")
        pdf.ln()
    if not rows:
        pdf.cell(0, 8, "No transactions match these filters.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _header(pdf: FPDF) -> None:
    pdf.set_font("Helvetica", "B", 8)
    pdf.set_fill_color(230, 236, 242)
    for title, width in COLUMNS:
        pdf.cell(width, 7, title, border=1, fill=True)
    pdf.ln()
