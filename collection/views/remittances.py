"""Bank remittance page: the approver chooses approved cash and cheque receipts (found by date and service) and
deposits them in a ULB bank account; `remittance_create` does the work. Its refusals come back on their fields."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from collection.selectors import remittable_receipts, remittance_list
from collection.services.remittances import RemittanceInput, remittance_create
from collection.views.forms import RemittableFilterForm, RemittanceForm
from collection.views.reports import collection_approver_required, masked, service_choices
from core.errors import ApplicationError
from core.http import client_ip
from core.money import ZERO, format_inr

# The service names the receipts as the API spells them; its refusal of them is shown beside the ticked receipts.
RECEIPTS_FIELD = "Remittance.remittanceReceipts"


@collection_approver_required
def remittance_create_view(request, tenant_id):
    """GET: the remittable receipts for the filters, each ticked. POST: remit the ticked ones."""
    filters = RemittableFilterForm(request.GET, services=service_choices(tenant_id))
    receipts = []
    if filters.is_valid():
        data = filters.cleaned_data
        receipts = list(
            remittable_receipts(
                tenant_id=tenant_id,
                business_service=data["business_service"],
                from_date=data["from_date"],
                to_date=data["to_date"],
            )
        )
    form = RemittanceForm(
        request.POST if request.method == "POST" else None,
        initial={"receipts": [receipt.receipt_number for receipt in receipts]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            remittance = remittance_create(
                remittance=RemittanceInput(
                    tenant_id=tenant_id,
                    bank_account=data["bank_account"],
                    receipt_numbers=data["receipts"],
                    remarks=data["remarks"],
                    reason_for_delay=data["reason_for_delay"],
                ),
                actor=request.user,
                source_ip=client_ip(request),
            )
        except ApplicationError as exc:
            if exc.field == RECEIPTS_FIELD:
                form.add_error("receipts", exc.message.removeprefix(f"{RECEIPTS_FIELD}: "))
            else:
                form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                f"Remittance {remittance.reference_number}: ₹{format_inr(remittance.total_amount)} deposited in "
                f"account {masked(remittance.bank_account)}.",
            )
            return redirect("collection:remittance-view", pk=remittance.pk)
    chosen = set(form["receipts"].value() or [])
    return render(
        request,
        "collection/remittance_create.html",
        {
            "filters": filters,
            "form": form,
            "receipts": [{"receipt": receipt, "checked": receipt.receipt_number in chosen} for receipt in receipts],
            "total": sum((receipt.total_amount_paid for receipt in receipts), ZERO),
            # Receipts belong to cities; a state's approver remits from one of its cities.
            "is_state": "." not in tenant_id,
            "section": "remit",
        },
    )


@collection_approver_required
def remittance_view(request, tenant_id, pk):
    found = remittance_list(tenant_id=tenant_id, ids=[pk])
    if not found:
        raise Http404("No such remittance")
    [remittance] = found
    return render(
        request,
        "collection/remittance_view.html",
        {
            "remittance": remittance,
            "bank_account": masked(remittance.bank_account),
            "lines": list(remittance.voucher.lines.all()) if remittance.voucher_id else [],
            "receipts": sorted(
                (
                    {"payment": payment, "detail": detail}
                    for payment in remittance.payments.all()
                    for detail in payment.details.all()
                ),
                key=lambda item: item["detail"].receipt_number,
            ),
            "section": "remittances",
        },
    )
