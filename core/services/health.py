from django.utils import timezone

from core.models import WorkerHeartbeat


def heartbeat_record(*, worker: str) -> WorkerHeartbeat:
    """Note that `worker` just ran a task fetched from the broker."""
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(worker=worker, defaults={"last_seen_at": timezone.now()})
    return heartbeat
