"""Reads of the books. Balances are Σdebit − Σcredit: positive is a debit balance (assets, expenditure), negative a
credit balance (liabilities, income)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet, Sum

from core.money import ZERO
from core.selectors import tenant_lineage, tenant_masters_visible
from ledger.models import GLCode, Voucher, VoucherLine


@dataclass(frozen=True)
class TrialBalanceRow:
    gl_code: str
    name: str
    type: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


def gl_codes_visible(*, tenant_id: str) -> QuerySet[GLCode]:
    """The GL codes a tenant may post to or read: its own and its state's."""
    return tenant_masters_visible(GLCode.objects.all(), tenant_id=tenant_id)


def trial_balance(
    *, tenant_id: str, date_from: date | None = None, date_to: date | None = None
) -> list[TrialBalanceRow]:
    """Σdebit, Σcredit and balance per GL code over the tenant's vouchers dated in [date_from, date_to], in code
    order; one aggregate query. Codes without postings in the range are left out."""
    lines = VoucherLine.objects.filter(voucher__tenant_id=tenant_id)
    if date_from is not None:
        lines = lines.filter(voucher__voucher_date__gte=date_from)
    if date_to is not None:
        lines = lines.filter(voucher__voucher_date__lte=date_to)
    totals = (
        lines.values("gl_code_id", "gl_code__code", "gl_code__name", "gl_code__type")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by("gl_code__code", "gl_code_id")
    )
    return [
        TrialBalanceRow(
            gl_code=row["gl_code__code"],
            name=row["gl_code__name"],
            type=row["gl_code__type"],
            debit=row["debit"],
            credit=row["credit"],
            balance=row["debit"] - row["credit"],
        )
        for row in totals
    ]


def gl_balance(*, tenant_id: str, gl_code: str) -> Decimal:
    """Σdebit − Σcredit of one GL code over all of the tenant's vouchers; zero when nothing was posted to it."""
    totals = VoucherLine.objects.filter(
        voucher__tenant_id=tenant_id,
        gl_code__code=gl_code,
        gl_code__tenant_id__in=tenant_lineage(tenant_id=tenant_id),
    ).aggregate(debit=Sum("debit"), credit=Sum("credit"))
    return (totals["debit"] or ZERO) - (totals["credit"] or ZERO)


def voucher_list(
    *,
    tenant_id: str,
    voucher_type: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    source_type: str | None = None,
) -> QuerySet[Voucher]:
    """The tenant's vouchers, newest first, with their lines and GL codes loaded."""
    vouchers = Voucher.objects.filter(tenant_id=tenant_id)
    if voucher_type is not None:
        vouchers = vouchers.filter(type=voucher_type)
    if date_from is not None:
        vouchers = vouchers.filter(voucher_date__gte=date_from)
    if date_to is not None:
        vouchers = vouchers.filter(voucher_date__lte=date_to)
    if source_type is not None:
        vouchers = vouchers.filter(source_type=source_type)
    return vouchers.select_related("posted_by", "reversal_of").prefetch_related("lines__gl_code")


def vouchers_for_source(*, source_type: str, source_id: str | int) -> QuerySet[Voucher]:
    """Every voucher a source row caused, reversals included, in the order they were posted."""
    return (
        Voucher.objects.filter(source_type=source_type, source_id=str(source_id))
        .select_related("reversal_of")
        .prefetch_related("lines__gl_code")
        .order_by("id")
    )
