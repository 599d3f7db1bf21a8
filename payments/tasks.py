"""Celery tasks: ids in, one service call, the retry policy. Named `payments.*` so they run on the payments queue."""

from celery import shared_task
from django.conf import settings


@shared_task(name="payments.pi_create", acks_late=True)
def pi_create_task(*, payment_id: int) -> str:
    """A new expense payment's first PI, sent to JIT-FS."""
    from payments.models import ExpensePayment
    from payments.services.instructions import pi_create

    payment = ExpensePayment.objects.get(pk=payment_id)
    return pi_create(tenant_id=payment.tenant_id, reference_id=payment.payment_number, actor=None).status


@shared_task(name="payments.pi_poll", acks_late=True)
def pi_poll_task(*, pi_id: int, service: str, attempt: int = 2) -> str | None:
    """One more try for a PI that got no answer. Tries again with a doubled wait until KOSH_JIT_POLL_RETRIES
    tries have been made after the run's own; the next scheduled run takes over from there."""
    from payments.models import JitOutcome
    from payments.services.polling import pi_poll

    result = pi_poll(pi_id=pi_id, service=service, attempt=attempt)
    if result.outcome == JitOutcome.NO_RESPONSE and attempt <= settings.KOSH_JIT_POLL_RETRIES:
        pi_poll_task.apply_async(
            kwargs={"pi_id": pi_id, "service": service, "attempt": attempt + 1},
            countdown=settings.KOSH_JIT_POLL_RETRY_BACKOFF_SECONDS * 2 ** (attempt - 1),
        )
    return result.outcome


def _poll_run(service: str) -> dict:
    from payments.services.polling import jit_poll_run

    return jit_poll_run(service=service).outcomes


@shared_task(name="payments.pis_run", acks_late=True)
def pis_run_task() -> dict:
    """Scheduled PIS: INITIATED original PIs → approved or rejected."""
    return _poll_run("PIS")


@shared_task(name="payments.pag_run", acks_late=True)
def pag_run_task() -> dict:
    """Scheduled PAG: APPROVED PIs → payment advice, IN PROCESS."""
    return _poll_run("PAG")


@shared_task(name="payments.pd_run", acks_late=True)
def pd_run_task() -> dict:
    """Scheduled PD: IN PROCESS PIs → who was paid."""
    return _poll_run("PD")


@shared_task(name="payments.ftps_run", acks_late=True)
def ftps_run_task() -> dict:
    """Scheduled FTPS: INITIATED revised PIs → who was paid."""
    return _poll_run("FTPS")


@shared_task(name="payments.ftfps_run", acks_late=True)
def ftfps_run_task() -> dict:
    """Scheduled FTFPS: SUCCESSFUL revised PIs → whose payment failed."""
    return _poll_run("FTFPS")


@shared_task(name="payments.pi_repush", acks_late=True)
def pi_repush_task() -> dict:
    """21:00: PIs and revised PIs JIT-FS has not answered yet, sent again under the same number."""
    from payments.services.polling import pi_repush_run

    return pi_repush_run()


@shared_task(name="payments.fd_run", acks_late=True)
def fd_run_task() -> str:
    from payments.services.failures import fd_run

    return fd_run().outcome


@shared_task(name="payments.va_run", acks_late=True)
def va_run_task() -> int:
    from payments.services.funds import va_run

    return va_run().allotments_added
