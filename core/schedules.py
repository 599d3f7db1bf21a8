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
    # https://crontab.guru/#*_*_*_*_*
    Schedule(
        "notifications: SMS sweep",
        "notifications.sms_sweep",
        "* * * * *",
        "Sends the SMS whose task never ran (broker down) or whose retry is due.",
    ),
    # https://crontab.guru/#*/15_*_*_*_*
    Schedule(
        "collection: online payments reconciliation",
        "collection.pg_transactions_reconcile",
        "*/15 * * * *",
        "Settles PENDING online transactions older than KOSH_PG_RECONCILE_AFTER_SECONDS from the gateway's status.",
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
    # --- Payments (JIT-FS); the source story's times, IST.
    # https://crontab.guru/#0_21_*_*_*
    Schedule(
        "payments: PI re-push",
        "payments.pi_repush",
        "0 21 * * *",
        "Sends again, under the same number, the PIs and revised PIs JIT-FS has not answered.",
    ),
    # https://crontab.guru/#0_22_*_*_*
    Schedule("payments: VA", "payments.va_run", "0 22 * * *", "Pulls new allotments into sanctions and funds."),
    # https://crontab.guru/#0_22_*_*_*
    Schedule("payments: PIS", "payments.pis_run", "0 22 * * *", "Initiated PIs: approved or rejected by the SSU."),
    # https://crontab.guru/#15_22_*_*_*
    Schedule("payments: PAG", "payments.pag_run", "15 22 * * *", "Approved PIs: payment advice and token."),
    # https://crontab.guru/#0_22_*_*_*
    Schedule("payments: PD", "payments.pd_run", "0 22 * * *", "PIs in process: who was paid (UTR, voucher)."),
    # https://crontab.guru/#0_22_*_*_*
    Schedule("payments: FD", "payments.fd_run", "0 22 * * *", "Paid original PIs: failed payments, in bulk."),
    # https://crontab.guru/#0_22_*_*_*
    Schedule("payments: FTPS", "payments.ftps_run", "0 22 * * *", "Initiated revised PIs: who was paid."),
    # https://crontab.guru/#0_22_*_*_*
    Schedule("payments: FTFPS", "payments.ftfps_run", "0 22 * * *", "Paid revised PIs: failed payments."),
]
