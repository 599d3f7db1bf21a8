from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from core.schedules import SCHEDULES


@transaction.atomic
def periodic_tasks_sync() -> list[tuple[str, bool]]:
    """Create or update a beat row per job in SCHEDULES, in IST. An admin's `enabled` choice is kept."""
    results = []
    for schedule in SCHEDULES:
        minute, hour, day_of_month, month_of_year, day_of_week = schedule.crontab.split()
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_month=day_of_month,
            month_of_year=month_of_year,
            day_of_week=day_of_week,
            timezone="Asia/Kolkata",
        )
        _, created = PeriodicTask.objects.update_or_create(
            name=schedule.name,
            defaults={"task": schedule.task, "crontab": crontab, "interval": None, "description": schedule.description},
        )
        results.append((schedule.name, created))
    return results
