"""Employee pages: Search and View Payment Instruction, the PI actions, and the Fund Allocation Register."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from core.models import Role
from core.selectors import user_has_role
from core.views import current_tenant_id
from payments.forms import FundRegisterForm, PISearchForm
from payments.models import JitOutcome, PaymentInstruction, PIBeneficiary
from payments.pdf import fund_register_pdf
from payments.selectors import (
    fund_register,
    fund_register_heads,
    fund_register_years,
    pi_call_history,
    pi_get,
    pi_latest_messages,
    pi_search,
    pi_with_details,
)
from payments.services.instructions import LIVE_ORIGINAL_STATUSES, pi_create
from payments.services.polling import pi_next_service, pi_refresh
from payments.services.revised import pi_revise

PI_READERS = (Role.PI_VIEWER, Role.PI_CREATOR)
PAGE_SIZE = 50


def _tenant_for(request, roles) -> str:
    """The tenant the employee works in, if they hold one of `roles` there; else 403."""
    tenant_id = current_tenant_id(request)
    if tenant_id is None or not user_has_role(user=request.user, tenant_id=tenant_id, roles=roles):
        raise PermissionDenied
    return tenant_id


def _pi_or_404(tenant_id: str, pk: int) -> PaymentInstruction:
    try:
        return pi_get(tenant_id=tenant_id, pk=pk)
    except ApplicationError:
        raise Http404 from None


def pi_actions(*, pi: PaymentInstruction, can_act: bool) -> dict[str, bool]:
    """Which actions View PI offers: Retry PI for a failed original nobody has retried, Generate Revised PI for a
    PARTIAL PI, Refresh while JIT-FS still has something to say."""
    retried = (
        pi.pi_type == PaymentInstruction.Type.ORIGINAL
        and pi.payment.payment_instructions.filter(
            pi_type=PaymentInstruction.Type.ORIGINAL, status__in=LIVE_ORIGINAL_STATUSES
        ).exists()
    )
    return {
        "retry": can_act
        and pi.pi_type == PaymentInstruction.Type.ORIGINAL
        and pi.status == PaymentInstruction.Status.FAILED
        and not retried,
        "revise": can_act and pi.status == PaymentInstruction.Status.PARTIAL,
        "refresh": can_act and pi_next_service(pi=pi) is not None,
    }


@login_required
def pi_search_view(request):
    tenant_id = _tenant_for(request, PI_READERS)
    tab = "search" if request.GET.get("tab") == "search" else "pending"
    form = PISearchForm(request.GET if tab == "search" and len(request.GET) > 1 else None)
    results = None
    if tab == "pending":
        results = pi_search(tenant_id=tenant_id, pending_for_action=True)[:PAGE_SIZE]
    elif form.is_valid():
        results = pi_search(tenant_id=tenant_id, **form.cleaned_data)[:PAGE_SIZE]
    return render(request, "payments/pi_search.html", {"tab": tab, "form": form, "results": results})


@login_required
def pi_view(request, pk: int):
    tenant_id = _tenant_for(request, PI_READERS)
    pi = pi_with_details(pi=_pi_or_404(tenant_id, pk))
    can_act = user_has_role(user=request.user, tenant_id=tenant_id, roles=[Role.PI_CREATOR])
    beneficiaries = list(pi.beneficiaries.all())
    return render(
        request,
        "payments/pi_view.html",
        {
            "pi": pi,
            "beneficiaries": beneficiaries,
            "any_failed": any(b.payment_status == PIBeneficiary.Status.FAILED for b in beneficiaries),
            "jit_messages": pi_latest_messages(pi=pi),
            "history": pi_call_history(pi=pi),
            "revisions": pi.revisions.order_by("created_at") if pi.pi_type == PaymentInstruction.Type.ORIGINAL else [],
            "actions": pi_actions(pi=pi, can_act=can_act),
            "success": JitOutcome.SUCCESS,
        },
    )


ACTIONS = {
    "retry": (
        "Retry PI",
        "A new payment instruction is made for this payment, with funds taken again, and sent to JIT-FS.",
    ),
    "revise": (
        "Generate Revised PI",
        "A revised payment instruction is made for the failed beneficiaries, with their current bank accounts, "
        "and sent to JIT-FS (COR). Make every bank account correction first. Once the treasury's revision window "
        "has passed (90 days from the original PI, and no later than 30 April after its financial year), a fresh "
        "payment instruction is made for them instead, with funds taken from a current sanction.",
    ),
    "refresh": ("Refresh", "JIT-FS is asked now for this PI's next status."),
}


@login_required
def pi_action(request, pk: int, action: str):
    """GET: what the action will do, with a Confirm button. POST: do it."""
    if action not in ACTIONS:
        raise Http404
    tenant_id = _tenant_for(request, [Role.PI_CREATOR])
    pi = _pi_or_404(tenant_id, pk)
    if not pi_actions(pi=pi, can_act=True)[action]:
        messages.error(
            request, f"{ACTIONS[action][0]} is not available for {pi.pi_number} ({pi.get_status_display()})."
        )
        return redirect("payments:pi-view", pk=pi.pk)
    if request.method != "POST":
        title, explanation = ACTIONS[action]
        return render(
            request,
            "payments/pi_confirm.html",
            {"pi": pi, "action": action, "title": title, "explanation": explanation},
        )
    try:
        if action == "retry":
            created = pi_create(tenant_id=tenant_id, reference_id=pi.payment.payment_number, actor=request.user)
            _report(request, created, f"Payment instruction {created.pi_number} created")
            return redirect("payments:pi-view", pk=created.pk)
        if action == "revise":
            revision = pi_revise(tenant_id=tenant_id, parent_pi_number=pi.root.pi_number, actor=request.user)
            kind = (
                "Revised payment instruction"
                if revision.pi_type == PaymentInstruction.Type.REVISED
                else "Past the revision window, payment instruction"
            )
            _report(request, revision, f"{kind} {revision.pi_number} created")
            return redirect("payments:pi-view", pk=revision.pk)
        result = pi_refresh(pi=pi, actor=request.user)
        level = messages.SUCCESS if result.outcome == JitOutcome.SUCCESS else messages.ERROR
        messages.add_message(request, level, result.message or "Refreshed.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("payments:pi-view", pk=pi.pk)


def _report(request, pi: PaymentInstruction, text: str) -> None:
    latest = pi.status_logs.order_by("-created_at", "-id").first()
    if pi.status in (PaymentInstruction.Status.FAILED, PaymentInstruction.Status.PENDING):
        messages.error(request, f"{text}: {latest.message if latest else pi.get_status_display()}")
    else:
        messages.success(request, f"{text}: {pi.get_status_display()}.")


@login_required
def fund_register_view(request, export: str = ""):
    tenant_id = _tenant_for(request, [Role.FUND_VIEWER])
    years = fund_register_years(tenant_id=tenant_id)
    data = request.GET.copy()
    data.setdefault("financial_year", years[0])
    form = FundRegisterForm(data, years=years, heads=fund_register_heads(tenant_id=tenant_id))
    rows = fund_register(tenant_id=tenant_id, **form.cleaned_data) if form.is_valid() else []
    if export == "csv" and form.is_valid():
        return _register_csv(rows, form.cleaned_data["financial_year"])
    if export == "pdf" and form.is_valid():
        response = HttpResponse(
            fund_register_pdf(rows=rows, tenant_id=tenant_id, filters=form.cleaned_data), content_type="application/pdf"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="fund-register-{form.cleaned_data["financial_year"]}.pdf"'
        )
        return response
    query = request.GET.urlencode()
    return render(
        request,
        "payments/fund_register.html",
        {
            "form": form,
            "rows": rows,
            "csv_url": f"{reverse('payments:fund-register-csv')}?{query}",
            "pdf_url": f"{reverse('payments:fund-register-pdf')}?{query}",
        },
    )


def _register_csv(rows, year: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="fund-register-{year}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "Head of account",
            "Master allotment",
            "Transaction no",
            "Transaction date",
            "Type",
            "Amount",
            "Sanctioned balance",
            "Fund available",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.hoa_code,
                row.master_allotment_id,
                row.transaction_number,
                timezone.localtime(row.transaction_at).strftime("%d/%m/%Y %H:%M"),
                row.kind_label,
                row.amount,
                row.sanctioned_balance,
                row.fund_available,
            ]
        )
    return response
