import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from core.models import WorkerHeartbeat
from core.tasks import heartbeat_task


@pytest.fixture
def real_worker_queue():
    """A Celery worker in a thread, fed by the configured broker (Redis in CI, files on a laptop), on a queue of
    its own so messages other tests left in the shared queues cannot hold it up."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    app.conf.task_always_eager = False
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=20, queues=[queue]
        ):
            yield queue
    finally:
        app.conf.task_always_eager = True


@pytest.mark.django_db(transaction=True)
def test_heartbeat_task_round_trips_through_the_broker(real_worker_queue):
    result = heartbeat_task.apply_async(queue=real_worker_queue)

    seen_at = result.get(timeout=60)

    heartbeat = WorkerHeartbeat.objects.get()
    assert heartbeat.last_seen_at.isoformat() == seen_at
    assert heartbeat.worker != "eager"


def test_broker_is_redis_exactly_when_redis_url_is_set():
    from config.env import REDIS_URL

    with app.connection_for_write() as connection:
        transport = connection.transport.driver_type

    assert transport == ("redis" if REDIS_URL else "filesystem")
