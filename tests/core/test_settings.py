import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "p" * 64,
    "DATABASE_URL": "postgres://kosh@db.internal:5432/kosh",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "DJANGO_DEBUG": "false",
}


def start_production(**overrides) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env.update(GOOD)
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_starts_with_real_settings():
    result = start_production()

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"DJANGO_DEBUG": "true"}, "DJANGO_DEBUG"),
        ({"DJANGO_SECRET_KEY": "kosh-development-only-secret-key-never-use-in-production"}, "DJANGO_SECRET_KEY"),
        ({"DATABASE_URL": "sqlite:////tmp/kosh.sqlite3"}, "DATABASE_URL"),
        ({"REDIS_URL": ""}, "REDIS_URL"),
    ],
)
def test_production_refuses_unsafe_settings(override, complaint):
    result = start_production(**override)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert complaint in result.stderr
