"""The suite builds its test database without migrations (fast); these tests apply the real migrations,
data migrations and PostgreSQL triggers included, to a fresh database."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def manage(*args, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_models_and_migrations_agree():
    result = manage("makemigrations", "--check", "--dry-run", database_url="sqlite:///:memory:")

    assert result.returncode == 0, result.stdout + result.stderr


def test_migrations_apply_to_a_fresh_sqlite_database(tmp_path):
    result = manage("migrate", "--noinput", database_url=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_migrations_apply_to_a_fresh_postgresql_database():
    name = f"kosh_migrate_{uuid.uuid4().hex[:12]}"
    database = settings.DATABASES["default"]
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        user = database.get("USER") or ""
        password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
        url = f"postgres://{user}{password}@{database['HOST']}:{database.get('PORT') or 5432}/{name}"

        result = manage("migrate", "--noinput", database_url=url)

        assert result.returncode == 0, result.stdout + result.stderr
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
