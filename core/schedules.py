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
    # --- Bridge (G2P)
    # https://crontab.guru/#*_*_*_*_*
    Schedule(
        "bridge: pipeline safety net",
        "bridge.pipeline_tick",
        "* * * * *",
        "Starts envelopes whose day has come; re-queues due stages, bank batches and statements.",
    ),
    # https://crontab.guru/#*/5_*_*_*_*
    Schedule(
        "simulators: sponsor bank statements",
        "simulators.bank.deliver_statements",
        "*/5 * * * *",
        "The simulated sponsor bank posts each account's new entries as MT940 to /upload_mt940.",
    ),
]
