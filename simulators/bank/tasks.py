from celery import shared_task


@shared_task(name="simulators.bank.deliver_statements", acks_late=True)
def deliver_statements_task() -> int:
    """Scheduled: the simulated bank sends each account's new entries as an MT940 statement."""
    from simulators.bank.services import statements_generate_and_deliver

    return statements_generate_and_deliver()
