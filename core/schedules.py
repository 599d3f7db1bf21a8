"""Kosh's periodic jobs, defined in code and written to django-celery-beat by `setup_periodic_tasks`.
Each app adds its jobs here; times are IST (Asia/Kolkata)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    # crontab fields: minute hour day_of_month month_of_year day_of_week
    crontab: str
    description: str


SCHEDULES = [
    # https://crontab.guru/#*_*_*_*_*
    Schedule(
        "core: worker heartbeat", "core.heartbeat", "* * * * *", "Shows on /health/ that broker, worker and beat run."
    ),
]
