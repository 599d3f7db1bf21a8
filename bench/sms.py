"""SMS benchmark: 10,000 messages from `sms_enqueue` to SENT, through Celery and the SMS gateway simulator over HTTP.

    .venv/bin/python bench/sms.py [--messages 10000] [--pool threads] [--concurrency 8] [--web-workers 2]

Creates its own database (kosh_bench_sms) and uses Redis db 7, starts gunicorn (serving the simulator) and a
Celery worker on the `notifications` queue itself (a thread pool by default: sending is waiting on the gateway
and the database, so threads keep the CPU for work; `--pool prefork` compares: with 4 processes it cost half as
much CPU again per message and sent fewer per second; 4 threads sent fewer than 8; one gunicorn process used a
little less CPU per request than two but served the worker no faster). Measures, in the same run:
- the baseline: raw HTTP posts of the same requests to the simulator from one process, one after another;
- Kosh end to end: enqueue every message in its caller's transaction (100 per transaction), each queued to the
  worker on commit, claimed, posted to the simulator, recorded SENT, until the last one is SENT.
Checks that the simulator received each message exactly once. Prints a table with the ratio and writes
bench/results/sms.json."""

import argparse
import os
import subprocess
import sys
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from harness import RESULTS, ROOT, database_recreate, free_port, results_write, stop, up, wait_until

DATABASE = "kosh_bench_sms"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
REDIS_URL = "redis://127.0.0.1:6379/7"
SIMULATOR_TOKEN = "bench-sms-simulator"
PER_TRANSACTION = 100
TARGET_PER_SECOND = 200

ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "config.settings.local",
    "DJANGO_DEBUG": "false",
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "KOSH_LOG_LEVEL": "WARNING",
    "KOSH_SMS_PROVIDER": "simulator",
    "KOSH_SMS_SIMULATOR_TOKEN": SIMULATOR_TOKEN,
    "KOSH_SMS_SIMULATOR_ENABLED": "true",
    # High enough never to bind, so every send still goes through the shared limiter in Redis.
    "KOSH_SMS_RATE_PER_SECOND": "100000",
}


def database_reset(env: dict) -> None:
    import redis

    database_recreate("postgresql://postgres@127.0.0.1:5432", DATABASE)
    redis.Redis.from_url(REDIS_URL).flushdb()
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)


def start(command: list[str], name: str, env: dict) -> subprocess.Popen:
    log = open(RESULTS / f"sms-{name}.log", "w")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def cpu_seconds(process: subprocess.Popen) -> float:
    """CPU time (user + system) used so far by every live process in `process`'s session (its children too)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[3] is the process group (we start each service in its own session), [11] utime, [12] stime.
        if int(fields[3]) == process.pid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def baseline(send_url: str, count: int) -> dict:
    """Raw HTTP posts of Kosh's own request to the simulator, from this one process, one after another."""
    import requests

    session = requests.Session()
    headers = {"Authorization": f"Bearer {SIMULATOR_TOKEN}"}
    started = time.perf_counter()
    for n in range(count):
        body = {
            "to": f"9{n:09d}",
            "text": f"Payment of Rs. {n}.00 for MUKTA, transaction UTR{n:08d} is made to your registered bank account.",
            "sender": "KOSHGV",
            "dltTemplateId": "",
            "reference": f"BASELINE-{n}",
        }
        response = session.post(send_url, json=body, headers=headers, timeout=10)
        if response.status_code != 200:
            raise SystemExit(f"baseline post {n} answered {response.status_code}: {response.text[:200]}")
    seconds = time.perf_counter() - started
    return {"posts": count, "seconds": round(seconds, 3), "per_second": round(count / seconds, 1)}


def kosh(count: int) -> dict:
    """Enqueue `count` SMS in transactions of 100 and wait until the worker has sent them all."""
    from django.db import transaction
    from django.db.models import Max

    from notifications.models import SmsMessage
    from notifications.services import sms_enqueue

    started_at = datetime.now().astimezone()
    started = time.perf_counter()
    for first in range(0, count, PER_TRANSACTION):
        with transaction.atomic():
            for n in range(first, min(first + PER_TRANSACTION, count)):
                sms_enqueue(
                    template="JIT_PAYMENT_SUCCESSFUL",
                    to=f"9{n:09d}",
                    context={"amount": Decimal(1000 + n) / 100, "UTRNO": f"UTR{n:08d}"},
                    event_key=f"bench:jit:PD:PI-{n // 50}:BEN-{n}:successful",
                    tenant="od.angul",
                )
    enqueued = time.perf_counter() - started

    def settled():
        done = SmsMessage.objects.exclude(status=SmsMessage.Status.QUEUED).count()
        return done if done == count else None

    wait_until(settled, 600, f"{count} messages to be sent", interval=0.25)
    observed = time.perf_counter() - started
    last_sent = SmsMessage.objects.aggregate(last=Max("sent_at"))["last"]
    seconds = (last_sent - started_at).total_seconds()
    return {
        "messages": count,
        "enqueue_seconds": round(enqueued, 3),
        "enqueue_per_second": round(count / enqueued, 1),
        "seconds": round(seconds, 3),
        "observed_seconds": round(observed, 3),
        "per_second": round(count / seconds, 1),
        "sent": SmsMessage.objects.filter(status=SmsMessage.Status.SENT).count(),
        "failed": SmsMessage.objects.filter(status=SmsMessage.Status.FAILED).count(),
        "retried": SmsMessage.objects.filter(attempts__gt=1).count(),
    }


def simulator_received() -> dict:
    from django.db.models import Count

    from simulators.models import SmsGatewayMessage

    kosh_rows = SmsGatewayMessage.objects.filter(reference__startswith="KOSH-SMS-")
    repeated = kosh_rows.values("reference").annotate(n=Count("id")).filter(n__gt=1).count()
    return {"received": kosh_rows.count(), "received_twice": repeated}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=2_000, help="raw HTTP posts for the baseline")
    parser.add_argument("--concurrency", type=int, default=8, help="Celery worker pool size")
    parser.add_argument("--pool", default="threads", choices=["threads", "prefork", "solo"], help="Celery worker pool")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn processes (4 threads each)")
    args = parser.parse_args()

    RESULTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**ENV, "KOSH_SMS_SIMULATOR_URL": f"{base}/simulators/sms/send"}
    database_reset(env)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from core.services.directory import tenant_create

    tenant_create(code="od", name="Odisha")
    tenant_create(code="od.angul", name="Angul", city_code="ANG")

    web = start(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.web_workers),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--keep-alive",
            "30",
        ],
        "gunicorn",
        env,
    )
    worker = None
    try:
        wait_until(lambda: up(f"{base}/health/"), 60, "gunicorn")
        base_figures = baseline(f"{base}/simulators/sms/send", args.baseline)

        worker = start(
            [
                str(ROOT / ".venv/bin/celery"),
                "-A",
                "config",
                "worker",
                "-Q",
                "notifications",
                "--pool",
                args.pool,
                "--concurrency",
                str(args.concurrency),
                "--prefetch-multiplier",
                "4",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "WARNING",
            ],
            "worker",
            env,
        )
        from config.celery import app

        wait_until(lambda: app.control.ping(timeout=1.0), 60, "the Celery worker")
        cpu_before = {"worker": cpu_seconds(worker), "gunicorn": cpu_seconds(web), "bench": time.process_time()}
        kosh_figures = kosh(args.messages)
        cpu = {
            "worker": cpu_seconds(worker) - cpu_before["worker"],
            "gunicorn": cpu_seconds(web) - cpu_before["gunicorn"],
            "bench": time.process_time() - cpu_before["bench"],
        }
        kosh_figures["cpu_ms_per_message"] = {
            name: round(seconds * 1000 / args.messages, 2) for name, seconds in cpu.items()
        }
        received = simulator_received()
    finally:
        if worker is not None:
            stop(worker)
        stop(web)

    ratio = kosh_figures["per_second"] / base_figures["per_second"]
    rows = [
        ("baseline: raw HTTP posts to the simulator, one process", base_figures["posts"], base_figures["per_second"]),
        ("Kosh: enqueue only (outbox row + task on commit)", args.messages, kosh_figures["enqueue_per_second"]),
        ("Kosh: end to end, enqueue -> worker -> HTTP -> SENT", args.messages, kosh_figures["per_second"]),
    ]
    print()
    print(f"{'measure':<58} {'count':>8} {'per second':>12}")
    print("-" * 80)
    for label, count, rate in rows:
        print(f"{label:<58} {count:>8} {rate:>12.1f}")
    print("-" * 80)
    print(f"{'end to end / baseline':<58} {'':>8} {ratio:>12.2f}")
    print(
        "CPU per message (ms): "
        + ", ".join(f"{name} {ms}" for name, ms in kosh_figures["cpu_ms_per_message"].items())
        + f"; load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        f"sent {kosh_figures['sent']}, failed {kosh_figures['failed']}, retried {kosh_figures['retried']}; "
        f"the simulator received {received['received']} (twice: {received['received_twice']}); "
        f"target >= {TARGET_PER_SECOND}/s: {'met' if kosh_figures['per_second'] >= TARGET_PER_SECOND else 'NOT met'}"
    )

    results = {
        "benchmark": "sms",
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "celery_pool": args.pool,
            "celery_concurrency": args.concurrency,
            "load_average_at_end": round(os.getloadavg()[0], 2),
            "gunicorn_workers": args.web_workers,
            "gunicorn_threads": 4,
        },
        "baseline": base_figures,
        "kosh": kosh_figures,
        "simulator": received,
        "ratio_end_to_end_to_baseline": round(ratio, 3),
        "target_per_second": TARGET_PER_SECOND,
    }
    results_write("sms", results)
    if kosh_figures["sent"] != args.messages or received["received"] != args.messages or received["received_twice"]:
        raise SystemExit("not every message was sent exactly once")


if __name__ == "__main__":
    main()
