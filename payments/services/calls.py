"""One JIT call, as every service makes it: send, classify the outcome, and keep what was said.

Outcomes: SUCCESS (an answer without error), ERROR (JIT's own error, or refused credentials, keys or
protocol), NO_RESPONSE (nothing came back). Each is kept as a JitCall with the request masked, and each
becomes the message View PI shows, in the words of the source story."""

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from payments.clients.jit import JitError, JitNoResponseError, JitResponse, jit_client_from_settings
from payments.models import JitCall, JitOutcome, PaymentInstruction, PIStatusLog, account_mask

logger = logging.getLogger(__name__)

IST = ZoneInfo("Asia/Kolkata")
SUCCESS_TEXT = "Response is received and updated successfully"
NO_RESPONSE_TEXT = "No response is received."

# Request and answer fields that carry an account number, or other personal numbers, masked in the log.
_ACCOUNT_FIELDS = frozenset(
    {"benfAcctNo", "benfAccountNo", "orgAccountNo", "curAccountNo", "correctedAccountNo", "accountNumber"}
)
_PERSONAL_FIELDS = frozenset({"panNo", "adhaarNumber", "benfMobileNo", "benfEmailId"})


def jit_message(*, service: str, outcome: str, error: str = "") -> str:
    """What View PI shows for a call: `On call of FTFPS API: No response is received.` and the like."""
    if outcome == JitOutcome.SUCCESS:
        return f"On call of {service} API: {SUCCESS_TEXT}"
    if outcome == JitOutcome.NO_RESPONSE:
        return f"On call of {service} API: {NO_RESPONSE_TEXT}"
    return f"On call of {service} API: {error}"


def jit_redact(value):
    """A copy of a request or answer safe to store: account numbers to their last 4, personal numbers hidden."""
    if isinstance(value, dict):
        redacted = {}
        for key, item in value.items():
            if key in _ACCOUNT_FIELDS and isinstance(item, str):
                redacted[key] = account_mask(item)
            elif key in _PERSONAL_FIELDS and item:
                redacted[key] = "[redacted]"
            else:
                redacted[key] = jit_redact(item)
        return redacted
    if isinstance(value, list | tuple):
        return [jit_redact(item) for item in value]
    return value


@dataclass
class JitExchange:
    """A call made but not yet stored: stored with the state change it causes, in one transaction."""

    service: str
    request: dict
    response: JitResponse | None
    outcome: str
    error: str
    http_status: int | None
    duration_ms: int
    attempt: int = 1

    @property
    def message(self) -> str:
        return jit_message(service=self.service, outcome=self.outcome, error=self.error)

    def outcome_downgrade(self, error: str) -> None:
        """An answer Kosh cannot use (fields missing or malformed) counts as an error."""
        self.outcome, self.error = JitOutcome.ERROR, error


def jit_exchange(*, service: str, params: dict, attempt: int = 1) -> JitExchange:
    """Call JIT-FS (outside any transaction: no row is locked while the network is waited on)."""
    started = time.monotonic()
    response, http_status = None, None
    try:
        response = jit_client_from_settings().call(service, params)
        http_status = response.http_status
        outcome = JitOutcome.ERROR if response.is_error else JitOutcome.SUCCESS
        error = response.error_text if response.is_error else ""
    except JitNoResponseError as exc:
        outcome, error, http_status = JitOutcome.NO_RESPONSE, exc.message, exc.http_status
    except JitError as exc:
        outcome, error, http_status = JitOutcome.ERROR, exc.message, exc.http_status
    duration_ms = int((time.monotonic() - started) * 1000)
    if outcome != JitOutcome.SUCCESS:
        logger.warning("JIT %s %s after %d ms: %s", service, outcome, duration_ms, error)
    return JitExchange(
        service=service,
        request=params,
        response=response,
        outcome=outcome,
        error=error,
        http_status=http_status,
        duration_ms=duration_ms,
        attempt=attempt,
    )


def jit_call_record(*, exchange: JitExchange, tenant_id: str | None, pi: PaymentInstruction | None) -> JitCall:
    """Keep the call. Call inside the transaction that applies its answer."""
    call = jit_call_build(exchange=exchange, tenant_id=tenant_id, pi=pi)
    call.save()
    return call


def jit_call_build(*, exchange: JitExchange, tenant_id: str | None, pi: PaymentInstruction | None) -> JitCall:
    """The call's log row, not yet saved (a scheduled run saves a batch at once)."""
    return JitCall(
        tenant_id=tenant_id,
        pi=pi,
        service=exchange.service,
        request=jit_redact({"serviceId": exchange.service, "params": exchange.request}),
        response=jit_redact(exchange.response.raw) if exchange.response is not None else None,
        outcome=exchange.outcome,
        message=exchange.error if exchange.outcome != JitOutcome.SUCCESS else SUCCESS_TEXT,
        http_status=exchange.http_status,
        duration_ms=min(exchange.duration_ms, 2**31 - 1),
        attempt=exchange.attempt,
    )


def pi_status_log_write(
    *, pi: PaymentInstruction, service: str, result: str, outcome: str, message: str, call: JitCall | None
) -> PIStatusLog:
    """`STATUS_LOG_<SVC>_<RESULT>` for one PI, with the message its page shows."""
    log = pi_status_log_build(pi=pi, service=service, result=result, outcome=outcome, message=message, call=call)
    log.save()
    return log


def pi_status_log_build(
    *, pi: PaymentInstruction, service: str, result: str, outcome: str, message: str, call: JitCall | None
) -> PIStatusLog:
    return PIStatusLog(
        pi=pi, service=service, status=f"{service}_{result}", outcome=outcome, message=message, jit_call=call
    )


def status_result_of(outcome: str) -> str:
    return {JitOutcome.SUCCESS: "SUCCESS", JitOutcome.ERROR: "ERROR", JitOutcome.NO_RESPONSE: "NO_RESPONSE"}[outcome]


def jit_app_name() -> str:
    return settings.KOSH_JIT_APP_NAME


def ist_naive(moment: datetime) -> datetime:
    """A stored (UTC) moment as JIT-FS reads it: Indian wall-clock time."""
    return timezone.localtime(moment, IST).replace(tzinfo=None)
