"""The simulated payment gateway (simulators/pg), over HTTP like a real gateway's merchant API.

Every request carries `X-Merchant-Id` and `X-Signature`: hex HMAC-SHA256, keyed with the merchant secret, of
"METHOD\\nPATH\\nBODY". The status answer is signed the same way over its body, and the payer's browser returns with
query parameters signed over "k1=v1&k2=v2…" (sorted, `signature` left out). The secret is never logged."""

import hashlib
import hmac
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

import requests
from django.conf import settings

from collection.clients.gateways import (
    GatewayOrder,
    GatewayOutcome,
    GatewayProtocolError,
    GatewayRedirect,
    GatewayRefused,
    GatewayStatus,
    GatewayUnavailable,
    PaymentGateway,
)
from core.http import ThreadSessions

ORDERS_PATH = "api/v1/orders"
# The simulator's own states, as Kosh reads them.
OUTCOMES = {
    "CREATED": GatewayOutcome.PENDING,
    "SUCCESS": GatewayOutcome.SUCCESS,
    "FAILURE": GatewayOutcome.FAILURE,
    "ABANDONED": GatewayOutcome.FAILURE,
}

_sessions = ThreadSessions()


def sessions_close() -> None:
    """Close this thread's pooled connections (a test server going away)."""
    _sessions.close()


def sign(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def return_signature(secret: str, params: Mapping[str, str]) -> str:
    canonical = "&".join(f"{key}={params[key]}" for key in sorted(params) if key != "signature")
    return sign(secret, canonical.encode())


class SimulatorGateway(PaymentGateway):
    def __init__(self):
        self.base_url = settings.KOSH_PG_SIMULATOR_URL.rstrip("/")
        self.merchant_id = settings.KOSH_PG_SIMULATOR_MERCHANT_ID
        self.secret = settings.KOSH_PG_SIMULATOR_SECRET
        self.timeout = (settings.KOSH_PG_CONNECT_TIMEOUT_SECONDS, settings.KOSH_PG_READ_TIMEOUT_SECONDS)

    def _call(self, method: str, path: str, *, body: dict | None = None) -> tuple[int, dict, requests.Response]:
        if not self.base_url or not self.secret:
            raise GatewayUnavailable("PG_GATEWAY_NOT_CONFIGURED", "KOSH_PG_SIMULATOR_URL or its secret is not set")
        url = f"{self.base_url}/{path}"
        data = json.dumps(body).encode() if body is not None else b""
        signature = sign(self.secret, f"{method}\n{urlsplit(url).path}\n".encode() + data)
        headers = {"X-Merchant-Id": self.merchant_id, "X-Signature": signature, "Content-Type": "application/json"}
        try:
            response = _sessions.get().request(method, url, data=data or None, headers=headers, timeout=self.timeout)
        except requests.Timeout:
            raise GatewayUnavailable("PG_GATEWAY_TIMEOUT", f"{path}: no answer in time") from None
        except requests.RequestException as exc:
            raise GatewayUnavailable("PG_GATEWAY_UNREACHABLE", f"{path}: {type(exc).__name__}") from None
        if response.status_code >= 500:
            raise GatewayUnavailable("PG_GATEWAY_ERROR", f"{path}: HTTP {response.status_code}")
        try:
            answer = json.loads(response.content, parse_float=Decimal)
        except ValueError:
            raise GatewayProtocolError(
                "PG_GATEWAY_BAD_REPLY", f"{path}: HTTP {response.status_code}, not JSON"
            ) from None
        if not isinstance(answer, dict):
            raise GatewayProtocolError("PG_GATEWAY_BAD_REPLY", f"{path}: not a JSON object")
        return response.status_code, answer, response

    def transaction_start(self, order: GatewayOrder) -> GatewayRedirect:
        status, answer, _ = self._call(
            "POST",
            ORDERS_PATH,
            body={
                "merchantId": self.merchant_id,
                "orderId": order.txn_id,
                "amount": str(order.amount),
                "currency": "INR",
                "returnUrl": order.return_url,
                "productInfo": order.product_info,
                "customer": {"name": order.payer_name, "mobile": order.payer_mobile, "email": order.payer_email},
            },
        )
        if status >= 400:
            raise GatewayRefused("PG_GATEWAY_REFUSED", str(answer.get("error") or f"HTTP {status}"))
        gateway_txn_id, pay_url = answer.get("gatewayTxnId"), answer.get("payUrl")
        if not isinstance(gateway_txn_id, str) or not isinstance(pay_url, str) or not gateway_txn_id or not pay_url:
            raise GatewayProtocolError("PG_GATEWAY_BAD_REPLY", "the order answer has no gatewayTxnId or payUrl")
        return GatewayRedirect(gateway_txn_id=gateway_txn_id, redirect_url=pay_url)

    def transaction_status(self, txn_id: str) -> GatewayStatus:
        status, answer, response = self._call("GET", f"{ORDERS_PATH}/{txn_id}")
        if status == 404:
            return GatewayStatus(
                txn_id=txn_id,
                outcome=GatewayOutcome.PENDING,
                amount=None,
                status_code="NOT_FOUND",
                status_msg="the gateway has no such order",
            )
        if status >= 400:
            raise GatewayRefused("PG_GATEWAY_REFUSED", str(answer.get("error") or f"HTTP {status}"))
        if not hmac.compare_digest(response.headers.get("X-Signature", ""), sign(self.secret, response.content)):
            raise GatewayProtocolError("PG_GATEWAY_BAD_SIGNATURE", "the status answer is not signed by the gateway")
        state = answer.get("status")
        if answer.get("orderId") != txn_id or state not in OUTCOMES:
            raise GatewayProtocolError("PG_GATEWAY_BAD_REPLY", "the status answer names another order or status")
        try:
            amount = Decimal(str(answer["amount"])) if answer.get("amount") is not None else None
        except InvalidOperation:
            raise GatewayProtocolError("PG_GATEWAY_BAD_REPLY", "the status answer's amount is not a number") from None
        return GatewayStatus(
            txn_id=txn_id,
            outcome=OUTCOMES[state],
            amount=amount,
            gateway_txn_id=str(answer.get("gatewayTxnId") or ""),
            payment_mode=str(answer.get("paymentMode") or ""),
            status_code=state,
            status_msg=str(answer.get("statusMessage") or "")[:500],
        )

    def return_txn_id(self, params: Mapping[str, str]) -> str:
        supplied, order_id = params.get("signature", ""), params.get("orderId", "")
        if not supplied or not order_id:
            raise GatewayProtocolError("PG_RETURN_INCOMPLETE", "the return carries no orderId or signature")
        if not hmac.compare_digest(supplied, return_signature(self.secret, params)):
            raise GatewayProtocolError("PG_RETURN_BAD_SIGNATURE", "the return is not signed by the gateway")
        return order_id
