"""The collection manager's reports: collection summary (with a chart), receipt register, online transactions and
remittances, each for a date range and downloadable as CSV. Every figure is summed by the database, in the tenant
being worked in."""

import csv
from decimal import Decimal
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from billing.selectors import business_service_list
from collection.models import PaymentMode
from collection.selectors import (
    ReportCriteria,
    collection_summary,
    collection_totals,
    online_transaction_register,
    online_transaction_summary,
    receipt_register,
    receipt_register_totals,
    remittance_report,
)
from collection.views.forms import DateRangeForm, OnlineFilterForm, RegisterFilterForm, SummaryFilterForm
from core.models import Role
from core.selectors import user_has_role
from core.services.idgen import ID_TIME_ZONE
from core.views import current_tenant_id

PAGE_SIZE = 50
CHART_WIDTH = 640
CHART_LABEL_WIDTH = 150
CHART_VALUE_WIDTH = 110
CHART_BAR_HEIGHT = 20
CHART_BAR_GAP = 8


def collection_approver_required(view):
    """Signed in, and a COLLECTION_APPROVER in the tenant being worked in; the tenant is handed to the view."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        tenant_id = current_tenant_id(request)
        if tenant_id is None or not user_has_role(
            user=request.user, tenant_id=tenant_id, roles=[Role.COLLECTION_APPROVER]
        ):
            raise PermissionDenied("Only a collection approver of this tenant may open these pages.")
        return view(request, tenant_id, *args, **kwargs)

    return wrapper


def service_choices(tenant_id: str) -> list[tuple[str, str]]:
    return [
        (service.code, f"{service.code} · {service.name}") for service in business_service_list(tenant_id=tenant_id)
    ]


def masked(account: str) -> str:
    """A bank account shown by its last four characters only."""
    return f"••••{account[-4:]}"


def ist(moment) -> str:
    return timezone.localtime(moment, ID_TIME_ZONE).strftime("%d/%m/%Y %H:%M")


class _Echo:
    """A file that hands back what is written, for csv.writer to format one line at a time."""

    def write(self, value):
        return value


def csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    """Rows written as they are read, so a long register is never held in memory. Amounts stay exact Decimals."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _links(request, csv_name: str) -> dict:
    """The CSV link for the filters shown, and those filters without the page number, for the pager."""
    filters = request.GET.copy()
    filters.pop("page", None)
    return {"csv_url": f"{reverse(csv_name)}?{filters.urlencode()}", "filters": filters.urlencode()}


def _criteria(tenant_id: str, data: dict) -> ReportCriteria:
    return ReportCriteria(
        tenant_id=tenant_id,
        from_date=data["from_date"],
        to_date=data["to_date"],
        business_service=data.get("business_service", ""),
        payment_mode=data.get("payment_mode", ""),
        instrument_status=data.get("instrument_status", ""),
    )


# --- Collection summary -----------------------------------------------------------------------

GROUP_LABELS = {"day": "Day", "service": "Service", "mode": "Mode", "collector": "Collector"}


def _label(group_by: str, key) -> str:
    if key in (None, ""):
        return "(none)"
    if group_by == "day":
        return key.strftime("%d/%m/%Y")
    if group_by == "mode" and key in PaymentMode.values:
        return PaymentMode(key).label
    return str(key)


def summary_chart(rows: list[dict]) -> dict:
    """Horizontal bars of the amount collected per row, as inline SVG geometry: no script, nothing fetched."""
    largest = max((row["amount"] for row in rows), default=Decimal(0))
    span = CHART_WIDTH - CHART_LABEL_WIDTH - CHART_VALUE_WIDTH
    bars = []
    for index, row in enumerate(rows):
        width = round(span * row["amount"] / largest) if largest > 0 else 0
        top = index * (CHART_BAR_HEIGHT + CHART_BAR_GAP)
        bars.append(
            {
                "label": row["label"],
                "amount": row["amount"],
                "y": top,
                "width": width,
                "text_y": top + CHART_BAR_HEIGHT - 5,
                "value_x": CHART_LABEL_WIDTH + width + 6,
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": max(len(bars), 1) * (CHART_BAR_HEIGHT + CHART_BAR_GAP),
        "bar_x": CHART_LABEL_WIDTH,
        "label_x": CHART_LABEL_WIDTH - 8,
        "bar_height": CHART_BAR_HEIGHT,
    }


@collection_approver_required
def summary_view(request, tenant_id, export: str = ""):
    form = SummaryFilterForm(request.GET, services=service_choices(tenant_id))
    rows, totals, chart = [], None, None
    if form.is_valid():
        data = form.cleaned_data
        criteria = _criteria(tenant_id, data)
        rows = collection_summary(criteria=criteria, group_by=data["group_by"])
        for row in rows:
            row["label"] = _label(data["group_by"], row["key"])
        if export == "csv":
            return csv_response(
                f"collection-summary-by-{data['group_by']}-{data['from_date']}-{data['to_date']}.csv",
                [GROUP_LABELS[data["group_by"]], "Receipts", "Amount collected", "Receipts closed", "Amount closed"],
                (
                    [row["label"], row["receipts"], row["amount"], row["closed_receipts"], row["closed_amount"]]
                    for row in rows
                ),
            )
        totals = collection_totals(criteria=criteria)
        chart = summary_chart(rows) if rows else None
    return render(
        request,
        "collection/report_summary.html",
        {"form": form, "rows": rows, "totals": totals, "chart": chart, "section": "summary"}
        | _links(request, "collection:report-summary-csv"),
    )


# --- Receipt register -------------------------------------------------------------------------

REGISTER_HEADER = [
    "Receipt number",
    "Receipt date",
    "Service",
    "Consumer code",
    "Bill number",
    "Paid by",
    "Mode",
    "Instrument number",
    "Status",
    "Collector",
    "Amount paid",
]


def _register_line(receipt) -> list:
    payment = receipt.payment
    return [
        receipt.receipt_number,
        ist(receipt.receipt_date),
        receipt.business_service.code,
        receipt.bill.consumer_code,
        receipt.bill.bill_number,
        payment.paid_by,
        payment.payment_mode,
        payment.instrument_number,
        payment.instrument_status,
        payment.created_by.username if payment.created_by_id else "",
        receipt.total_amount_paid,
    ]


@collection_approver_required
def register_view(request, tenant_id, export: str = ""):
    form = RegisterFilterForm(request.GET, services=service_choices(tenant_id))
    page, totals = None, None
    if form.is_valid():
        data = form.cleaned_data
        criteria = _criteria(tenant_id, data)
        receipts = receipt_register(criteria=criteria)
        if export == "csv":
            return csv_response(
                f"receipt-register-{data['from_date']}-{data['to_date']}.csv",
                REGISTER_HEADER,
                (_register_line(receipt) for receipt in receipts.iterator(chunk_size=1000)),
            )
        page = Paginator(receipts, PAGE_SIZE).get_page(request.GET.get("page"))
        totals = receipt_register_totals(criteria=criteria)
    return render(
        request,
        "collection/report_register.html",
        {"form": form, "page": page, "totals": totals, "section": "register"}
        | _links(request, "collection:report-register-csv"),
    )


# --- Remittances ------------------------------------------------------------------------------


@collection_approver_required
def remittances_view(request, tenant_id, export: str = ""):
    form = DateRangeForm(request.GET)
    page, totals = None, None
    if form.is_valid():
        data = form.cleaned_data
        remittances, totals = remittance_report(
            tenant_id=tenant_id, from_date=data["from_date"], to_date=data["to_date"]
        )
        if export == "csv":
            return csv_response(
                f"remittances-{data['from_date']}-{data['to_date']}.csv",
                ["Reference number", "Reference date", "Bank account", "Receipts", "Voucher", "Remitted by", "Amount"],
                (
                    [
                        row.reference_number,
                        row.reference_date.strftime("%d/%m/%Y"),
                        masked(row.bank_account),
                        row.receipts,
                        row.voucher.number if row.voucher_id else "",
                        row.created_by.username if row.created_by_id else "",
                        row.total_amount,
                    ]
                    for row in remittances.iterator(chunk_size=1000)
                ),
            )
        page = Paginator(remittances, PAGE_SIZE).get_page(request.GET.get("page"))
        for row in page:
            row.bank_account_masked = masked(row.bank_account)
    return render(
        request,
        "collection/report_remittances.html",
        {"form": form, "page": page, "totals": totals, "section": "remittances"}
        | _links(request, "collection:report-remittances-csv"),
    )


# --- Online transactions ----------------------------------------------------------------------

ONLINE_HEADER = [
    "Transaction id",
    "Started",
    "Service",
    "Consumer code",
    "Gateway",
    "Gateway transaction id",
    "Status",
    "Status message",
    "Receipt number",
    "Amount",
]


def _receipt_numbers(transaction) -> str:
    receipts = transaction.payment.details.all() if transaction.payment_id else []
    return " ".join(receipt.receipt_number for receipt in receipts)


def _online_line(transaction) -> list:
    return [
        transaction.txn_id,
        ist(transaction.created_at),
        transaction.business_service.code,
        transaction.consumer_code,
        transaction.gateway,
        transaction.gateway_txn_id,
        transaction.txn_status,
        transaction.txn_status_msg,
        _receipt_numbers(transaction),
        transaction.txn_amount,
    ]


@collection_approver_required
def online_view(request, tenant_id, export: str = ""):
    form = OnlineFilterForm(request.GET)
    page, statuses = None, []
    if form.is_valid():
        data = form.cleaned_data
        criteria = {
            "tenant_id": tenant_id,
            "from_date": data["from_date"],
            "to_date": data["to_date"],
            "status": data["status"],
        }
        transactions = online_transaction_register(**criteria)
        if export == "csv":
            return csv_response(
                f"online-transactions-{data['from_date']}-{data['to_date']}.csv",
                ONLINE_HEADER,
                (_online_line(transaction) for transaction in transactions.iterator(chunk_size=1000)),
            )
        statuses = online_transaction_summary(**criteria)
        page = Paginator(transactions, PAGE_SIZE).get_page(request.GET.get("page"))
        for transaction in page:
            transaction.receipt_numbers = _receipt_numbers(transaction)
    return render(
        request,
        "collection/report_online.html",
        {"form": form, "page": page, "statuses": statuses, "section": "online"}
        | _links(request, "collection:report-online-csv"),
    )
