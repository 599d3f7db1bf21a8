"""The connector for the simulated sponsor bank (simulators/bank), over HTTP like any real bank's API."""

import logging
from decimal import Decimal, InvalidOperation

import requests
from django.conf import settings

from bridge.connectors.base import (
    BankProtocolError,
    BankRejected,
    BankUnavailable,
    FundsBlockResult,
    FundsCheckResult,
    FundsReleaseResult,
    PaymentBatch,
    PaymentBatchResult,
    PaymentItemResult,
    SponsorBankConnector,
)
from core.http import ThreadSessions

logger = logging.getLogger(__name__)

_sessions = ThreadSessions()


def sessions_close() -> None:
    """Close this thread's pooled connections (a test server going away)."""
    _sessions.close()


def _narrative(narratives: tuple[str, ...], key: str) -> str:
    """The value of the bank's keyed `:86:` line `/KEY/value`."""
    prefix = f"/{key}/"
    for line in narratives:
        if line.startswith(prefix):
            return line[len(prefix) :].strip()
    return ""


class SimulatorBankConnector(SponsorBankConnector):
    def __init__(self, *, base_url: str | None = None, api_key: str | None = None):
        self.base_url = (base_url if base_url is not None else settings.BRIDGE_SIMULATOR_BANK_URL).rstrip("/")
        self.api_key = api_key if api_key is not None else settings.BRIDGE_SIMULATOR_BANK_API_KEY
        self.timeout = (settings.BRIDGE_BANK_CONNECT_TIMEOUT_SECONDS, settings.BRIDGE_BANK_READ_TIMEOUT_SECONDS)

    def _call(self, method: str, path: str, *, json=None, idempotency_key: str = "", allow_404: bool = False):
        if not self.base_url:
            raise BankUnavailable("BANK_NOT_CONFIGURED", "BRIDGE_SIMULATOR_BANK_URL is not set")
        headers = {"X-Bank-Api-Key": self.api_key}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            response = _sessions.get().request(
                method, f"{self.base_url}/{path}", json=json, headers=headers, timeout=self.timeout
            )
        except requests.Timeout as exc:
            raise BankUnavailable("BANK_TIMEOUT", f"{path}: no answer in time ({type(exc).__name__})") from None
        except requests.RequestException as exc:
            raise BankUnavailable("BANK_UNREACHABLE", f"{path}: {type(exc).__name__}") from None
        if allow_404 and response.status_code == 404:
            return None
        if response.status_code >= 500:
            raise BankUnavailable("BANK_ERROR", f"{path}: HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise BankProtocolError("BANK_BAD_REPLY", f"{path}: HTTP {response.status_code}, not JSON") from None
        if response.status_code >= 400:
            raise BankRejected(str(body.get("error_code") or "BANK_REFUSED"), str(body.get("error_message") or ""))
        return body

    @staticmethod
    def _decimal(body: dict, field: str) -> Decimal:
        try:
            return Decimal(str(body[field]))
        except (KeyError, InvalidOperation):
            raise BankProtocolError("BANK_BAD_REPLY", f"reply without a valid {field}") from None

    def check_funds(self, *, account_number, currency, amount):
        body = self._call(
            "POST",
            "check_funds",
            json={"account_number": account_number, "account_currency": currency, "total_funds_needed": str(amount)},
        )
        return FundsCheckResult(
            has_sufficient_funds=body.get("has_sufficient_funds") is True,
            available_balance=self._decimal(body, "available_balance"),
        )

    def block_funds(self, *, account_number, currency, amount, idempotency_key):
        body = self._call(
            "POST",
            "block_funds",
            json={"account_number": account_number, "currency": currency, "amount": str(amount)},
            idempotency_key=idempotency_key,
        )
        if not body.get("block_reference_no"):
            raise BankProtocolError("BANK_BAD_REPLY", "block_funds: no block reference")
        return FundsBlockResult(block_reference=body["block_reference_no"], amount=self._decimal(body, "amount"))

    def release_funds(self, *, block_reference):
        body = self._call("POST", "release_funds", json={"block_reference_no": block_reference})
        return FundsReleaseResult(
            block_reference=block_reference, released_amount=self._decimal(body, "released_amount")
        )

    def initiate_payment(self, *, batch: PaymentBatch, idempotency_key: str) -> PaymentBatchResult:
        payments = [
            {
                "disbursement_id": item.disbursement_id,
                "payment_amount": str(item.amount),
                "beneficiary_id": item.beneficiary_id,
                "beneficiary_name": item.beneficiary_name,
                "beneficiary_account": item.beneficiary_account,
                "beneficiary_account_currency": batch.currency,
                "beneficiary_account_type": item.beneficiary_account_type,
                "beneficiary_bank_code": item.beneficiary_bank_code,
                "beneficiary_branch_code": item.beneficiary_branch_code,
                "beneficiary_phone_no": item.beneficiary_mobile_number,
                "beneficiary_mobile_wallet_provider": item.beneficiary_wallet_provider,
                "beneficiary_email": item.beneficiary_email,
                "disbursement_narrative": item.narrative,
                "benefit_program_mnemonic": batch.program_mnemonic,
                "cycle_code_mnemonic": batch.cycle_code_mnemonic,
            }
            for item in batch.items
        ]
        body = self._call(
            "POST",
            "initiate_payment",
            json={
                "remitting_account": batch.remitting_account,
                "remitting_account_currency": batch.currency,
                "funds_blocked_reference_number": batch.funds_blocked_reference,
                "payments": payments,
            },
            idempotency_key=idempotency_key,
        )
        return self._batch_result(body)

    def payment_status(self, *, idempotency_key):
        body = self._call("GET", f"payment_status/{idempotency_key}", allow_404=True)
        return None if body is None else self._batch_result(body)

    def _batch_result(self, body: dict) -> PaymentBatchResult:
        items = body.get("items")
        if body.get("status") != "SUCCESS" or not isinstance(items, list):
            raise BankProtocolError("BANK_BAD_REPLY", "initiate_payment: no per-item results")
        return PaymentBatchResult(
            bank_reference=str(body.get("batch_reference") or ""),
            items=tuple(
                PaymentItemResult(
                    disbursement_id=str(item.get("disbursement_id")),
                    accepted=item.get("status") == "ACCEPTED",
                    error_code=str(item.get("error_code") or ""),
                )
                for item in items
            ),
            replayed=body.get("replayed") is True,
        )

    def retrieve_disbursement_id(self, *, bank_reference, customer_reference, narratives):
        # The customer reference holds only 16 characters; the full id is in the /DISB/ narrative line.
        return _narrative(narratives, "DISB") or customer_reference.strip()

    def retrieve_beneficiary_name(self, *, narratives):
        return _narrative(narratives, "BENM")

    def retrieve_reversal_reason(self, *, narratives):
        return _narrative(narratives, "RTRN") or (narratives[-1] if narratives else "")
