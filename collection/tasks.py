"""Celery tasks: one service call each. Named `collection.*` so they run on the collection queue."""

from celery import shared_task


@shared_task(name="collection.pg_transactions_reconcile", acks_late=True)
def pg_transactions_reconcile_task() -> dict:
    """Scheduled: PENDING online transactions settled from their gateway's status."""
    from collection.services.online import pg_transactions_reconcile

    return pg_transactions_reconcile()
