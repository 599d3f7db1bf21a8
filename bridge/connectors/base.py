"""The sponsor-bank connector interface. Typed in and out, no ORM: the pipeline hands a connector plain data and
gets plain data back, and a connector raises only the errors below."""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Decimal


class BankError(Exception):
    """The bank could not be asked or did not answer as agreed. `retryable` says whether trying again may help."""

    retryable = True

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class BankUnavailable(BankError):
    """No answer: connection refused, timeout, 5xx. Whether the bank acted is unknown, so retry with the same key."""


class BankRejected(BankError):
    """The bank answered and refused (a 4xx with its reason). Trying the same request again will not help."""

    retryable = False


class BankProtocolError(BankError):
    """The bank answered something that is not its documented reply."""


@dataclass(frozen=True)
class FundsCheckResult:
    has_sufficient_funds: bool
    available_balance: Decimal | None


@dataclass(frozen=True)
class FundsBlockResult:
    block_reference: str
    amount: Decimal


@dataclass(frozen=True)
class FundsReleaseResult:
    block_reference: str
    released_amount: Decimal


@dataclass(frozen=True)
class PaymentItem:
    disbursement_id: str
    amount: Decimal
    beneficiary_id: str
    beneficiary_name: str
    beneficiary_account: str
    beneficiary_bank_code: str
    beneficiary_branch_code: str
    beneficiary_account_type: str
    beneficiary_mobile_number: str
    beneficiary_wallet_provider: str
    beneficiary_email: str
    narrative: str


@dataclass(frozen=True)
class PaymentBatch:
    remitting_account: str
    currency: str
    funds_blocked_reference: str
    program_mnemonic: str
    cycle_code_mnemonic: str
    items: tuple[PaymentItem, ...]


@dataclass(frozen=True)
class PaymentItemResult:
    disbursement_id: str
    accepted: bool
    error_code: str


@dataclass(frozen=True)
class PaymentBatchResult:
    bank_reference: str
    items: tuple[PaymentItemResult, ...]
    # True when the bank had already booked this key and answered from its record.
    replayed: bool


class SponsorBankConnector(ABC):
    """One sponsor bank. Implementations are picked by the program's sponsor_bank_code
    (settings.BRIDGE_BANK_CONNECTORS)."""

    @abstractmethod
    def check_funds(self, *, account_number: str, currency: str, amount: Decimal) -> FundsCheckResult: ...

    @abstractmethod
    def block_funds(
        self, *, account_number: str, currency: str, amount: Decimal, idempotency_key: str
    ) -> FundsBlockResult: ...

    @abstractmethod
    def release_funds(self, *, block_reference: str) -> FundsReleaseResult: ...

    @abstractmethod
    def initiate_payment(self, *, batch: PaymentBatch, idempotency_key: str) -> PaymentBatchResult:
        """Book every payment of the batch once. The same key again must return the first result."""

    @abstractmethod
    def payment_status(self, *, idempotency_key: str) -> PaymentBatchResult | None:
        """What the bank booked for this key, or None when it never saw it."""

    @abstractmethod
    def retrieve_disbursement_id(
        self, *, bank_reference: str, customer_reference: str, narratives: tuple[str, ...]
    ) -> str:
        """The disbursement id a statement line refers to ("" when it names none)."""

    @abstractmethod
    def retrieve_beneficiary_name(self, *, narratives: tuple[str, ...]) -> str: ...

    @abstractmethod
    def retrieve_reversal_reason(self, *, narratives: tuple[str, ...]) -> str: ...
