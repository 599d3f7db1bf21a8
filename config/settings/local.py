"""The embedded setup `make run` uses: SQLite and a server-less Celery broker unless the env says otherwise."""

from config.env import env
from config.settings.base import *  # noqa: F403

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# Serve static files from the apps and static/ directly; no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Bridge (G2P): the connector calls the simulated sponsor bank this server runs, which posts statements back.
_BRIDGE_LOCAL_URL = f"http://127.0.0.1:{env.int('PORT', default=8000)}"
BRIDGE_SIMULATOR_BANK_URL = env.str("BRIDGE_SIMULATOR_BANK_URL", default=f"{_BRIDGE_LOCAL_URL}/simulators/bank")
SIMULATOR_BANK_STATEMENT_CALLBACK_URL = env.str(
    "SIMULATOR_BANK_STATEMENT_CALLBACK_URL", default=f"{_BRIDGE_LOCAL_URL}/upload_mt940"
)
SIMULATOR_BANK_STATEMENT_CALLBACK_TOKEN = env.str(
    "SIMULATOR_BANK_STATEMENT_CALLBACK_TOKEN", default="kosh-demo-bank-token"
)
