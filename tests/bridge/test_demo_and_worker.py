"""Demo data for the bridge, and a real Celery worker consuming the `bridge` queue."""

import pytest
from celery.contrib.testing.worker import start_worker

from bridge.demo import DEMO_PBMS_TOKEN, DEMO_PROGRAM
from bridge.models import BenefitProgram, BridgeClient
from config.celery import app
from core.services.demo import demo_seed
from tests.bridge.conftest import G2PCaller


@pytest.mark.django_db
def test_the_demo_seed_gives_a_pbms_a_program_and_a_working_token(settings):
    settings.KOSH_ENVIRONMENT = "test"
    demo_seed()
    demo_seed()

    response = G2PCaller(DEMO_PBMS_TOKEN).post("get_disbursement_status", ["nothing-yet"])

    assert BenefitProgram.objects.filter(mnemonic=DEMO_PROGRAM).count() == 1
    assert BridgeClient.objects.count() == 2
    assert response.status_code == 200
    assert response.json()["header"]["status_reason_code"] == "INVALID_DISBURSEMENT_ID"


@pytest.fixture
def bridge_worker():
    """A Celery worker in a thread consuming only the `bridge` queue, fed by the configured broker."""
    consumed_before = list(app.amqp.queues.consume_from)
    app.conf.task_always_eager = False
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=20, queues=["bridge"]
        ):
            yield
    finally:
        app.conf.task_always_eager = True
        # The worker narrowed the app's queue selection to `bridge`; later workers in this process need it back.
        app.amqp.queues.select(consumed_before)


@pytest.mark.django_db(transaction=True)
def test_the_pipeline_safety_net_runs_on_a_worker_of_the_bridge_queue(bridge_worker):
    from bridge.tasks import pipeline_tick_task

    result = pipeline_tick_task.delay()

    assert result.get(timeout=30) == {"started": 0, "stages": 0, "batches": 0, "statements": 0}
