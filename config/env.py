"""The one place Kosh reads its environment. Settings modules import `env` from here."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Where the embedded setup keeps its SQLite file, Celery folders and file cache.
VAR_DIR = Path(env.str("KOSH_VAR_DIR", default=str(BASE_DIR / "var")))

DATABASE_URL = env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kosh.sqlite3'}")
REDIS_URL = env.str("REDIS_URL", default="")
