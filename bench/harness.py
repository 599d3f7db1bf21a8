"""What every benchmark here needs to stand up Kosh: free ports, fresh databases, gunicorn, processes it started."""

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).absolute().parent.parent
RESULTS = ROOT / "bench" / "results"
SERVER_URL = "postgres://postgres@127.0.0.1:5432"


def seed_environment(*, database: str, var_dir: str, **extra: str) -> dict:
    """For this process, which seeds (and may profile) with development settings, debug off, no Redis."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": f"{SERVER_URL}/{database}",
        "REDIS_URL": "",
        "KOSH_VAR_DIR": var_dir,
        "KOSH_LOG_LEVEL": "WARNING",
        **extra,
    }


def server_environment(env: dict, *, redis_url: str) -> dict:
    """`env` with production settings, as gunicorn serves Kosh, on the loopback address only."""
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "REDIS_URL": redis_url,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "KOSH_SSL_REDIRECT": "false",
        "KOSH_HSTS_SECONDS": "0",
    }


def results_write(name: str, results: dict) -> None:
    """The run's figures, as `bench/results/<name>.json`."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"written: {path.relative_to(ROOT)}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_recreate(server_url: str, name: str) -> None:
    """Drop the database `name` on the server (whoever is connected) and create it empty."""
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def port_wait(server: subprocess.Popen, port: int, name: str = "gunicorn") -> subprocess.Popen:
    """The server, once its port takes connections; stopped, and the run ended, if it does not within 30 s."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"{name} did not start within 30 s")


def gunicorn_start(port: int, env: dict, workers: int, threads: int) -> subprocess.Popen:
    """Kosh under gunicorn (threaded workers, keep-alive connections), once it answers on `port`."""
    command = [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread"]
    command += ["--keep-alive", "30", "--log-level", "warning"]
    return port_wait(subprocess.Popen(command, cwd=ROOT, env=env), port)


def token_get(port: int, *, username: str, password: str, tenant_id: str) -> str:
    """An access token for an employee, from `/user/oauth/token` as a DIGIT client asks for one."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    form = f"grant_type=password&username={username}&password={password}&tenantId={tenant_id}&userType=EMPLOYEE"
    connection.request(
        "POST",
        "/user/oauth/token",
        body=form,
        headers={
            "Authorization": "Basic ZWdvdi11c2VyLWNsaWVudDo=",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    response = connection.getresponse()
    body = json.loads(response.read())
    if response.status != 200:
        raise SystemExit(f"no token: {response.status} {body}")
    return body["access_token"]


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """Stop a process started in its own session, and everything it started."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until(check, timeout: float, what: str, interval: float = 0.2):
    """The first true answer of `check()`; the run ends if none comes within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise SystemExit(f"gave up waiting for {what} after {timeout:.0f} s")


def up(url: str) -> bool:
    import requests

    try:
        return requests.get(url, timeout=2).status_code < 500
    except requests.RequestException:
        return False
