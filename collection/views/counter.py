"""Collect Payment at the counter (mGramSeva's screen): search a consumer, see the bill, take the payment, show the
receipt. The payment is `payment_create`'s; these views only read, fetch the bill and hand the form over."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from billing.models import Bill
from billing.services.bills import BillCriteria, bill_fetch
from collection.forms import CollectPaymentForm, ConsumerSearchForm
from collection.models import INSTRUMENT_MODES, PaymentMode
from collection.selectors import (
    counter_bill_get,
    counter_bill_rows,
    counter_consumers_search,
    payment_receipts,
    receipt_sms_get,
)
from collection.services.payments import payment_create
from core.errors import ApplicationError, NotFoundError
from core.http import client_ip
from core.models import Role
from core.selectors import user_has_role
from core.views import current_tenant

COLLECTORS = (Role.COLLECTION_OPERATOR,)
RECEIPT_READERS = (Role.COLLECTION_OPERATOR, Role.COLLECTION_APPROVER)


def tenant_for(request, roles) -> str:
    """The tenant the employee works in, if they hold one of `roles` there; else 403."""
    tenant = current_tenant(request)
    if tenant is None or not user_has_role(user=request.user, tenant_id=tenant.code, roles=roles):
        raise PermissionDenied
    return tenant.code


def _city_for_collection(request) -> str | None:
    """Payments are taken in a city: a collector working in a state is asked to switch to one."""
    tenant_id = tenant_for(request, COLLECTORS)
    return tenant_id if "." in tenant_id else None


@login_required
def collect_search(request):
    tenant_id = _city_for_collection(request)
    form = ConsumerSearchForm(request.GET or None)
    consumers = None
    if tenant_id and form.is_valid():
        consumers = counter_consumers_search(tenant_id=tenant_id, **form.cleaned_data)
    return render(
        request, "collection/collect_search.html", {"form": form, "consumers": consumers, "in_state": not tenant_id}
    )


@login_required
def collect_consumer(request):
    """Fetch the consumer's bill (the valid one, or a new one from the open demands, as `_fetchbill` does) and open
    it; a consumer with nothing to pay goes back to the search with the reason."""
    tenant_id = _city_for_collection(request)
    service, consumer_code = request.GET.get("service", ""), request.GET.get("consumer", "")
    if not (tenant_id and service and consumer_code):
        return redirect("collection:collect")
    try:
        [bill] = bill_fetch(
            criteria=BillCriteria(tenant_id=tenant_id, business_service_code=service, consumer_codes=(consumer_code,)),
            actor=request.user,
            source_ip=client_ip(request),
        )
    except ApplicationError as exc:
        messages.error(request, f"{consumer_code}: {exc.message.split(': ', 1)[-1]}")
        return redirect(f"{reverse('collection:collect')}?{urlencode({'consumer_code': consumer_code})}")
    return redirect("collection:collect-bill", bill_id=bill.pk)


@login_required
def collect_bill(request, bill_id):
    """The consumer, the bill and the payment form. POST takes the payment."""
    tenant_id = _city_for_collection(request)
    if tenant_id is None:
        return redirect("collection:collect")
    try:
        bill = counter_bill_get(tenant_id=tenant_id, bill_id=bill_id)
    except NotFoundError:
        raise Http404 from None
    payable = bill.status == Bill.Status.ACTIVE and bill.expires_at > timezone.now()
    form = CollectPaymentForm(request.POST if request.method == "POST" else None, bill=bill)
    if request.method == "POST" and form.is_valid():
        try:
            payment = payment_create(payment=form.payment_input(), actor=request.user, source_ip=client_ip(request))
        except ApplicationError as exc:
            form.refusal_show(exc)
        else:
            return redirect("collection:collect-done", payment_id=payment.pk)
    paid_receipt = getattr(bill, "payment_detail", None) if bill.status != Bill.Status.ACTIVE else None
    return render(
        request,
        "collection/collect_bill.html",
        {
            "bill": bill,
            "service": bill.business_service,
            "rows": counter_bill_rows(bill=bill),
            "form": form,
            "payable": payable,
            "paid_receipt": paid_receipt,
            "refetch_url": f"{reverse('collection:collect-consumer')}?"
            + urlencode({"service": bill.business_service.code, "consumer": bill.consumer_code}),
            "instrument_modes": [mode.value for mode in INSTRUMENT_MODES],
            "card_mode": PaymentMode.CARD.value,
        },
    )


@login_required
def collect_done(request, payment_id):
    """Payment success: the receipt number, its PDF, the mini receipt, and the payer's SMS."""
    tenant_id = tenant_for(request, RECEIPT_READERS)
    try:
        receipts = payment_receipts(tenant_id=tenant_id, payment_id=payment_id)
    except NotFoundError:
        raise Http404 from None
    return render(
        request,
        "collection/collect_done.html",
        {
            "payment": receipts[0].payment,
            "receipts": [(receipt, receipt_sms_get(receipt=receipt)) for receipt in receipts],
        },
    )
