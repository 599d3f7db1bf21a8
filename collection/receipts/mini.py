"""The mini receipt for thermal printers, with the facts of mGramSeva's: the city, consumer no., name, mobile and
address, service, receipt no. and date, bill period, actual due, amount paid (also in words), pending amount.

Laid out once as fixed-width lines (`mini_lines`) that the print page shows and `mini_escpos` sends as ESC/POS.
Widths are the printers' Font A columns: 32 on 58 mm paper, 48 on 80 mm."""

import textwrap
from dataclasses import dataclass
from decimal import Decimal

from collection.receipts.document import ReceiptDocument

PAPER_COLUMNS = {58: 32, 80: 48}

ESC, GS, LF = b"\x1b", b"\x1d", b"\n"
ESC_INIT = ESC + b"@"
ESC_CODE_PAGE_437 = ESC + b"t\x00"
ESC_ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01"}
ESC_BOLD_ON, ESC_BOLD_OFF = ESC + b"E\x01", ESC + b"E\x00"
ESC_FEED_4 = ESC + b"d\x04"
# Feed to the cutter and cut, leaving a tab (partial cut).
GS_CUT = GS + b"V\x42\x00"


@dataclass(frozen=True)
class MiniLine:
    text: str
    align: str = "left"
    bold: bool = False


def _money(amount: Decimal) -> str:
    return f"Rs. {amount:,.2f}"


def mini_lines(document: ReceiptDocument, *, paper: int) -> list[MiniLine]:
    columns = PAPER_COLUMNS[paper]
    rule = MiniLine("-" * columns)

    def centred(text: str, bold: bool = False) -> list[MiniLine]:
        return [MiniLine(part, "center", bold) for part in textwrap.wrap(text, columns)]

    def pair(label: str, value: str) -> list[MiniLine]:
        """`label` left and `value` right on one line, or the value on lines of its own when both do not fit."""
        if len(label) + 1 + len(value) <= columns:
            return [MiniLine(label + value.rjust(columns - len(label)))]
        return [MiniLine(label)] + [MiniLine(part.rjust(columns)) for part in textwrap.wrap(value, columns)]

    def text(label: str, value: str) -> list[MiniLine]:
        return [MiniLine(part) for part in textwrap.wrap(f"{label} {value or '-'}", columns, subsequent_indent="  ")]

    lines = [*centred(document.tenant_name, bold=True), *centred(document.layout.title)]
    if document.is_cancelled:
        lines += centred(f"*** {document.status.upper()} ***", bold=True)
        if document.void_reason:
            lines += text("Reason:", document.void_reason)
    lines.append(rule)
    lines += text("Receipt no.:", document.receipt_number)
    lines += text("Date:", f"{document.receipt_date:%d/%m/%Y %H:%M}")
    lines += text(f"{document.layout.consumer_label}:", document.consumer_code)
    lines += text("Name:", document.consumer_name)
    lines += text("Mobile:", document.mobile_number)
    lines += text("Address:", document.consumer_address)
    lines += text("Service:", document.service_name)
    lines += text("Period:", f"{document.period_from:%d/%m/%Y} - {document.period_to:%d/%m/%Y}")
    lines.append(rule)
    lines += pair("Actual due:", _money(document.total_due))
    lines += pair("Amount paid:", _money(document.amount_paid))
    lines += [MiniLine(part) for part in textwrap.wrap(document.amount_in_words, columns)]
    lines += pair("Pending:", _money(document.pending))
    if document.advance:
        lines += pair("Advance:", _money(document.advance))
    lines += text("Mode:", document.payment_mode)
    if document.instrument_number:
        lines += text("Instrument no.:", document.instrument_number)
    lines += text("Collected by:", document.collector)
    lines.append(rule)
    lines += centred("Thank you")
    return [MiniLine(line.text[:columns].rstrip(), line.align, line.bold) for line in lines]


def mini_escpos(document: ReceiptDocument, *, paper: int) -> bytes:
    """The mini receipt as ESC/POS: initialise, code page 437, the lines (ASCII; anything else prints as "?"), feed
    and cut."""
    out = bytearray(ESC_INIT + ESC_CODE_PAGE_437)
    for line in mini_lines(document, paper=paper):
        out += ESC_ALIGN[line.align]
        out += ESC_BOLD_ON if line.bold else ESC_BOLD_OFF
        out += line.text.encode("ascii", "replace") + LF
    out += ESC_BOLD_OFF + ESC_ALIGN["left"] + ESC_FEED_4 + GS_CUT
    return bytes(out)
