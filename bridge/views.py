"""The bridge operator's pages: envelopes and their pipeline, statement upload and results, the review queue."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from bridge import selectors
from bridge.forms import ReviewCloseForm, StatementUploadForm
from bridge.models import BankBatch, EnvelopeStage, ReviewItem, Statement
from bridge.services.pipeline import stage_retry
from bridge.services.statements import StatementUploadRejected, review_item_close, statement_reprocess, statement_upload
from core.errors import ApplicationError
from core.models import Role
from core.selectors import user_has_role
from core.views import current_tenant_id


def bridge_operator_required(view):
    """Signed in, and a BRIDGE_OPERATOR in the tenant being worked in; the tenant is handed to the view."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        tenant_id = current_tenant_id(request)
        if tenant_id is None or not user_has_role(user=request.user, tenant_id=tenant_id, roles=[Role.BRIDGE_OPERATOR]):
            raise PermissionDenied("Only a bridge operator of this tenant may open the bridge pages.")
        return view(request, tenant_id, *args, **kwargs)

    return wrapper


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _stage_rows(envelope, summary: dict, batch_counts: dict) -> list[dict]:
    """Each stage with how far it got, for the progress bars."""
    declared = envelope.number_of_disbursements
    batches = sum(batch_counts.values())
    sent = batch_counts.get(BankBatch.Status.SENT, 0)
    progress = {
        EnvelopeStage.Stage.RESOLVE: (summary["received_count"] - summary["pending_count"], declared),
        EnvelopeStage.Stage.DISPATCH: (sent, batches),
        EnvelopeStage.Stage.RECONCILE: (summary["reconciled_count"], summary["shipped_count"]),
    }
    rows = []
    for row in selectors.envelope_stages(envelope):
        done, whole = progress.get(row.stage, (1 if row.status == EnvelopeStage.Status.DONE else 0, 1))
        percent = (
            100 if row.status in (EnvelopeStage.Status.DONE, EnvelopeStage.Status.SKIPPED) else _percent(done, whole)
        )
        rows.append({"row": row, "done": done, "whole": whole, "percent": percent})
    return rows


@bridge_operator_required
def envelope_list(request, tenant_id):
    page = Paginator(selectors.envelope_list(tenant_id=tenant_id), 25).get_page(request.GET.get("page"))
    counts = selectors.envelope_counts([envelope.pk for envelope in page])
    rows = [
        {
            "envelope": envelope,
            "summary": counts[envelope.pk],
            "stages": selectors.envelope_stages(envelope),
            "shipped_percent": _percent(counts[envelope.pk]["shipped_count"], envelope.number_of_disbursements),
        }
        for envelope in page
    ]
    return render(
        request,
        "bridge/envelope_list.html",
        {"page": page, "rows": rows, "review_counts": selectors.review_counts(tenant_id=tenant_id)},
    )


@bridge_operator_required
def envelope_detail(request, tenant_id, pk):
    envelope = selectors.envelope_get(tenant_id=tenant_id, pk=pk)
    if envelope is None:
        raise Http404("No such envelope")
    summary = selectors.envelope_counts([envelope.pk])[envelope.pk]
    batch_counts = selectors.envelope_batch_counts(envelope=envelope)
    batches = Paginator(selectors.envelope_batches(envelope=envelope), 50).get_page(request.GET.get("page"))
    reviews = selectors.review_queue(tenant_id=tenant_id).filter(disbursement__envelope=envelope)[:20]
    return render(
        request,
        "bridge/envelope_detail.html",
        {
            "envelope": envelope,
            "summary": summary,
            "stages": _stage_rows(envelope, summary, batch_counts),
            "batch_counts": batch_counts,
            "batches": batches,
            "reviews": reviews,
        },
    )


@require_POST
@bridge_operator_required
def envelope_stage_retry(request, tenant_id, pk, stage):
    envelope = selectors.envelope_get(tenant_id=tenant_id, pk=pk)
    if envelope is None or stage not in EnvelopeStage.Stage.values:
        raise Http404("No such envelope stage")
    try:
        stage_retry(envelope=envelope, stage=stage, actor=request.user)
        messages.success(request, f"{EnvelopeStage.Stage(stage).label}: tried again.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("bridge:envelope-detail", pk=envelope.pk)


@bridge_operator_required
def statement_list(request, tenant_id):
    form = StatementUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["statement_file"]
        try:
            statement = statement_upload(
                tenant_id=tenant_id,
                content=upload.read(),
                filename=upload.name,
                encoding=form.cleaned_data["encoding"],
                user=request.user,
            )
        except StatementUploadRejected as exc:
            form.add_error("statement_file", exc.message.split(": ", 1)[-1])
        else:
            messages.success(request, f"{statement.filename} uploaded.")
            return redirect("bridge:statement-detail", pk=statement.pk)
    page = Paginator(selectors.statement_list(tenant_id=tenant_id), 25).get_page(request.GET.get("page"))
    return render(request, "bridge/statement_list.html", {"form": form, "page": page})


@bridge_operator_required
def statement_detail(request, tenant_id, pk):
    statement = selectors.statement_get(tenant_id=tenant_id, pk=pk)
    if statement is None:
        raise Http404("No such statement")
    reviews = Paginator(
        selectors.review_queue(tenant_id=tenant_id, status="").filter(statement=statement).order_by("entry_sequence"),
        50,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "bridge/statement_detail.html",
        {
            "statement": statement,
            "blocks": statement.blocks.select_related("program").order_by("position")[:200],
            "reviews": reviews,
            "matched": statement.remittance_count + statement.reversal_count,
            "is_pending": statement.status in (Statement.Status.PENDING, Statement.Status.RUNNING),
        },
    )


@require_POST
@bridge_operator_required
def statement_reprocess_view(request, tenant_id, pk):
    statement = selectors.statement_get(tenant_id=tenant_id, pk=pk)
    if statement is None:
        raise Http404("No such statement")
    statement_reprocess(statement=statement, actor=request.user)
    messages.success(request, "The statement is being processed again; what is already recorded stays as it is.")
    return redirect("bridge:statement-detail", pk=statement.pk)


@bridge_operator_required
def review_queue(request, tenant_id):
    status = request.GET.get("status", ReviewItem.Status.OPEN)
    if status not in ReviewItem.Status.values:
        status = ReviewItem.Status.OPEN
    page = Paginator(selectors.review_queue(tenant_id=tenant_id, status=status), 50).get_page(request.GET.get("page"))
    counts = selectors.review_counts(tenant_id=tenant_id)
    return render(
        request,
        "bridge/review_queue.html",
        {
            "page": page,
            "status": status,
            "statuses": [(value, label, counts.get(value, 0)) for value, label in ReviewItem.Status.choices],
        },
    )


@require_POST
@bridge_operator_required
def review_item_close_view(request, tenant_id, pk):
    item = selectors.review_queue(tenant_id=tenant_id, status="").filter(pk=pk).first()
    if item is None:
        raise Http404("No such review line")
    form = ReviewCloseForm(request.POST)
    if form.is_valid():
        try:
            review_item_close(
                item=item, status=form.cleaned_data["action"], note=form.cleaned_data["note"], actor=request.user
            )
            messages.success(
                request,
                f"Line {item.entry_sequence} of {item.statement.filename}: {form.cleaned_data['action'].lower()}.",
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("bridge:review-queue")
    return redirect(target)
