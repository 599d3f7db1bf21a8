from celery import shared_task


@shared_task(bind=True, name="core.heartbeat")
def heartbeat_task(self) -> str:
    """Scheduled every minute: proves the broker, a worker and beat are all alive (see /health/)."""
    from core.services.health import heartbeat_record

    return heartbeat_record(worker=self.request.hostname or "eager").last_seen_at.isoformat()
