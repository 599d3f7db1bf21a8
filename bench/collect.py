"""`payments/_create` over HTTP: N concurrent clients each paying its own bills (3–6 heads over one or two months),
beside a baseline of pgbench's builtin TPC-B-like transaction on the same PostgreSQL server.

    .venv/bin/python bench/collect.py [--clients 16] [--seconds 20] [--rounds 2] [--bills 12000]
                                      [--workers 4] [--threads 4] [--pgbench-scale 16]

Starts what it needs: its own PostgreSQL databases (kosh_bench_collect, migrated and seeded through the services;
kosh_bench_collect_pgbench, made by `pgbench -i`), both recreated each run, and gunicorn with production settings on
a free local port. Each client is its own process with a keep-alive connection and a share of the bills; every
request pays one whole bill in cash (one receipt, its voucher, its SMS queued). The pgbench and Kosh phases
alternate `--rounds` times. Prints receipts/s, p50 and p99 for both and the ratio, then where one payment's time
goes: the statements of one `_create` request and of one `payment_create` call, and a profile of the call.
Writes bench/results/collect.json. Target: ≥ 200 receipts/s at 16 clients, p99 ≤ 250 ms, on the 2-core machine."""

import argparse
import cProfile
import http.client
import io
import json
import multiprocessing
import os
import platform
import pstats
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from harness import (
    ROOT,
    SERVER_URL,
    database_recreate,
    free_port,
    gunicorn_start,
    results_write,
    seed_environment,
    server_environment,
    token_get,
)

DATABASE = "kosh_bench_collect"
PGBENCH_DATABASE = "kosh_bench_collect_pgbench"
REDIS_URL = "redis://127.0.0.1:6379/13"
TENANT = "pb.amritsar"
PASSWORD = "Bench-Collect-2026"
TARGET_RPS = 200
TARGET_P99_MS = 250
WARM_UP_SECONDS = 3
# Water heads a bill may carry: charges, cess and penalties, as a month's demand has them.
HEADS = [("10101", 240), ("10102", 60), ("WS_WATER_CESS", 12), ("10201", 25), ("WS_TIME_INTEREST", 7)]
# Bills kept back from the clients, for the statement count and the profile after the run.
PROFILED_BILLS = 3


def seed(bills: int) -> list[tuple[str, str, str]]:
    """A city with the standard masters, its books and SMS templates, an integrator, and `bills` water consumers,
    each with one or two months of demands (3–6 heads in all) and a valid bill. Answers (bill id, total, mobile)."""
    from django.utils import timezone

    from billing.dates import ist_day_end, ist_day_start
    from billing.services.bills import BillCriteria, bill_fetch
    from billing.services.demands import DemandDetailInput, DemandInput, PayerInput, demand_create
    from billing.services.masters import billing_masters_seed
    from core.models import Role
    from core.services.directory import api_client_create, employee_create, role_grant, tenant_create
    from ledger.services import ledger_seed
    from notifications.services import sms_templates_seed

    tenant_create(code="pb", name="Punjab")
    tenant_create(code=TENANT, name="Amritsar", city_code="AMR")
    billing_masters_seed(state_id="pb")
    ledger_seed()
    sms_templates_seed()
    api_client_create(client_id="egov-user-client", name="DIGIT public client", secret="")
    integrator = employee_create(username="bench.integrator", password=PASSWORD, name="Bench", tenant_id=TENANT)
    role_grant(user=integrator, tenant_id=TENANT, role=Role.INTEGRATOR, granted_by=None)

    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    before = (last_month - timedelta(days=1)).replace(day=1)
    periods = [(before, last_month - timedelta(days=1)), (last_month, this_month - timedelta(days=1))]
    pick = random.Random(2026)
    found = []
    batch = 200
    for first in range(0, bills, batch):
        demands, codes = [], []
        for n in range(first, min(first + batch, bills)):
            code = f"WS-BENCH-{n:06d}"
            codes.append(code)
            payer = PayerInput(name=f"Consumer {n}", mobile_number=f"98{n:08d}")
            heads = pick.randint(3, 6)
            # Six heads come as two months of three; fewer, as one month or (sometimes) two.
            split = [3, 3] if heads == 6 else ([heads] if heads == 3 or pick.random() < 0.5 else [2, heads - 2])
            for period, count in zip(periods[-len(split) :], split, strict=True):
                demands.append(
                    DemandInput(
                        consumer_code=code,
                        business_service_code="WS",
                        payer=payer,
                        tax_period_from=ist_day_start(period[0]),
                        tax_period_to=ist_day_end(period[1]),
                        details=[
                            DemandDetailInput(tax_head_code=head, tax_amount=Decimal(amount))
                            for head, amount in HEADS[:count]
                        ],
                    )
                )
        demand_create(tenant_id=TENANT, demands=demands, actor=None)
        fetched = bill_fetch(
            criteria=BillCriteria(tenant_id=TENANT, business_service_code="WS", consumer_codes=tuple(codes)),
            actor=None,
        )
        found += [(str(bill.pk), str(bill.total_amount), bill.mobile_number or "9876500001") for bill in fetched]
        print(f"  {len(found)} bills", end="\r", flush=True)
    print()
    return found


def payment_body(token: str, bill: tuple[str, str, str], n: int) -> bytes:
    bill_id, total, mobile = bill
    return json.dumps(
        {
            "RequestInfo": {"apiId": "Rainmaker", "ver": ".01", "msgId": f"{n}|en_IN", "authToken": token},
            "Payment": {
                "tenantId": TENANT,
                "totalDue": total,
                "totalAmountPaid": total,
                "paymentMode": "CASH",
                "paidBy": "Bench Payer",
                "mobileNumber": mobile,
                "paymentDetails": [
                    {"billId": bill_id, "businessService": "WS", "totalDue": total, "totalAmountPaid": total}
                ],
            },
        }
    ).encode()


def client_run(port: int, token: str, bills: list, start_at: float, stop_at: float, results) -> None:
    """One client: a keep-alive connection paying its bills back to back until `stop_at` (or its bills run out);
    latencies of the requests begun after `start_at`."""
    headers = {"Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies, errors, first_error, left = [], 0, None, list(bills)
    while left:
        began = time.perf_counter()
        if began >= stop_at:
            break
        body = payment_body(token, left.pop(), len(left))
        try:
            connection.request("POST", "/collection-services/payments/_create", body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            ok = response.status == 200
            if not ok and first_error is None:
                first_error = f"{response.status} {answer[:300]!r}"
        except (OSError, http.client.HTTPException) as exc:
            ok = False
            first_error = first_error or repr(exc)
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        ended = time.perf_counter()
        if began >= start_at:
            if ok:
                latencies.append(ended - began)
            else:
                errors += 1
    results.put((latencies, errors, first_error, not left and time.perf_counter() < stop_at))


def measure(port: int, token: str, shares: list[list], seconds: float) -> tuple[list[float], int, list[str], bool]:
    """Run one client process per share for a warm-up and then `seconds`; answer the latencies of the requests
    begun in the measured window, the count of failed ones, their first errors, and whether a client ran dry."""
    results = multiprocessing.Queue()
    start_at = time.perf_counter() + 1 + WARM_UP_SECONDS
    stop_at = start_at + seconds
    processes = [
        multiprocessing.Process(target=client_run, args=(port, token, share, start_at, stop_at, results))
        for share in shares
    ]
    for process in processes:
        process.start()
    collected = [results.get(timeout=seconds + 180) for _ in processes]
    for process in processes:
        process.join()
    return (
        [latency for values, *_ in collected for latency in values],
        sum(errors for _, errors, *_ in collected),
        [error for *_, error, _ in collected if error],
        any(dry for *_, dry in collected),
    )


class WaitSampler:
    """Samples, ten times a second, what Kosh's database sessions are doing: running, or waiting (on a row lock
    held by another payment, on I/O, …) and in which statement. Tells contention from work."""

    def __init__(self):
        self.samples = Counter()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        import psycopg

        with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as connection:
            while not self.stop.wait(0.1):
                rows = connection.execute(
                    "SELECT coalesce(wait_event_type, 'running'), coalesce(wait_event, ''), left(query, 70) "
                    "FROM pg_stat_activity WHERE datname = %s AND state = 'active'",
                    [DATABASE],
                ).fetchall()
                self.samples.update(rows)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def pgbench(args: list[str], log_dir: str | None = None) -> str:
    command = ["pgbench", "-h", "127.0.0.1", "-U", "postgres", *args, PGBENCH_DATABASE]
    done = subprocess.run(command, capture_output=True, text=True, cwd=log_dir)
    if done.returncode != 0:
        raise SystemExit(f"pgbench failed: {done.stderr.strip()}")
    return done.stdout


def pgbench_run(clients: int, seconds: float) -> tuple[list[float], float]:
    """The builtin TPC-B-like script for `seconds` (after the same warm-up as Kosh's phase); answers each
    transaction's latency (from pgbench's per-transaction log) and pgbench's own tps."""
    with tempfile.TemporaryDirectory(prefix="kosh-pgbench-") as log_dir:
        out = pgbench(
            ["-n", "-c", str(clients), "-j", "2", "-T", str(int(seconds + WARM_UP_SECONDS)), "-l", "--log-prefix=tx"],
            log_dir=log_dir,
        )
        tps = float(re.search(r"tps = ([0-9.]+)", out).group(1))
        start = None
        rows = []
        for log in Path(log_dir).glob("tx*"):
            for line in log.read_text().splitlines():
                # client, transaction, latency µs, script, epoch seconds, µs
                _, _, latency, _, epoch, micros = line.split()
                rows.append((int(epoch) + int(micros) / 1e6, int(latency) / 1e6))
        start = min(moment for moment, _ in rows) + WARM_UP_SECONDS
        return [latency for moment, latency in rows if moment >= start], tps


def summary(latencies: list[float], errors: int, seconds: float) -> dict:
    latencies = sorted(latencies)
    if not latencies:
        raise SystemExit("no request succeeded")
    return {
        "requests": len(latencies),
        "errors": errors,
        "seconds": seconds,
        "requests_per_second": len(latencies) / seconds,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


def statement_kind(sql: str) -> str:
    words = sql.lstrip().split(None, 1)
    kind = words[0].upper() if words else "?"
    if kind == "SELECT" and "FOR UPDATE" in sql.upper():
        return "SELECT … FOR UPDATE"
    return kind


class StatementLog:
    """Every statement the connection runs while installed (`connection.execute_wrapper`), with its time."""

    def __init__(self):
        self.statements: list[tuple[str, float]] = []

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((sql, time.perf_counter() - began))

    def kinds(self) -> dict:
        return dict(Counter(statement_kind(sql) for sql, _ in self.statements))

    def holding_numbers(self) -> int:
        """Statements from the first number taken to the end: how long payments of one city queue on one another
        (the number sequences' rows stay locked until the commit)."""
        first = next((n for n, (sql, _) in enumerate(self.statements) if "core_idsequence" in sql), None)
        return 0 if first is None else len(self.statements) - first

    def milliseconds(self) -> float:
        return round(sum(seconds for _, seconds in self.statements) * 1000, 1)


def where_the_time_goes(token: str, bills: list[tuple[str, str, str]]) -> dict:
    """In this process, through the whole Django stack: the statements and time of one `_create` request and of the
    `payment_create` call inside one, and a profile of a request (Kosh's functions, DRF, the Celery publish)."""
    from django.db import connection
    from django.test import Client

    from collection.services.payments import PaymentDetailInput, PaymentInput, payment_create
    from core.models import User

    request_bill, call_bill, profiled_bill = bills[:PROFILED_BILLS]
    client = Client()

    def post(bill):
        response = client.post(
            "/collection-services/payments/_create",
            data=payment_body(token, bill, 0),
            content_type="application/json",
            HTTP_HOST="127.0.0.1",
        )
        if response.status_code != 200:
            raise SystemExit(f"profiled request failed: {response.status_code} {response.content[:300]!r}")

    request_log, call_log = StatementLog(), StatementLog()
    with connection.execute_wrapper(request_log):
        began = time.perf_counter()
        post(request_bill)
        request_ms = (time.perf_counter() - began) * 1000
    bill_id, total, mobile = call_bill
    payment = PaymentInput(
        tenant_id=TENANT,
        payment_mode="CASH",
        total_amount_paid=Decimal(total),
        paid_by="Bench Payer",
        mobile_number=mobile,
        details=[PaymentDetailInput(bill_id=bill_id, total_amount_paid=Decimal(total))],
    )
    integrator = User.objects.get(username="bench.integrator")
    with connection.execute_wrapper(call_log):
        began = time.perf_counter()
        payment_create(payment=payment, actor=integrator)
        call_ms = (time.perf_counter() - began) * 1000
    profiler = cProfile.Profile()
    profiler.enable()
    post(profiled_bill)
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(
        r"/(collection|billing|ledger|core|notifications)/|rest_framework/views|celery/app/task|kombu/messaging", 24
    )

    return {
        "request_statements": len(request_log.statements),
        "request_statement_kinds": request_log.kinds(),
        "request_ms": round(request_ms, 1),
        "request_statement_ms": request_log.milliseconds(),
        "call_statements": len(call_log.statements),
        "call_statement_kinds": call_log.kinds(),
        "call_statements_holding_numbers": call_log.holding_numbers(),
        "call_ms": round(call_ms, 1),
        "call_statement_ms": call_log.milliseconds(),
        "profile": text.getvalue(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=2, help="pgbench and Kosh phases alternate this many times")
    parser.add_argument("--bills", type=int, default=12000, help="bills seeded; each request pays one")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--pgbench-scale", type=int, default=16, help="pgbench -i scale (at least --clients)")
    args = parser.parse_args()

    port = free_port()
    var_dir = tempfile.mkdtemp(prefix="kosh-bench-collect-")
    env = seed_environment(database=DATABASE, var_dir=var_dir)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))

    print(f"pgbench -i -s {args.pgbench_scale} into {PGBENCH_DATABASE} …")
    database_recreate(SERVER_URL, PGBENCH_DATABASE)
    pgbench(["-i", "-q", "-s", str(args.pgbench_scale)])
    database_recreate(SERVER_URL, DATABASE)
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    import django

    django.setup()
    from django.db import connection

    from collection.models import PaymentDetail

    print(f"seeding {args.bills} water consumers with a bill of 3–6 heads each …")
    bills = seed(args.bills)
    connection.close()
    kept, bills = bills[:PROFILED_BILLS], bills[PROFILED_BILLS:]
    random.Random(16).shuffle(bills)
    per_round = len(bills) // args.rounds

    server = gunicorn_start(port, server_environment(env, redis_url=REDIS_URL), args.workers, args.threads)
    try:
        token = token_get(port, username="bench.integrator", password=PASSWORD, tenant_id=TENANT)
        kosh_latencies, kosh_errors, first_errors, ran_dry = [], 0, [], False
        waits = Counter()
        pg_latencies, pg_tps = [], []
        for round_index in range(args.rounds):
            latencies, tps = pgbench_run(args.clients, args.seconds)
            pg_latencies += latencies
            pg_tps.append(tps)
            mine = bills[round_index * per_round : (round_index + 1) * per_round]
            shares = [mine[n :: args.clients] for n in range(args.clients)]
            with WaitSampler() as sampler:
                latencies, errors, errored, dry = measure(port, token, shares, args.seconds)
            waits += sampler.samples
            kosh_latencies += latencies
            kosh_errors += errors
            first_errors += errored
            ran_dry = ran_dry or dry
    finally:
        server.terminate()
        server.wait(timeout=20)

    measured_seconds = args.seconds * args.rounds
    kosh = summary(kosh_latencies, kosh_errors, measured_seconds)
    baseline = summary(pg_latencies, 0, measured_seconds)
    baseline["pgbench_tps"] = sum(pg_tps) / len(pg_tps)
    receipts = PaymentDetail.objects.count()
    time_goes = where_the_time_goes(token, kept)
    connection.close()
    ratio = baseline["requests_per_second"] / kosh["requests_per_second"]

    rows = [
        (f"pgbench tpcb-like, scale {args.pgbench_scale} (baseline)", baseline),
        ("collection-services/payments/_create (1 bill)", kosh),
    ]
    print()
    print(
        f"{args.clients} clients, {args.rounds} × {args.seconds:.0f} s per phase, {len(bills)} bills, "
        f"gunicorn {args.workers}×{args.threads} gthread, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'call':<52} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, row in rows:
        print(
            f"{name:<52} {row['requests']:>9} {row['requests_per_second']:>8.1f} {row['p50_ms']:>8.1f} "
            f"{row['p99_ms']:>8.1f} {row['errors']:>7}"
        )
    print(f"{'ratio pgbench tps / receipts per second':<52} {ratio:>9.2f}")
    print(f"receipts written in the run: {receipts}")
    if first_errors:
        print(f"first errors: {first_errors[:3]}")
    if ran_dry:
        print("a client paid all its bills before the end: seed more with --bills")
    met_rps = kosh["requests_per_second"] >= TARGET_RPS
    met_p99 = kosh["p99_ms"] <= TARGET_P99_MS
    print(
        f"targets: ≥ {TARGET_RPS} receipts/s: {'met' if met_rps else 'MISSED'}; "
        f"p99 ≤ {TARGET_P99_MS} ms: {'met' if met_p99 else 'MISSED'}"
    )
    print()
    print(f"one _create request: {time_goes['request_statements']} statements {time_goes['request_statement_kinds']}")
    print(
        f"one payment_create call: {time_goes['call_statements']} statements {time_goes['call_statement_kinds']}, "
        f"{time_goes['call_ms']} ms, of which {time_goes['call_statement_ms']} ms in the database; "
        f"the last {time_goes['call_statements_holding_numbers']} hold the city's number sequences"
    )
    print(time_goes["profile"])
    sampled = sum(waits.values())
    print(f"Kosh's active database sessions, sampled every 0.1 s ({sampled} session samples), most frequent states:")
    for (kind, event, query), count in waits.most_common(8):
        print(f"  {100 * count / sampled:5.1f}%  {kind:<8} {event:<16} {query}")

    results_write(
        "collect",
        {
            "benchmark": "collect",
            "clients": args.clients,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "bills": len(bills),
            "server": f"gunicorn {args.workers} workers × {args.threads} threads (gthread), production settings",
            "baseline": {key: round(value, 2) for key, value in baseline.items()},
            "payment_create": {key: round(value, 2) for key, value in kosh.items()},
            "ratio": round(ratio, 3),
            "targets": {"requests_per_second": TARGET_RPS, "p99_ms": TARGET_P99_MS},
            "met": {"requests_per_second": met_rps, "p99_ms": met_p99},
            "where_the_time_goes": time_goes,
            "database_sessions": [
                {"share": round(count / sum(waits.values()), 3), "wait": f"{kind} {event}".strip(), "query": query}
                for (kind, event, query), count in waits.most_common(12)
            ],
            "ran_out_of_bills": ran_dry,
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()},
            "measured_on": date.today().isoformat(),
        },
    )


if __name__ == "__main__":
    main()
