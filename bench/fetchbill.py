"""`_fetchbill` over HTTP for bills that are already valid, N concurrent clients, beside a baseline of the plain
authenticated no-op call (`/user/token/_check`: the same token, tenant and role check and envelope, nothing read).

    .venv/bin/python bench/fetchbill.py [--clients 16] [--seconds 20] [--rounds 2] [--consumers 1000]
                                        [--workers 4] [--threads 4] [--reuse-database]

Starts what it needs: its own PostgreSQL database (kosh_bench_bill, recreated, migrated and seeded each run) and
gunicorn with production settings on a free local port. Each client is its own process with a keep-alive
connection. Prints requests/s, p50 and p99 for both calls and their ratio; writes bench/results/fetchbill.json.
Target: ≥ 500 fetches/s at 16 clients, p99 ≤ 100 ms, on the 2-core machine."""

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import date

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

DATABASE = "kosh_bench_bill"
REDIS_URL = "redis://127.0.0.1:6379/9"
TENANT = "pb.amritsar"
PASSWORD = "Bench-Fetch-2026"
TARGET_RPS = 500
TARGET_P99_MS = 100
WARM_UP_SECONDS = 3


def seed(consumers: int) -> list[str]:
    """A city, the standard billing masters, an integrator, and `consumers` water consumers with three months of
    demands each (one part paid), each already holding a valid bill. Answers the consumer codes."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from billing.dates import ist_day_end, ist_day_start
    from billing.services.bills import BillCriteria, bill_fetch
    from billing.services.demands import DemandDetailInput, DemandInput, PayerInput, demand_create
    from billing.services.masters import billing_masters_seed
    from core.models import Role
    from core.services.directory import api_client_create, employee_create, role_grant, tenant_create

    tenant_create(code="pb", name="Punjab")
    tenant_create(code=TENANT, name="Amritsar", city_code="AMR")
    billing_masters_seed(state_id="pb")
    api_client_create(client_id="egov-user-client", name="DIGIT public client", secret="")
    integrator = employee_create(username="bench.integrator", password=PASSWORD, name="Bench", tenant_id=TENANT)
    role_grant(user=integrator, tenant_id=TENANT, role=Role.INTEGRATOR, granted_by=None)

    today = timezone.localdate()
    months = []
    cursor = today.replace(day=1)
    for _ in range(3):
        cursor = (cursor - timedelta(days=1)).replace(day=1)
        following = (cursor + timedelta(days=32)).replace(day=1)
        months.append((ist_day_start(cursor), ist_day_end(following - timedelta(days=1))))
    codes = [f"WS-BENCH-{n:05d}" for n in range(1, consumers + 1)]
    for n, code in enumerate(codes):
        payer = PayerInput(name=f"Consumer {n}", mobile_number=f"98{n:08d}")
        demand_create(
            tenant_id=TENANT,
            demands=[
                DemandInput(
                    consumer_code=code,
                    business_service_code="WS",
                    payer=payer,
                    tax_period_from=start,
                    tax_period_to=end,
                    details=[
                        DemandDetailInput(
                            tax_head_code="10101",
                            tax_amount=Decimal("240"),
                            collection_amount=Decimal("100") if index == 0 else Decimal(0),
                        ),
                        DemandDetailInput(tax_head_code="WS_WATER_CESS", tax_amount=Decimal("10")),
                    ],
                )
                for index, (start, end) in enumerate(reversed(months))
            ],
            actor=None,
        )
        bill_fetch(
            criteria=BillCriteria(tenant_id=TENANT, business_service_code="WS", consumer_codes=(code,)), actor=None
        )
    return codes


def client_run(port: int, token: str, paths: list[str], start_at: float, stop_at: float, results) -> None:
    """One client: a keep-alive connection, requests back to back until `stop_at`; latencies after `start_at`."""
    body = json.dumps({"RequestInfo": {"apiId": "Rainmaker", "ver": ".01", "msgId": "1|en_IN", "authToken": token}})
    headers = {"Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    pick = random.Random(os.getpid()).choice
    latencies, errors = [], 0
    while True:
        began = time.perf_counter()
        if began >= stop_at:
            break
        try:
            connection.request("POST", pick(paths), body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        ended = time.perf_counter()
        if began >= start_at:
            if ok:
                latencies.append(ended - began)
            else:
                errors += 1
    results.put((latencies, errors))


def measure(port: int, token: str, paths: list[str], clients: int, seconds: float) -> tuple[list[float], int]:
    """Run `clients` processes for a warm-up and then `seconds`; answer the latencies of the requests begun in
    the measured window, and the count of failed ones."""
    results = multiprocessing.Queue()
    # perf_counter is the system's monotonic clock, the same in every client process.
    start_at = time.perf_counter() + 1 + WARM_UP_SECONDS
    stop_at = start_at + seconds
    processes = [
        multiprocessing.Process(target=client_run, args=(port, token, paths, start_at, stop_at, results))
        for _ in range(clients)
    ]
    for process in processes:
        process.start()
    collected = [results.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join()
    return [latency for values, _ in collected for latency in values], sum(count for _, count in collected)


def summary(runs: list[tuple[list[float], int]], seconds: float) -> dict:
    latencies = sorted(latency for values, _ in runs for latency in values)
    if not latencies:
        raise SystemExit("no request succeeded")
    return {
        "requests": len(latencies),
        "errors": sum(errors for _, errors in runs),
        "seconds": seconds,
        "requests_per_second": len(latencies) / seconds,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--consumers", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--rounds", type=int, default=2, help="baseline and fetch phases alternate this many times")
    parser.add_argument("--reuse-database", action="store_true", help="keep the database a previous run seeded")
    args = parser.parse_args()

    port = free_port()
    var_dir = tempfile.mkdtemp(prefix="kosh-bench-bill-")
    env = seed_environment(database=DATABASE, var_dir=var_dir)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))

    if not args.reuse_database:
        database_recreate(SERVER_URL, DATABASE)
        subprocess.run(
            [str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
    import django

    django.setup()
    from django.db import connection

    from billing.models import Bill

    if args.reuse_database:
        codes = list(Bill.objects.filter(status=Bill.Status.ACTIVE).values_list("consumer_code", flat=True))
    else:
        print(f"seeding {args.consumers} consumers with three months of water demands and a valid bill each …")
        codes = seed(args.consumers)
    bills_before = Bill.objects.count()
    connection.close()

    fetch_paths = [
        f"/billing-service/bill/v2/_fetchbill?tenantId={TENANT}&consumerCode={code}&businessService=WS"
        for code in codes
    ]
    baseline_paths = [f"/user/token/_check?tenantId={TENANT}"]

    server = gunicorn_start(port, server_environment(env, redis_url=REDIS_URL), args.workers, args.threads)
    try:
        token = token_get(port, username="bench.integrator", password=PASSWORD, tenant_id=TENANT)
        # Alternating phases share out whatever else the machine is doing between the two calls.
        baseline_runs, fetch_runs = [], []
        for _ in range(args.rounds):
            baseline_runs.append(measure(port, token, baseline_paths, args.clients, args.seconds))
            fetch_runs.append(measure(port, token, fetch_paths, args.clients, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=20)

    measured_seconds = args.seconds * args.rounds
    baseline, fetch = summary(baseline_runs, measured_seconds), summary(fetch_runs, measured_seconds)
    bills = Bill.objects.count()
    if bills != bills_before:
        raise SystemExit(f"the fetches made new bills: {bills} bills, {bills_before} before")
    ratio = baseline["requests_per_second"] / fetch["requests_per_second"]
    rows = [("authenticated no-op user/token/_check (baseline)", baseline), ("bill/v2/_fetchbill (valid bill)", fetch)]
    print()
    print(
        f"{args.clients} clients, {args.rounds} × {args.seconds:.0f} s per call, {len(codes)} consumers, "
        f"gunicorn {args.workers}×{args.threads} gthread, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'call':<52} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, row in rows:
        print(
            f"{name:<52} {row['requests']:>9} {row['requests_per_second']:>8.1f} {row['p50_ms']:>8.1f} "
            f"{row['p99_ms']:>8.1f} {row['errors']:>7}"
        )
    print(f"{'ratio baseline req/s / fetch req/s':<52} {ratio:>9.2f}")
    met_rps = fetch["requests_per_second"] >= TARGET_RPS
    met_p99 = fetch["p99_ms"] <= TARGET_P99_MS
    print(
        f"targets: ≥ {TARGET_RPS} fetches/s: {'met' if met_rps else 'MISSED'}; "
        f"p99 ≤ {TARGET_P99_MS} ms: {'met' if met_p99 else 'MISSED'}"
    )

    results_write(
        "fetchbill",
        {
            "benchmark": "fetchbill",
            "clients": args.clients,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "consumers": len(codes),
            "server": f"gunicorn {args.workers} workers × {args.threads} threads (gthread), production settings",
            "baseline": {key: round(value, 2) for key, value in baseline.items()},
            "fetchbill": {key: round(value, 2) for key, value in fetch.items()},
            "ratio": round(ratio, 3),
            "targets": {"requests_per_second": TARGET_RPS, "p99_ms": TARGET_P99_MS},
            "met": {"requests_per_second": met_rps, "p99_ms": met_p99},
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()},
            "measured_on": date.today().isoformat(),
        },
    )


if __name__ == "__main__":
    main()
