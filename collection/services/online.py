"""Online payments, as DIGIT's pg-service makes them: a transaction is created PENDING against one bill and
registered with a payment gateway, whose page the payer's browser is sent to; it is settled from the gateway's own
status, asked live — never from what the returning browser says — when the browser comes back, when an integrator
calls `_update`, or when the reconciliation job finds it still PENDING.

Settling locks the transaction row and re-reads it, so a replayed return, an `_update` and the job racing each other
settle it once: SUCCESS takes exactly one payment (mode ONLINE, transaction and instrument number = txnId) through
`payment_create`, whose checks are the ones `_create` validated with; an amount other than the transaction's, or any
other outcome, is FAILURE and takes nothing. Lock order: the transaction, then what `payment_create` locks."""

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from billing.selectors import city_get
from collection.clients.gateways import (
    GatewayError,
    GatewayOrder,
    GatewayOutcome,
    GatewayProtocolError,
    GatewayStatus,
    payment_gateway,
)
from collection.models import PaymentMode, PgTransaction
from collection.selectors import pg_bill_get, pg_transaction_get
from collection.services.payments import PaymentDetailInput, PaymentInput, payment_create, payment_validate
from core.errors import ApplicationError
from core.models import IdFormat, User
from core.services.audit import audit_record
from core.services.idgen import id_generate

logger = logging.getLogger(__name__)

TXN_ID_NAME = "pg.txnid"
# DIGIT's `PB_PG_[cy:yyyy_MM_dd]_[SEQ_EG_PG_TXN]_[d{2}]`, with the city instead of a fixed state and random digits.
TXN_ID_FORMAT = "PG_[CITY.CODE]_[cy:yyyy_MM_dd]_[SEQ_EG_PG_TXN]"
# How long one reconciliation run owns the transactions it claimed; a crashed run's claims lapse after this.
RECONCILE_LEASE = timedelta(minutes=10)
RECONCILE_BATCH_SIZE = 100
AMOUNT_MISMATCH = "Transaction failed, amount mismatch"
# Where payment_create's checks name a field, the field of the transaction the caller sent.
_TRANSACTION_FIELDS = {
    "tenantId": "Transaction.tenantId",
    "Payment.paymentMode": "Transaction.gateway",
    "Payment.paymentDetails[0].billId": "Transaction.billId",
    "Payment.paymentDetails[0].businessService": "Transaction.module",
    "Payment.paymentDetails[0].totalAmountPaid": "Transaction.txnAmount",
}


@dataclass(frozen=True)
class PgTransactionInput:
    tenant_id: str
    txn_amount: Decimal
    bill_id: str
    gateway: str
    # Kosh's own address the gateway sends the payer's browser back to.
    return_url: str
    payer_name: str
    callback_url: str = ""
    consumer_code: str = ""
    module: str = ""
    # (billId, amountPaid) as sent in taxAndPayments; empty: the whole amount to billId.
    tax_and_payments: tuple[tuple[str, Decimal], ...] = ()
    product_info: str = ""
    payer_mobile: str = ""
    payer_email: str = ""
    payer_uuid: str = ""
    additional_details: dict = field(default_factory=dict)


def pg_transaction_create(
    *, txn: PgTransactionInput, actor: User | None, source_ip: str | None = None
) -> PgTransaction:
    """Check the transaction as `payments/_validate` would check its payment, store it PENDING with a new txnId,
    then register it with the gateway and keep the page the payer goes to. A gateway that cannot be reached leaves the
    transaction FAILURE and refuses the request."""
    try:
        gateway = payment_gateway(txn.gateway)
    except GatewayError as exc:
        raise ApplicationError(
            "INVALID_PAYMENT_GATEWAY", f"Transaction.gateway: {exc.message}", field="Transaction.gateway"
        ) from None
    with transaction.atomic():
        row = _transaction_write(txn=txn, actor=actor, source_ip=source_ip)
    order = GatewayOrder(
        txn_id=row.txn_id,
        amount=row.txn_amount,
        return_url=txn.return_url,
        product_info=row.product_info,
        payer_name=row.payer_name,
        payer_mobile=row.payer_mobile,
        payer_email=row.payer_email,
    )
    try:
        redirect = gateway.transaction_start(order)
    except GatewayError as exc:
        _failure_record(txn_pk=row.pk, message=f"The gateway could not start the payment: {exc.message}", code=exc.code)
        raise ApplicationError(
            "PG_GATEWAY_UNAVAILABLE",
            f"Transaction.gateway: {txn.gateway} could not start the payment ({exc.message}); try again",
            field="Transaction.gateway",
            status=503,
        ) from None
    PgTransaction.objects.filter(pk=row.pk, txn_status=PgTransaction.Status.PENDING).update(
        redirect_url=redirect.redirect_url, gateway_txn_id=redirect.gateway_txn_id, modified_at=timezone.now()
    )
    row.refresh_from_db()
    return row


def pg_transaction_update(
    *, tenant_id: str, txn_id: str, actor: User | None, source_ip: str | None = None
) -> PgTransaction:
    """DIGIT's `_update`: settle the transaction from the gateway's live status (a settled one answers as it is)."""
    found = pg_transaction_get(tenant_id=tenant_id, txn_id=txn_id)
    if found is None:
        raise ApplicationError(
            "TXN_UPDATE_NOT_FOUND", f"eg_pg_txnid: no transaction '{txn_id}' in {tenant_id}", field="eg_pg_txnid"
        )
    return pg_transaction_settle(txn=found, actor=actor, source_ip=source_ip)


def pg_transaction_return(*, gateway_code: str, params: dict[str, str], source_ip: str | None = None) -> PgTransaction:
    """The payer's browser back from the gateway: the return must carry the gateway's signature; the outcome it
    claims is not used, the transaction is settled from the gateway's status. Settled as the caller who created it."""
    try:
        txn_id = payment_gateway(gateway_code).return_txn_id(params)
    except GatewayProtocolError as exc:
        raise ApplicationError(exc.code, f"{exc.message}; nothing was changed", field="signature") from None
    except GatewayError as exc:
        raise ApplicationError(exc.code, exc.message, field="gateway") from None
    found = PgTransaction.objects.filter(txn_id=txn_id, gateway=gateway_code).select_related("created_by").first()
    if found is None:
        raise ApplicationError("TXN_UPDATE_NOT_FOUND", f"orderId: no transaction '{txn_id}'", field="orderId")
    return pg_transaction_settle(txn=found, actor=found.created_by, source_ip=source_ip)


def pg_transaction_settle(
    *,
    txn: PgTransaction,
    actor: User | None,
    source_ip: str | None = None,
    abandoned_before: datetime | None = None,
) -> PgTransaction:
    """Ask the gateway, then settle under the row lock. A transaction the gateway has not finished stays PENDING,
    unless it was created before `abandoned_before` (the reconciliation job's cut-off): then it is FAILURE."""
    if txn.txn_status != PgTransaction.Status.PENDING:
        return txn
    try:
        status = payment_gateway(txn.gateway).transaction_status(txn.txn_id)
    except GatewayError as exc:
        # Whether the payer paid is unknown: the transaction waits for the next return, _update or job run.
        logger.warning("pg transaction %s: no status from %s: %s %s", txn.txn_id, txn.gateway, exc.code, exc.message)
        return txn
    with transaction.atomic():
        locked = PgTransaction.objects.select_for_update().get(pk=txn.pk)
        if locked.txn_status != PgTransaction.Status.PENDING:
            return locked
        _gateway_fields_copy(row=locked, status=status)
        if status.outcome == GatewayOutcome.SUCCESS:
            _success_settle(row=locked, status=status, actor=actor, source_ip=source_ip)
        elif status.outcome == GatewayOutcome.FAILURE:
            locked.txn_status = PgTransaction.Status.FAILURE
            locked.txn_status_msg = status.status_msg or "Transaction failed at the gateway"
        elif abandoned_before is not None and locked.created_at <= abandoned_before:
            locked.txn_status = PgTransaction.Status.FAILURE
            locked.txn_status_msg = "Abandoned: the gateway has no finished payment for it"
        else:
            locked.save()
            return locked
        _settled_record(
            row=locked,
            actor=actor,
            source_ip=source_ip,
            data={
                "txnId": locked.txn_id,
                "gatewayStatus": status.status_code,
                "gatewayAmount": status.amount,
                "paymentId": str(locked.payment_id) if locked.payment_id else None,
            },
        )
    return locked


def _settled_record(
    *, row: PgTransaction, actor: User | None, source_ip: str | None = None, data: dict | None = None
) -> None:
    """Store a locked transaction that has just left PENDING, with its audit row."""
    row.settled_at = timezone.now()
    row.save()
    audit_record(
        actor=actor,
        entity=row,
        action="PG_TRANSACTION_SETTLE",
        from_state=PgTransaction.Status.PENDING,
        to_state=row.txn_status,
        reason=row.txn_status_msg,
        source_ip=source_ip,
        data=data,
    )


def pg_transactions_reconcile(*, now: datetime | None = None) -> dict[str, int]:
    """The scheduled job: every PENDING transaction older than KOSH_PG_RECONCILE_AFTER_SECONDS is claimed (SKIP
    LOCKED, with a lease) and settled from the gateway's status; one still unfinished at the gateway after
    KOSH_PG_ABANDON_AFTER_SECONDS is FAILURE. Answers how many ended in each status."""
    now = now or timezone.now()
    older_than = now - timedelta(seconds=settings.KOSH_PG_RECONCILE_AFTER_SECONDS)
    abandoned_before = now - timedelta(seconds=settings.KOSH_PG_ABANDON_AFTER_SECONDS)
    outcomes = Counter()
    while claimed := _reconcile_claim(older_than=older_than, now=now):
        for txn in claimed:
            settled = pg_transaction_settle(txn=txn, actor=None, abandoned_before=abandoned_before)
            outcomes[settled.txn_status] += 1
    return dict(outcomes)


# --- Create ---------------------------------------------------------------------------------


def _transaction_write(*, txn: PgTransactionInput, actor: User | None, source_ip: str | None) -> PgTransaction:
    try:
        tenant = city_get(tenant_id=txn.tenant_id)
    except ApplicationError as exc:
        raise _as_transaction_error(exc) from None
    bill = pg_bill_get(tenant_id=tenant.code, bill_id=txn.bill_id)
    if bill is None:
        raise ApplicationError(
            "INVALID_BILL_ID",
            f"Transaction.billId: no bill '{txn.bill_id}' in {tenant.code}",
            field="Transaction.billId",
        )
    _shape_check(txn=txn, bill_consumer_code=bill.consumer_code, bill_service=bill.business_service.code)
    earlier = set(
        PgTransaction.objects.filter(bill=bill)
        .exclude(txn_status=PgTransaction.Status.FAILURE)
        .values_list("txn_status", flat=True)
    )
    if PgTransaction.Status.SUCCESS in earlier:
        raise ApplicationError(
            "TXN_CREATE_BILL_ALREADY_PAID",
            "Transaction.billId: the bill is already paid online",
            field="Transaction.billId",
        )
    if PgTransaction.Status.PENDING in earlier:
        raise _pending_refusal()
    txn_id = _txn_id_next(tenant_id=tenant.code)
    try:
        payment_validate(payment=_payment_input(txn_id=txn_id, txn=txn, service_code=bill.business_service.code))
    except ApplicationError as exc:
        raise _as_transaction_error(exc) from None
    try:
        with transaction.atomic():
            row = PgTransaction.objects.create(
                tenant=tenant,
                txn_id=txn_id,
                txn_amount=txn.txn_amount,
                bill=bill,
                business_service=bill.business_service,
                consumer_code=bill.consumer_code,
                module=txn.module or bill.business_service.code,
                tax_and_payments=[{"billId": bill_id, "amountPaid": str(amount)} for bill_id, amount in _shares(txn)],
                product_info=txn.product_info,
                gateway=txn.gateway,
                callback_url=txn.callback_url,
                payer_name=txn.payer_name,
                payer_mobile=txn.payer_mobile,
                payer_email=txn.payer_email,
                payer_uuid=txn.payer_uuid,
                additional_details=txn.additional_details,
                created_by=actor if actor is not None and actor.is_authenticated else None,
            )
    except IntegrityError:
        # Another transaction for the bill was created at the same moment.
        raise _pending_refusal() from None
    audit_record(
        actor=actor,
        entity=row,
        action="PG_TRANSACTION_CREATE",
        to_state=row.txn_status,
        source_ip=source_ip,
        data={"txnId": row.txn_id, "txnAmount": row.txn_amount, "billId": str(bill.pk), "gateway": row.gateway},
    )
    return row


def _shares(txn: PgTransactionInput) -> tuple[tuple[str, Decimal], ...]:
    return txn.tax_and_payments or ((txn.bill_id, txn.txn_amount),)


def _shape_check(*, txn: PgTransactionInput, bill_consumer_code: str, bill_service: str) -> None:
    """What DIGIT checks of the transaction itself: it pays its one bill, with the amounts adding up."""
    if txn.tax_and_payments:
        if len(txn.tax_and_payments) != 1 or txn.tax_and_payments[0][0] != txn.bill_id:
            raise ApplicationError(
                "TXN_CREATE_INVALID_TAX_AND_PAYMENTS",
                "Transaction.taxAndPayments: one entry, for the transaction's billId",
                field="Transaction.taxAndPayments",
            )
        if txn.tax_and_payments[0][1] != txn.txn_amount:
            raise ApplicationError(
                "TXN_CREATE_INVALID_TXN_AMT",
                f"Transaction.txnAmount: {txn.txn_amount} is not the sum of taxAndPayments' amountPaid "
                f"({txn.tax_and_payments[0][1]})",
                field="Transaction.txnAmount",
            )
    if txn.consumer_code and txn.consumer_code != bill_consumer_code:
        raise ApplicationError(
            "INVALID_CONSUMER_CODE",
            f"Transaction.consumerCode: the bill is for {bill_consumer_code}",
            field="Transaction.consumerCode",
        )
    if txn.module and txn.module != bill_service:
        raise ApplicationError(
            "INVALID_BUSINESS_SERVICE",
            f"Transaction.module: the bill is for {bill_service}",
            field="Transaction.module",
        )


def _pending_refusal() -> ApplicationError:
    minutes = settings.KOSH_PG_ABANDON_AFTER_SECONDS // 60
    return ApplicationError(
        "TXN_ABRUPTLY_DISCARDED",
        f"Transaction.billId: a payment of this bill is still in progress at the gateway; try again after {minutes} "
        "minutes, once it is settled",
        field="Transaction.billId",
    )


def _txn_id_next(*, tenant_id: str) -> str:
    """The next txnId; the format is written at state level the first time, and an administrator may change it."""
    tenant = city_get(tenant_id=tenant_id)
    if not IdFormat.objects.filter(name=TXN_ID_NAME, tenant_id__in=[tenant.code, tenant.state_code]).exists():
        IdFormat.objects.get_or_create(
            tenant_id=tenant.state_code, name=TXN_ID_NAME, defaults={"format": TXN_ID_FORMAT}
        )
    return id_generate(tenant_id=tenant.code, name=TXN_ID_NAME)


def _payment_input(*, txn_id: str, txn: PgTransactionInput | PgTransaction, service_code: str) -> PaymentInput:
    """The payment a successful transaction takes: what `_create` validates and what settling writes."""
    return PaymentInput(
        tenant_id=txn.tenant_id,
        payment_mode=PaymentMode.ONLINE,
        total_amount_paid=txn.txn_amount,
        paid_by=txn.payer_name,
        payer_name=txn.payer_name,
        mobile_number=txn.payer_mobile,
        payer_email=txn.payer_email,
        payer_id=txn.payer_uuid,
        transaction_number=txn_id,
        instrument_number=txn_id,
        additional_details={"gateway": txn.gateway},
        details=[
            PaymentDetailInput(
                bill_id=str(txn.bill_id), total_amount_paid=txn.txn_amount, business_service=service_code
            )
        ],
    )


def _as_transaction_error(exc: ApplicationError) -> ApplicationError:
    where = _TRANSACTION_FIELDS.get(exc.field or "", exc.field)
    message = exc.message
    if exc.field and message.startswith(f"{exc.field}:"):
        message = f"{where}:{message[len(exc.field) + 1 :]}"
    return ApplicationError(exc.code, message, field=where, status=exc.status_code)


def _failure_record(*, txn_pk, message: str, code: str) -> None:
    with transaction.atomic():
        row = PgTransaction.objects.select_for_update().get(pk=txn_pk)
        if row.txn_status != PgTransaction.Status.PENDING:
            return
        row.txn_status = PgTransaction.Status.FAILURE
        row.txn_status_msg = message[:500]
        row.gateway_status_code = code[:50]
        _settled_record(row=row, actor=None)


# --- Settle ---------------------------------------------------------------------------------


def _gateway_fields_copy(*, row: PgTransaction, status: GatewayStatus) -> None:
    row.gateway_txn_id = status.gateway_txn_id or row.gateway_txn_id
    row.gateway_payment_mode = status.payment_mode[:50]
    row.gateway_status_code = status.status_code[:50]
    row.gateway_status_msg = status.status_msg[:500]


def _success_settle(*, row: PgTransaction, status: GatewayStatus, actor: User | None, source_ip: str | None) -> None:
    if status.amount != row.txn_amount:
        row.txn_status = PgTransaction.Status.FAILURE
        row.txn_status_msg = (
            f"{AMOUNT_MISMATCH}: the gateway reports {status.amount}, the transaction is {row.txn_amount}"
        )
        return
    payment_in = _payment_input(txn_id=row.txn_id, txn=row, service_code=row.business_service.code)
    try:
        payment = payment_create(payment=payment_in, actor=actor, source_ip=source_ip)
    except ApplicationError as exc:
        # Paid at the gateway but no receipt can be made (the bill changed meanwhile): kept for a refund.
        row.txn_status = PgTransaction.Status.FAILURE
        row.txn_status_msg = f"Receipt generation failed: {exc.message}"[:500]
        return
    row.txn_status = PgTransaction.Status.SUCCESS
    row.txn_status_msg = "Transaction successful"
    row.payment = payment


def _reconcile_claim(*, older_than: datetime, now: datetime) -> list[PgTransaction]:
    with transaction.atomic():
        claimed = list(
            PgTransaction.objects.select_for_update(skip_locked=True)
            .filter(txn_status=PgTransaction.Status.PENDING, created_at__lte=older_than)
            .filter(Q(reconcile_claimed_until__isnull=True) | Q(reconcile_claimed_until__lte=now))
            .order_by("created_at")[:RECONCILE_BATCH_SIZE]
        )
        PgTransaction.objects.filter(pk__in=[txn.pk for txn in claimed]).update(
            reconcile_claimed_until=now + RECONCILE_LEASE
        )
    return claimed
