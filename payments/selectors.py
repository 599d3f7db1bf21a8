"""Reads of payments data, tenant-scoped: a PI of another tenant is not found."""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from core.errors import NotFoundError
from core.fiscal import financial_year_label
from core.money import ZERO
from payments.models import (
    Allotment,
    ExpenseBill,
    FundTransaction,
    JitOutcome,
    JitService,
    PaymentInstruction,
    PIBeneficiary,
    PIStatusLog,
    Sanction,
)
from payments.services.calls import IST

PENDING_FOR_ACTION = (PaymentInstruction.Status.PARTIAL, PaymentInstruction.Status.FAILED)
SERVICE_ORDER = [choice for choice, _ in JitService.choices]


def pi_get(*, tenant_id: str, pk: int | None = None, pi_number: str | None = None) -> PaymentInstruction:
    pis = PaymentInstruction.objects.filter(tenant_id=tenant_id).select_related(
        "payment__bill", "parent", "replaces", "advice", "spending_unit", "tenant"
    )
    pi = pis.filter(pk=pk).first() if pk is not None else pis.filter(pi_number=pi_number or "").first()
    if pi is None:
        raise NotFoundError(
            "PI_NOT_FOUND", f"No payment instruction {pi_number or pk} in {tenant_id}", field="piNumber"
        )
    return pi


def pi_search(
    *,
    tenant_id: str,
    pending_for_action: bool = False,
    pi_type: str = "",
    bill_number: str = "",
    pi_number: str = "",
    status: str = "",
    reference_id: str = "",
    parent_pi_number: str = "",
    created_from: date | None = None,
    created_to: date | None = None,
) -> QuerySet[PaymentInstruction]:
    """PIs of a tenant, newest first, with the counts of successful and failed payments."""
    pis = PaymentInstruction.objects.filter(tenant_id=tenant_id)
    if pending_for_action:
        pis = pis.filter(status__in=PENDING_FOR_ACTION)
    if pi_type:
        pis = pis.filter(pi_type=pi_type)
    if bill_number:
        pis = pis.filter(payment__bill__bill_number=bill_number)
    if pi_number:
        pis = pis.filter(pi_number=pi_number)
    if status:
        pis = pis.filter(status=status)
    if reference_id:
        pis = pis.filter(payment__payment_number=reference_id)
    if parent_pi_number:
        pis = pis.filter(parent__pi_number=parent_pi_number)
    if created_from:
        pis = pis.filter(created_at__gte=datetime.combine(created_from, time.min, tzinfo=IST))
    if created_to:
        pis = pis.filter(created_at__lte=datetime.combine(created_to, time.max, tzinfo=IST))
    return (
        pis.select_related("payment__bill", "parent", "advice")
        .annotate(
            successful_count=Count(
                "beneficiaries", filter=Q(beneficiaries__payment_status=PIBeneficiary.Status.SUCCESSFUL)
            ),
            failed_count=Count("beneficiaries", filter=Q(beneficiaries__payment_status=PIBeneficiary.Status.FAILED)),
        )
        .order_by("-created_at", "-id")
    )


def pi_with_details(*, pi: PaymentInstruction) -> PaymentInstruction:
    """The PI with beneficiaries and their payees loaded (for the page and the API)."""
    return (
        PaymentInstruction.objects.select_related("payment__bill", "parent", "replaces", "advice", "tenant")
        .prefetch_related(
            Prefetch("beneficiaries", queryset=PIBeneficiary.objects.select_related("payee").order_by("id"))
        )
        .get(pk=pi.pk)
    )


@dataclass(frozen=True)
class JitMessage:
    service: str
    outcome: str
    message: str
    at: datetime

    @property
    def is_error(self) -> bool:
        return self.outcome != JitOutcome.SUCCESS


def pi_latest_messages(*, pi: PaymentInstruction) -> list[JitMessage]:
    """The latest message of each JIT service for the PI, in the order the services run."""
    latest: dict[str, JitMessage] = {}
    for log in (
        PIStatusLog.objects.filter(pi=pi)
        .order_by("-created_at", "-id")
        .only("service", "outcome", "message", "created_at")
    ):
        if log.service not in latest:
            latest[log.service] = JitMessage(log.service, log.outcome, log.message, log.created_at)
    return sorted(latest.values(), key=lambda m: SERVICE_ORDER.index(m.service))


def pi_call_history(*, pi: PaymentInstruction, limit: int = 50) -> QuerySet[PIStatusLog]:
    return PIStatusLog.objects.filter(pi=pi).select_related("jit_call").order_by("-created_at", "-id")[:limit]


def expense_bill_search(*, tenant_id: str, bill_numbers: list[str] = ()) -> QuerySet[ExpenseBill]:
    bills = ExpenseBill.objects.filter(tenant_id=tenant_id)
    if bill_numbers:
        bills = bills.filter(bill_number__in=list(bill_numbers))
    return bills.select_related("payment").prefetch_related("line_items__payee").order_by("-created_at", "-id")


def sanction_search(
    *, tenant_id: str, hoa_code: str = "", ddo_code: str = "", master_allotment_id: str = ""
) -> QuerySet[Sanction]:
    sanctions = Sanction.objects.filter(tenant_id=tenant_id)
    if hoa_code:
        sanctions = sanctions.filter(hoa_code=hoa_code)
    if ddo_code:
        sanctions = sanctions.filter(ddo_code=ddo_code)
    if master_allotment_id:
        sanctions = sanctions.filter(master_allotment_id=master_allotment_id)
    return sanctions.select_related("funds_summary").prefetch_related("allotments").order_by("id")


# --- Fund Allocation Register ---------------------------------------------------------------

REGISTER_TYPES = {
    "INITIAL": "Initial Allotment",
    "ADDITIONAL": "Additional Allotment",
    "WITHDRAWAL": "Withdrawal",
    "EXPENSE": "Expense",
    "EXPENSE_REVERSED": "Expense (Reversed)",
}
_ALLOTMENT_KINDS = {
    Allotment.Type.INITIAL: "INITIAL",
    Allotment.Type.ADDITIONAL: "ADDITIONAL",
    Allotment.Type.WITHDRAWAL: "WITHDRAWAL",
}


@dataclass(frozen=True)
class RegisterRow:
    hoa_code: str
    master_allotment_id: str
    transaction_number: str
    transaction_at: datetime
    kind: str
    amount: Decimal
    sanctioned_balance: Decimal
    fund_available: Decimal

    @property
    def kind_label(self) -> str:
        return REGISTER_TYPES[self.kind]


def fund_register(*, tenant_id: str, financial_year: str, hoa_code: str = "", kind: str = "") -> list[RegisterRow]:
    """Every allotment and PI expense of the year's sanctions in time order, with running balances per
    sanction: Sanctioned Balance = sanctioned − allotted; Fund Available = allotted − (expense + withdrawals)
    + reversed expense. Balances run over all rows, so a filtered view still shows the true balance."""
    sanctions = Sanction.objects.filter(tenant_id=tenant_id, financial_year=financial_year)
    if hoa_code:
        sanctions = sanctions.filter(hoa_code=hoa_code)
    sanctions = {s.pk: s for s in sanctions}
    events = []
    for allotment in Allotment.objects.filter(sanction_id__in=sanctions):
        events.append(
            (
                allotment.allotment_date,
                0,
                allotment.pk,
                _ALLOTMENT_KINDS[allotment.transaction_type],
                allotment.sanction_id,
                allotment.serial_number,
                allotment.amount,
            )
        )
    for movement in FundTransaction.objects.filter(sanction_id__in=sanctions).select_related("pi"):
        movement_kind = "EXPENSE" if movement.transaction_type == FundTransaction.Type.DEBIT else "EXPENSE_REVERSED"
        events.append(
            (
                movement.transaction_at,
                1,
                movement.pk,
                movement_kind,
                movement.sanction_id,
                movement.pi.pi_number,
                movement.amount,
            )
        )
    events.sort(key=lambda event: event[:3])
    allotted = {pk: ZERO for pk in sanctions}
    spent = {pk: ZERO for pk in sanctions}
    rows = []
    for at, _order, _pk, event_kind, sanction_id, number, amount in events:
        if event_kind in ("INITIAL", "ADDITIONAL"):
            allotted[sanction_id] += amount
        else:
            spent[sanction_id] += -amount if event_kind == "EXPENSE_REVERSED" else amount
        sanction = sanctions[sanction_id]
        if kind and event_kind != kind:
            continue
        rows.append(
            RegisterRow(
                hoa_code=sanction.hoa_code,
                master_allotment_id=sanction.master_allotment_id,
                transaction_number=number,
                transaction_at=at,
                kind=event_kind,
                amount=amount,
                sanctioned_balance=sanction.sanctioned_amount - allotted[sanction_id],
                fund_available=allotted[sanction_id] - spent[sanction_id],
            )
        )
    return rows


def fund_register_years(*, tenant_id: str) -> list[str]:
    current = financial_year_label(timezone.localdate())
    years = set(Sanction.objects.filter(tenant_id=tenant_id).values_list("financial_year", flat=True))
    return sorted(years | {current}, reverse=True)


def fund_register_heads(*, tenant_id: str) -> list[str]:
    return sorted(set(Sanction.objects.filter(tenant_id=tenant_id).values_list("hoa_code", flat=True)))
