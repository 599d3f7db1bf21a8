"""What every SMS provider takes, answers and raises. Providers know nothing of the outbox or the database."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutgoingSms:
    """One SMS as a gateway needs it."""

    to: str  # ten digits, already validated
    text: str
    dlt_template_id: str
    reference: str  # Kosh's own id for the message, given to gateways that accept one


@dataclass(frozen=True)
class SmsAccepted:
    """The gateway took the message; its id is what delivery reports will name."""

    provider_message_id: str


@dataclass(frozen=True)
class DeliveryReport:
    """A gateway's word on one message. `status` is DELIVERED or FAILED, or None for an interim state."""

    provider_message_id: str
    status: str | None
    error: str = ""
    raw_status: str = ""


class SmsSendError(Exception):
    """The gateway did not take the message. `retryable` says whether trying again may succeed."""

    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.message = message
        self.retryable = retryable


class SmsConfigurationError(Exception):
    """The provider's settings are incomplete or wrong; no message is attempted until they are fixed."""


class SmsProvider(Protocol):
    name: str

    def problems(self) -> list[str]:
        """What in the provider's settings keeps it from sending; empty when it can send."""
        ...

    def send(self, sms: OutgoingSms) -> SmsAccepted:
        """Hand one message to the gateway, or raise SmsSendError."""
        ...

    def delivery_report_token(self) -> str:
        """The shared secret the gateway's delivery reports must carry; empty when it sends none."""
        ...

    def delivery_report_parse(self, data: dict[str, str]) -> DeliveryReport:
        """Read a delivery report's fields (query, form or JSON merged), or raise ValueError naming the field."""
        ...
