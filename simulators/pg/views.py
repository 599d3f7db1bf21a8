"""The payment gateway simulator over HTTP, mounted at /simulators/pg/ (see `urls.py`). A gateway's wire format, not a
Kosh API, so plain Django views.

Merchant calls carry `X-Merchant-Id` and `X-Signature` = hex HMAC-SHA256(secret, "METHOD\\nPATH\\nBODY"):
- `POST api/v1/orders` {merchantId, orderId, amount, currency, returnUrl, productInfo, customer{name, mobile, email}}
  → {orderId, gatewayTxnId, payUrl, status}; the same orderId again answers the same order.
- `GET api/v1/orders/<orderId>` → {orderId, gatewayTxnId, status CREATED|SUCCESS|FAILURE|ABANDONED, amount paid,
  paymentMode, statusMessage}, the body signed in the answer's `X-Signature`; 404 for an unknown order.
- `POST control` {paidAmountDelta, statusUnavailable} and `POST reset`: how the gateway misbehaves, for tests and demos.
The payer's browser opens `pay/<gatewayTxnId>` (Pay, Decline, Cancel) and is sent back to the order's returnUrl with
orderId, gatewayTxnId, status, amount and a signature over them."""

import json
from decimal import Decimal, InvalidOperation
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from simulators.pg.models import SimPgOrder
from simulators.pg.services import (
    SimPgRefusal,
    sim_pg_control_get,
    sim_pg_control_set,
    sim_pg_order_answer,
    sim_pg_order_complete,
    sim_pg_order_create,
    sim_pg_reset,
    sim_pg_return_params,
    sim_pg_sign,
    sim_pg_signature_valid,
)
from simulators.views import simulator_only

OUTCOMES = {
    "pay": SimPgOrder.Status.SUCCESS,
    "decline": SimPgOrder.Status.FAILURE,
    "cancel": SimPgOrder.Status.ABANDONED,
}


def _refuse(status: int, error: str) -> JsonResponse:
    return JsonResponse({"error": error}, status=status)


def merchant_call(view):
    """401 unless the call is signed by the merchant; the view gets the JSON body (an object, or {} for none)."""

    @simulator_only
    @csrf_exempt
    @wraps(view)
    def checked(request, *args, **kwargs):
        message = f"{request.method}\n{request.path}\n".encode() + request.body
        if request.headers.get("X-Merchant-Id") != settings.KOSH_PG_SIMULATOR_MERCHANT_ID or not (
            sim_pg_signature_valid(message, request.headers.get("X-Signature", ""))
        ):
            return _refuse(401, "X-Merchant-Id and X-Signature: the call is not signed by a known merchant")
        try:
            body = json.loads(request.body or b"{}", parse_float=Decimal)
        except (ValueError, UnicodeDecodeError):
            return _refuse(400, "body: not JSON")
        if not isinstance(body, dict):
            return _refuse(400, "body: a JSON object is expected")
        return view(request, body, *args, **kwargs)

    return checked


def _amount(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise SimPgRefusal(400, f"{field}: not an amount") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise SimPgRefusal(400, f"{field}: a positive amount with at most two decimals")
    return amount


def _text(body: dict, field: str, *, required: bool = False, limit: int = 200) -> str:
    value = body.get(field)
    if value in (None, "") and not required:
        return ""
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise SimPgRefusal(400, f"{field}: text of at most {limit} characters is required")
    return value.strip()


@require_POST
@merchant_call
def order_create(request, body):
    try:
        return_url = _text(body, "returnUrl", required=True, limit=2000)
        if urlsplit(return_url).scheme not in ("http", "https"):
            raise SimPgRefusal(400, "returnUrl: an http(s) address")
        customer = body.get("customer") if isinstance(body.get("customer"), dict) else {}
        order = sim_pg_order_create(
            merchant_id=request.headers["X-Merchant-Id"],
            order_id=_text(body, "orderId", required=True, limit=64),
            amount=_amount(body.get("amount"), "amount"),
            return_url=return_url,
            product_info=_text(body, "productInfo", limit=512),
            customer_name=_text(customer, "name"),
            customer_mobile=_text(customer, "mobile", limit=20),
            customer_email=_text(customer, "email", limit=254),
        )
    except SimPgRefusal as exc:
        return _refuse(exc.status, exc.error)
    pay_url = request.build_absolute_uri(reverse("simulators-pg:pay", args=[order.gateway_txn_id]))
    return JsonResponse(
        {"orderId": order.order_id, "gatewayTxnId": order.gateway_txn_id, "payUrl": pay_url, "status": order.status}
    )


@require_GET
@merchant_call
def order_status(request, body, order_id: str):
    if sim_pg_control_get().status_unavailable:
        return _refuse(503, "the gateway is down")
    order = SimPgOrder.objects.filter(merchant_id=request.headers["X-Merchant-Id"], order_id=order_id).first()
    if order is None:
        return _refuse(404, f"orderId: no order '{order_id}'")
    answer = json.dumps(sim_pg_order_answer(order)).encode()
    return HttpResponse(answer, content_type="application/json", headers={"X-Signature": sim_pg_sign(answer)})


@require_POST
@merchant_call
def control(request, body):
    """POST `paidAmountDelta` (rupees added to what a payer pays) and `statusUnavailable` (true: status answers 503)."""
    delta, unavailable = body.get("paidAmountDelta"), body.get("statusUnavailable")
    try:
        delta = Decimal(str(delta)) if delta is not None else None
    except InvalidOperation:
        return _refuse(400, "paidAmountDelta: not an amount")
    if unavailable is not None and not isinstance(unavailable, bool):
        return _refuse(400, "statusUnavailable: true or false")
    current = sim_pg_control_set(paid_amount_delta=delta, status_unavailable=unavailable)
    return JsonResponse(
        {"paidAmountDelta": str(current.paid_amount_delta), "statusUnavailable": current.status_unavailable}
    )


@require_POST
@merchant_call
def reset(request, body):
    """Forget every control (orders stay: a gateway keeps its books)."""
    sim_pg_reset()
    return JsonResponse({"status": "RESET"})


@simulator_only
@csrf_exempt
@require_http_methods(["GET", "POST"])
def pay(request, gateway_txn_id: str):
    """The hosted pay page. POST `outcome` pay | decline | cancel completes the order (once) and sends the payer back
    to the merchant with the signed result."""
    order = get_object_or_404(SimPgOrder, gateway_txn_id=gateway_txn_id)
    if request.method == "GET":
        return render(request, "simulators/pg_pay.html", {"order": order})
    outcome = OUTCOMES.get(request.POST.get("outcome", ""))
    if outcome is None:
        return render(
            request, "simulators/pg_pay.html", {"order": order, "error": "Choose Pay, Decline or Cancel."}, status=400
        )
    order = sim_pg_order_complete(gateway_txn_id=gateway_txn_id, outcome=outcome)
    separator = "&" if urlsplit(order.return_url).query else "?"
    return HttpResponseRedirect(f"{order.return_url}{separator}{urlencode(sim_pg_return_params(order))}")
