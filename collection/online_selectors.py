"""Reads of online payment transactions, always scoped to one tenant (a state: its cities too)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from billing.models import Bill
from collection.models import PaymentDetail, PgTransaction
from collection.selectors import tenant_scope


@dataclass(frozen=True)
class PgTransactionCriteria:
    """DIGIT pg-service's transaction search criteria."""

    tenant_id: str
    txn_ids: Iterable[str] = ()
    bill_ids: Iterable[str] = ()
    consumer_codes: Iterable[str] = ()
    user_uuid: str = ""
    receipt: str = ""
    txn_statuses: Iterable[str] = ()
    limit: int = 100
    offset: int = 0


def pg_transactions_with_payment(transactions: QuerySet[PgTransaction]) -> QuerySet[PgTransaction]:
    return transactions.select_related("bill", "business_service", "created_by", "payment").prefetch_related(
        Prefetch("payment__details", queryset=PaymentDetail.objects.order_by("receipt_number"))
    )


def pg_transaction_get(*, tenant_id: str, txn_id: str) -> PgTransaction | None:
    return pg_transactions_with_payment(PgTransaction.objects.filter(tenant_scope(tenant_id), txn_id=txn_id)).first()


def pg_transaction_list(*, criteria: PgTransactionCriteria) -> list[PgTransaction]:
    """Transactions matching every given criterion, newest first."""
    transactions = PgTransaction.objects.filter(tenant_scope(criteria.tenant_id))
    if criteria.txn_ids:
        transactions = transactions.filter(txn_id__in=list(criteria.txn_ids))
    if criteria.bill_ids:
        transactions = transactions.filter(bill_id__in=list(criteria.bill_ids))
    if criteria.consumer_codes:
        transactions = transactions.filter(consumer_code__in=list(criteria.consumer_codes))
    if criteria.user_uuid:
        transactions = transactions.filter(payer_uuid=criteria.user_uuid)
    if criteria.receipt:
        transactions = transactions.filter(payment__details__receipt_number=criteria.receipt)
    if criteria.txn_statuses:
        transactions = transactions.filter(txn_status__in=list(criteria.txn_statuses))
    return list(
        pg_transactions_with_payment(transactions).order_by("-created_at", "-pk")[
            criteria.offset : criteria.offset + criteria.limit
        ]
    )


def pg_bill_get(*, tenant_id: str, bill_id: str) -> Bill | None:
    """The city's bill, with its business service; another city's bill is not found."""
    return Bill.objects.filter(tenant_id=tenant_id, pk=bill_id).select_related("business_service").first()
