"""Bridge benchmark: 100,000 disbursements through the whole pipeline on PostgreSQL + Redis.

    .venv/bin/python bench/bridge.py [--disbursements 100000] [--workers 2]

Creates its own database (kosh_bench_bridge) and uses Redis db 10, starts gunicorn (API + simulator bank) and a
Celery worker itself, then: ingest over HTTP in calls of 1,000 → resolve → funds check → block → dispatch to the
simulator bank in batches of 1,000 → the bank's MT940 statement → upload → reconciliation. Prints each stage's
time and rate, and the reconciliation time against `mt940.parse_statements` alone on the same file (measured in
this run). Writes bench/results/bridge.json."""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from harness import RESULTS, ROOT, database_recreate, free_port, results_write, stop, up, wait_until

DATABASE = "kosh_bench_bridge"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
REDIS_URL = "redis://127.0.0.1:6379/10"
BANK_KEY = "bench-bank-key"
ACCOUNT = "500900800700"
CALL_SIZE = 1000

ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "config.settings.local",
    "DJANGO_DEBUG": "false",
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "KOSH_LOG_LEVEL": "WARNING",
    "BRIDGE_SIMULATOR_BANK_API_KEY": BANK_KEY,
    "SIMULATOR_BANK_API_KEY": BANK_KEY,
    "BRIDGE_BATCH_SIZE": "1000",
    "SIMULATOR_BANK_STATEMENT_PAGE_ENTRIES": "1000",
    "SIMULATOR_BANK_STATEMENT_CALLBACK_URL": "",
    "KOSH_MAX_REQUEST_BYTES": str(10 * 1024 * 1024),
}


def database_reset() -> None:
    database_recreate("postgresql://postgres@127.0.0.1:5432", DATABASE)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=ENV, check=True)


def django_setup(port: int) -> None:
    os.environ.update(ENV)
    os.environ["BRIDGE_SIMULATOR_BANK_URL"] = f"http://127.0.0.1:{port}/simulators/bank"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(count: int) -> str:
    from decimal import Decimal

    from bridge.models import BenefitProgram, FinancialAddress
    from bridge.services.clients import bridge_client_create
    from core.services.directory import tenant_create
    from simulators.bank.services import account_open

    tenant_create(code="pb", name="Punjab")
    tenant_create(code="pb.amritsar", name="Amritsar", city_code="AMR")
    BenefitProgram.objects.create(
        tenant_id="pb.amritsar",
        mnemonic="OAP",
        name="Old age pension",
        sponsor_bank_code="SIMBANK",
        sponsor_bank_account_number=ACCOUNT,
        currency="INR",
    )
    FinancialAddress.objects.bulk_create(
        (
            FinancialAddress(
                tenant_id="pb.amritsar",
                beneficiary_id=f"BEN-{n:07d}",
                account_number=f"91{n:010d}",
                bank_code="PUNB0123400",
            )
            for n in range(1, count + 1)
        ),
        batch_size=5000,
    )
    account_open(
        account_number=ACCOUNT,
        holder_name="Social Security Department",
        balance=Decimal("1000000000.00"),
        payment_failure_share=Decimal("0.300"),
    )
    _client, token = bridge_client_create(tenant_id="pb.amritsar", name="Bench PBMS")
    return token


def amount_of(n: int) -> str:
    return f"{100 + n % 900}.{n % 100:02d}"


def start(command: list[str], name: str, port: int) -> subprocess.Popen:
    env = {**ENV, "BRIDGE_SIMULATOR_BANK_URL": f"http://127.0.0.1:{port}/simulators/bank"}
    log = open(RESULTS / f"bridge-{name}.log", "w")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disbursements", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--web-workers", type=int, default=3, help="gunicorn processes")
    parser.add_argument("--clients", type=int, default=4, help="concurrent PBMS connections for the ingest")
    args = parser.parse_args()
    count = args.disbursements
    RESULTS.mkdir(parents=True, exist_ok=True)

    load_before = os.getloadavg()
    port = free_port()
    print(f"database {DATABASE}, redis db 10, port {port}; preparing {count:,} beneficiaries …", flush=True)
    database_reset()
    django_setup(port)
    token = seed(count)

    web = start(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.web_workers),
            "--timeout",
            "600",
            "--env",
            "DJANGO_SETTINGS_MODULE=config.settings.local",
        ],
        "web",
        port,
    )
    worker = start(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "config",
            "worker",
            "-Q",
            "bridge,default",
            "--concurrency",
            str(args.workers),
            "--prefetch-multiplier",
            "1",
            "--loglevel",
            "WARNING",
        ],
        "worker",
        port,
    )
    try:
        results = run(port, token, count, args)
    finally:
        stop(worker)
        stop(web)
    # The host may be busy with other work: the load average around the run says how much CPU Kosh had.
    results["load_average"] = {"before": load_before, "after": os.getloadavg()}
    print(f"load average before {load_before[0]:.1f}, after {results['load_average']['after'][0]:.1f} (2 cores)")
    results_write("bridge", results)


def run(port: int, token: str, count: int, args) -> dict:
    import requests
    from django.db import close_old_connections
    from django.db.models import Count

    from bridge.models import Disbursement, Envelope, EnvelopeStage, Statement
    from bridge.parsers.mt940 import OPTIONS

    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: up(f"{base}/health/"), 60, "gunicorn")
    headers = {"Authorization": f"Bearer {token}"}
    sessions = threading.local()

    def session() -> requests.Session:
        if not hasattr(sessions, "value"):
            sessions.value = requests.Session()
            sessions.value.headers.update(headers)
        return sessions.value

    def g2p(path: str, message, message_id: str):
        body = {
            "signature": None,
            "header": {
                "message_id": message_id,
                "message_ts": "2026-11-20T10:00:00+05:30",
                "action": path,
                "sender_id": "bench",
                "total_count": len(message) if isinstance(message, list) else 1,
            },
            "message": message,
        }
        response = session().post(
            f"{base}/{path}", data=json.dumps(body), timeout=600, headers={"Content-Type": "application/json"}
        )
        answer = response.json()
        if answer["header"]["status"] != "succ":
            raise SystemExit(f"{path}: {answer['header']}")
        return answer

    total = sum(int(amount_of(n).replace(".", "")) for n in range(1, count + 1))
    total_text = f"{total // 100}.{total % 100:02d}"
    started = time.monotonic()
    g2p(
        "create_disbursement_envelope",
        {
            "disbursement_envelope_id": "BENCH-1",
            "benefit_program_mnemonic": "OAP",
            "disbursement_frequency": "Monthly",
            "cycle_code_mnemonic": "2026-11",
            "number_of_beneficiaries": count,
            "number_of_disbursements": count,
            "total_disbursement_amount": total_text,
            "disbursement_currency_code": "INR",
            "disbursement_schedule_date": date.today().isoformat(),
        },
        "m-envelope",
    )

    def call(start_number: int):
        items = [
            {
                "disbursement_id": f"B{n:08d}",
                "disbursement_envelope_id": "BENCH-1",
                "beneficiary_id": f"BEN-{n:07d}",
                "beneficiary_name": f"Beneficiary {n}",
                "disbursement_amount": amount_of(n),
                "narrative": "Pension Nov",
                "mis_reference_number": f"MIS{n}",
            }
            for n in range(start_number, min(start_number + CALL_SIZE, count + 1))
        ]
        g2p("create_disbursements", items, f"m-{start_number}")

    starts = list(range(1, count + 1, CALL_SIZE))
    ingest_started = time.monotonic()
    with ThreadPoolExecutor(args.clients) as pool:
        list(pool.map(call, starts[:-1]))
    # The last call completes the envelope and starts the pipeline.
    call(starts[-1])
    ingest_seconds = time.monotonic() - ingest_started
    print(f"ingest: {count:,} in {ingest_seconds:.1f} s", flush=True)

    close_old_connections()
    envelope = Envelope.objects.get(envelope_id="BENCH-1")

    def stage(name):
        close_old_connections()
        return EnvelopeStage.objects.get(envelope=envelope, stage=name)

    wait_until(lambda: stage("DISPATCH").status in ("DONE", "ERROR"), 1800, "dispatch", interval=0.5)
    stages = {name: stage(name) for name in ("RESOLVE", "FUNDS_CHECK", "FUNDS_BLOCK", "DISPATCH")}
    if stages["DISPATCH"].status != "DONE":
        raise SystemExit(f"dispatch ended {stages['DISPATCH'].status}: {stages['DISPATCH'].last_error}")
    shipped = Disbursement.objects.filter(envelope=envelope, status="SHIPPED").count()
    print(f"dispatch done: {shipped:,} shipped", flush=True)

    statement_started = time.monotonic()
    response = requests.post(
        f"{base}/simulators/bank/generate_account_statement",
        json={"account_number": ACCOUNT},
        headers={"X-Bank-Api-Key": BANK_KEY},
        timeout=900,
    )
    response.raise_for_status()
    content = response.content
    statement_seconds = time.monotonic() - statement_started
    lines = content.count(b":61:")
    print(f"statement: {lines:,} lines, {len(content) / 1e6:.1f} MB in {statement_seconds:.1f} s", flush=True)

    upload_started = time.monotonic()
    uploaded = (
        session()
        .post(f"{base}/upload_mt940", files={"statement_file": ("bench.sta", content, "text/plain")}, timeout=600)
        .json()
    )
    if uploaded["header"]["status"] != "succ":
        raise SystemExit(f"upload: {uploaded['header']}")
    upload_seconds = time.monotonic() - upload_started

    def processed():
        close_old_connections()
        row = Statement.objects.get(statement_id=uploaded["message"])
        return row if row.status in ("PROCESSED", "ERROR") else None

    statement_row = wait_until(processed, 1800, "reconciliation", interval=0.2)
    reconciled = time.monotonic()
    reconcile_seconds = reconciled - upload_started - upload_seconds
    if statement_row.status != "PROCESSED":
        raise SystemExit(f"reconciliation: {statement_row.last_error_code} {statement_row.last_error}")
    total_seconds = reconciled - started

    import mt940

    parse_times = []
    for _ in range(3):
        parse_started = time.perf_counter()
        mt940.parse_statements(content.decode("utf-8"), options=OPTIONS)
        parse_times.append(time.perf_counter() - parse_started)
    parse_seconds = min(parse_times)

    counts = dict(
        Disbursement.objects.filter(envelope=envelope).values_list("status").annotate(n=Count("id")).order_by()
    )

    def span(row) -> float:
        return (row.finished_at - row.started_at).total_seconds()

    rows = [
        ("ingest over HTTP (calls of 1,000)", ingest_seconds, count),
        ("resolve accounts", span(stages["RESOLVE"]), count),
        ("check funds", span(stages["FUNDS_CHECK"]), None),
        ("block funds + plan batches", span(stages["FUNDS_BLOCK"]), None),
        ("dispatch to the bank (batches of 1,000)", span(stages["DISPATCH"]), shipped),
        ("bank writes the MT940 statement (simulator)", statement_seconds, lines),
        ("upload statement", upload_seconds, None),
        ("reconcile statement (parse + match + write)", reconcile_seconds, lines),
        ("baseline: mt940.parse_statements alone", parse_seconds, lines),
        ("whole pipeline, first call → reconciled", total_seconds, count),
    ]
    print(f"\n{'stage':<48} {'seconds':>9} {'per second':>12}")
    for name, seconds, items in rows:
        rate = f"{items / seconds:>12,.0f}" if items and seconds else f"{'':>12}"
        print(f"{name:<48} {seconds:>9.2f} {rate}")
    ratio = reconcile_seconds / parse_seconds
    print(f"\nreconciliation / parse alone: {ratio:.2f}× (target ≤ 2×)")
    print(f"ingest rate: {count / ingest_seconds:,.0f}/s (target ≥ 5,000/s)")
    print(f"whole pipeline: {total_seconds:.0f} s (target ≤ 180 s)")
    print(
        f"statuses: {counts}; statement: {statement_row.remittance_count:,} paid, "
        f"{statement_row.reversal_count:,} reversed, {statement_row.review_count:,} to review"
    )
    return {
        "disbursements": count,
        "host": {"cpus": os.cpu_count(), "celery_workers": args.workers, "web_workers": args.web_workers},
        "stages": [
            {
                "stage": name,
                "seconds": round(seconds, 3),
                "items": items,
                "per_second": round(items / seconds) if items and seconds else None,
            }
            for name, seconds, items in rows
        ],
        "reconcile_over_parse": round(ratio, 2),
        "ingest_per_second": round(count / ingest_seconds),
        "pipeline_seconds": round(total_seconds, 1),
        "statement_lines": lines,
        "statement_bytes": len(content),
        "statuses": counts,
        "targets": {"ingest_per_second": 5000, "reconcile_over_parse": 2.0, "pipeline_seconds": 180},
    }


if __name__ == "__main__":
    main()
