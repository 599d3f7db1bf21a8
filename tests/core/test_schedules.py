import io

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from core.schedules import SCHEDULES


@pytest.mark.django_db
def test_periodic_tasks_are_written_in_ist():
    call_command("setup_periodic_tasks", stdout=io.StringIO())

    heartbeat = PeriodicTask.objects.get(task="core.heartbeat")
    assert str(heartbeat.crontab.timezone) == "Asia/Kolkata"
    assert PeriodicTask.objects.filter(task__in=[s.task for s in SCHEDULES]).count() == len(SCHEDULES)


@pytest.mark.django_db
def test_rerunning_keeps_an_admins_disabled_job_disabled():
    call_command("setup_periodic_tasks", stdout=io.StringIO())
    PeriodicTask.objects.filter(task="core.heartbeat").update(enabled=False)

    call_command("setup_periodic_tasks", stdout=io.StringIO())

    assert PeriodicTask.objects.get(task="core.heartbeat").enabled is False
