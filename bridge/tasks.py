"""Celery tasks of the bridge: ids in, one service call. Named `bridge.*`, so they run on the `bridge` queue.
Each is idempotent (the service claims its row or finds nothing due) and acknowledged only after it ran."""

from celery import shared_task
from django.db import OperationalError

_RETRY = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="bridge.resolve_accounts", **_RETRY)
def resolve_accounts_task(*, envelope_pk: int) -> str:
    from bridge.services.pipeline import envelope_resolve

    return envelope_resolve(envelope_pk=envelope_pk)


@shared_task(name="bridge.check_funds", **_RETRY)
def check_funds_task(*, envelope_pk: int) -> str:
    from bridge.services.pipeline import envelope_check_funds

    return envelope_check_funds(envelope_pk=envelope_pk)


@shared_task(name="bridge.block_funds", **_RETRY)
def block_funds_task(*, envelope_pk: int) -> str:
    from bridge.services.pipeline import envelope_block_funds

    return envelope_block_funds(envelope_pk=envelope_pk)


@shared_task(name="bridge.release_funds", **_RETRY)
def release_funds_task(*, envelope_pk: int) -> str:
    from bridge.services.pipeline import envelope_release_funds

    return envelope_release_funds(envelope_pk=envelope_pk)


@shared_task(name="bridge.dispatch_batch", **_RETRY)
def dispatch_batch_task(*, batch_pk: int) -> str:
    from bridge.services.pipeline import bank_batch_dispatch

    return bank_batch_dispatch(batch_pk=batch_pk)


@shared_task(name="bridge.process_statement", **_RETRY)
def process_statement_task(*, statement_pk: int) -> str:
    from bridge.services.statements import statement_process

    return statement_process(statement_pk=statement_pk)


@shared_task(name="bridge.pipeline_tick", **_RETRY)
def pipeline_tick_task() -> dict:
    """Scheduled every minute: the pipeline's safety net."""
    from bridge.services.pipeline import pipeline_tick

    return pipeline_tick()
