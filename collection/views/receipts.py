"""A receipt as a page, a PDF, a mini-receipt print page (58 or 80 mm) and ESC/POS bytes for a thermal printer.
Readable by the city's collectors and approvers; another tenant's receipt is not found."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import select_template

from collection.receipts.document import receipt_document
from collection.receipts.mini import PAPER_COLUMNS, mini_escpos, mini_lines
from collection.receipts.pdf import receipt_pdf
from collection.selectors import receipt_get
from collection.views.counter import RECEIPT_READERS, tenant_for
from core.errors import NotFoundError

DEFAULT_PAPER = 58


def _receipt(request, receipt_id):
    tenant_id = tenant_for(request, RECEIPT_READERS)
    try:
        return receipt_get(tenant_id=tenant_id, receipt_id=receipt_id)
    except NotFoundError:
        raise Http404 from None


def _paper(request) -> int:
    try:
        paper = int(request.GET.get("paper", DEFAULT_PAPER))
    except ValueError:
        raise Http404 from None
    if paper not in PAPER_COLUMNS:
        raise Http404
    return paper


def _file_name(document, extension: str) -> str:
    return f"receipt-{document.receipt_number.replace('/', '-')}.{extension}"


@login_required
def receipt_view(request, receipt_id):
    receipt = _receipt(request, receipt_id)
    document = receipt_document(receipt)
    # A service may have a receipt page of its own (collection/receipt_ws.html); others use the common one.
    template = select_template([f"collection/receipt_{document.service_code.lower()}.html", "collection/receipt.html"])
    return HttpResponse(template.render({"receipt": receipt, "document": document}, request))


@login_required
def receipt_pdf_view(request, receipt_id):
    document = receipt_document(_receipt(request, receipt_id))
    response = HttpResponse(receipt_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(document, "pdf")}"'
    return response


@login_required
def mini_receipt_view(request, receipt_id):
    receipt = _receipt(request, receipt_id)
    paper = _paper(request)
    document = receipt_document(receipt)
    return render(
        request,
        "collection/mini_receipt.html",
        {
            "receipt": receipt,
            "document": document,
            "paper": paper,
            "papers": sorted(PAPER_COLUMNS),
            "columns": PAPER_COLUMNS[paper],
            "lines": mini_lines(document, paper=paper),
        },
    )


@login_required
def mini_receipt_escpos_view(request, receipt_id):
    paper = _paper(request)
    document = receipt_document(_receipt(request, receipt_id))
    response = HttpResponse(mini_escpos(document, paper=paper), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(document, f"{paper}mm.bin")}"'
    return response
