"""SMS tasks, routed to the `notifications` queue by name. Thin: ids in, one service call, the retry policy."""

from celery import shared_task


@shared_task(bind=True, name="notifications.sms_send", acks_late=True, max_retries=None, ignore_result=True)
def sms_send_task(self, message_id: int) -> None:
    """One attempt at one message. Retries are scheduled by the service's backoff, not counted by Celery:
    the outbox row counts attempts and gives up after KOSH_SMS_MAX_ATTEMPTS."""
    from notifications.services import sms_send

    outcome = sms_send(message_id=message_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)


@shared_task(name="notifications.sms_sweep", acks_late=True, ignore_result=True)
def sms_sweep_task() -> int:
    """Scheduled every minute: queue again the messages whose task never ran or whose retry was lost."""
    from notifications.services import sms_sweep

    return sms_sweep()
