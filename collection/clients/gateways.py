"""The payment-gateway interface online payments use: start a transaction (the gateway answers the page the payer's
browser goes to), read the signed return the browser brings back, and ask the gateway for a transaction's status.
Plain data in and out, no ORM; an implementation raises only the errors below. Gateways are named by code in
`KOSH_PG_GATEWAYS` (code → dotted class path)."""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.conf import settings
from django.utils.module_loading import import_string


class GatewayError(Exception):
    """The gateway could not be asked, or did not answer as agreed. `message` is safe to store and show."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class GatewayUnavailable(GatewayError):
    """No answer: not configured, connection refused, timeout, 5xx."""


class GatewayRefused(GatewayError):
    """The gateway answered and refused the request."""


class GatewayProtocolError(GatewayError):
    """An answer or a return that is not the gateway's: not its format, or not signed with the shared secret."""


class GatewayOutcome(StrEnum):
    """What the gateway says of a transaction. PENDING: not finished there (the payer has not acted yet, or left)."""

    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    PENDING = "PENDING"


@dataclass(frozen=True)
class GatewayOrder:
    txn_id: str
    amount: Decimal
    # Where the gateway sends the payer's browser back.
    return_url: str
    product_info: str = ""
    payer_name: str = ""
    payer_mobile: str = ""
    payer_email: str = ""


@dataclass(frozen=True)
class GatewayRedirect:
    gateway_txn_id: str
    redirect_url: str


@dataclass(frozen=True)
class GatewayStatus:
    txn_id: str
    outcome: GatewayOutcome
    # What the payer paid, as the gateway reports it (None while nothing is paid).
    amount: Decimal | None
    gateway_txn_id: str = ""
    payment_mode: str = ""
    status_code: str = ""
    status_msg: str = ""


class PaymentGateway(ABC):
    code: str = ""

    @abstractmethod
    def transaction_start(self, order: GatewayOrder) -> GatewayRedirect:
        """Register the order with the gateway; the same txn_id again answers the same page."""

    @abstractmethod
    def transaction_status(self, txn_id: str) -> GatewayStatus:
        """The gateway's own record of the transaction, asked live."""

    @abstractmethod
    def return_txn_id(self, params: Mapping[str, str]) -> str:
        """The txnId the payer's browser returned with, once the gateway's signature over `params` is verified.
        What the return says of the outcome is never used: the status is asked of the gateway."""


def payment_gateway_codes() -> list[str]:
    return sorted(settings.KOSH_PG_GATEWAYS)


def payment_gateway(code: str) -> PaymentGateway:
    """The configured gateway of that code; GatewayUnavailable when there is none."""
    path = settings.KOSH_PG_GATEWAYS.get(code)
    if not path:
        raise GatewayUnavailable("PG_GATEWAY_NOT_CONFIGURED", f"no payment gateway '{code}' is configured")
    gateway = import_string(path)()
    gateway.code = code
    return gateway
