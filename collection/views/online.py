"""Where a payment gateway sends the payer's browser back. The return is checked for the gateway's signature and the
transaction settled from the gateway's status; the browser then goes on to the caller's `callbackUrl` with
`eg_pg_txnid` (as DIGIT's pg-service does), or, when the caller gave none, sees a short result page."""

from urllib.parse import urlencode, urlsplit

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from collection.services.online import pg_transaction_return as pg_transaction_return_settle
from core.errors import ApplicationError
from core.http import client_ip


@csrf_exempt
@require_http_methods(["GET", "POST"])
def pg_transaction_return(request, gateway: str):
    # Gateways come back by GET or by a form POST; the signed parameters are read from either.
    params = {**request.GET.dict(), **request.POST.dict()}
    try:
        txn = pg_transaction_return_settle(gateway_code=gateway, params=params, source_ip=client_ip(request))
    except ApplicationError as exc:
        return render(request, "collection/online_result.html", {"error": exc.message}, status=exc.status_code)
    if txn.callback_url:
        separator = "&" if urlsplit(txn.callback_url).query else "?"
        return HttpResponseRedirect(f"{txn.callback_url}{separator}{urlencode({'eg_pg_txnid': txn.txn_id})}")
    receipt = txn.payment.details.order_by("receipt_number").first() if txn.payment_id else None
    return render(request, "collection/online_result.html", {"txn": txn, "receipt": receipt})
