"""The simulated gateway's rules: an order is registered once per merchant order id, completed once, and reported
as it stands. Signatures are HMAC-SHA256 with the merchant's shared secret (see views.py for what is signed)."""

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from simulators.pg.models import SimPgControl, SimPgOrder

PAID_MODE = "UPI"


class SimPgRefusal(Exception):
    def __init__(self, status: int, error: str):
        super().__init__(error)
        self.status = status
        self.error = error


def sim_pg_sign(message: bytes) -> str:
    return hmac.new(settings.KOSH_PG_SIMULATOR_SECRET.encode(), message, hashlib.sha256).hexdigest()


def sim_pg_signature_valid(message: bytes, supplied: str) -> bool:
    return bool(supplied) and hmac.compare_digest(supplied, sim_pg_sign(message))


def sim_pg_control_get() -> SimPgControl:
    control, _ = SimPgControl.objects.get_or_create(pk=1)
    return control


def sim_pg_control_set(*, paid_amount_delta: Decimal | None = None, status_unavailable: bool | None = None):
    control = sim_pg_control_get()
    if paid_amount_delta is not None:
        control.paid_amount_delta = paid_amount_delta
    if status_unavailable is not None:
        control.status_unavailable = status_unavailable
    control.save()
    return control


def sim_pg_reset() -> None:
    SimPgControl.objects.all().delete()


def sim_pg_order_create(*, merchant_id: str, order_id: str, amount: Decimal, return_url: str, **details) -> SimPgOrder:
    """Register an order; the same order id again answers the first registration, unless its amount differs."""
    existing = SimPgOrder.objects.filter(merchant_id=merchant_id, order_id=order_id).first()
    if existing is None:
        try:
            with transaction.atomic():
                return SimPgOrder.objects.create(
                    merchant_id=merchant_id,
                    order_id=order_id,
                    gateway_txn_id=f"SIMPG{secrets.token_hex(8).upper()}",
                    amount=amount,
                    return_url=return_url,
                    **details,
                )
        except IntegrityError:
            existing = SimPgOrder.objects.get(merchant_id=merchant_id, order_id=order_id)
    if existing.amount != amount:
        raise SimPgRefusal(409, f"orderId: '{order_id}' is registered for {existing.amount}")
    return existing


def sim_pg_order_complete(*, gateway_txn_id: str, outcome: str) -> SimPgOrder:
    """The payer's choice on the pay page. Only a CREATED order moves; a completed one stays as it is."""
    with transaction.atomic():
        order = SimPgOrder.objects.select_for_update().get(gateway_txn_id=gateway_txn_id)
        if order.status != SimPgOrder.Status.CREATED:
            return order
        order.status = outcome
        order.completed_at = timezone.now()
        if outcome == SimPgOrder.Status.SUCCESS:
            order.paid_amount = order.amount + sim_pg_control_get().paid_amount_delta
            order.payment_mode = PAID_MODE
            order.status_message = "Payment successful"
        elif outcome == SimPgOrder.Status.FAILURE:
            order.status_message = "Declined by the payer's bank"
        else:
            order.status_message = "Cancelled by the payer"
        order.save()
        return order


def sim_pg_order_answer(order: SimPgOrder) -> dict:
    return {
        "merchantId": order.merchant_id,
        "orderId": order.order_id,
        "gatewayTxnId": order.gateway_txn_id,
        "status": order.status,
        "amount": str(order.paid_amount) if order.paid_amount is not None else None,
        "orderAmount": str(order.amount),
        "paymentMode": order.payment_mode or None,
        "statusMessage": order.status_message or None,
    }


def sim_pg_return_params(order: SimPgOrder) -> dict[str, str]:
    """What the payer's browser carries back to the merchant, signed over "k1=v1&k2=v2…" in key order."""
    params = {
        "orderId": order.order_id,
        "gatewayTxnId": order.gateway_txn_id,
        "status": order.status,
        "amount": str(order.paid_amount if order.paid_amount is not None else order.amount),
    }
    params["signature"] = sim_pg_sign(sim_pg_canonical(params).encode())
    return params


def sim_pg_canonical(params: Mapping[str, str]) -> str:
    return "&".join(f"{key}={params[key]}" for key in sorted(params) if key != "signature")
