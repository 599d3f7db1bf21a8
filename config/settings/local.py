"""The embedded setup `make run` uses: SQLite and a server-less Celery broker unless the env says otherwise."""

from config.env import env
from config.settings.base import *  # noqa: F403

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# Serve static files from the apps and static/ directly; no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# --- Payments (JIT-FS): with nothing set, the treasury is simulators/jit on this same server.
KOSH_JIT_BASE_URL = env.str(
    "KOSH_JIT_BASE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}/simulators/jit"
)
KOSH_JIT_CLIENT_ID = env.str("KOSH_JIT_CLIENT_ID", default=KOSH_JIT_SIMULATOR_CLIENT_ID)  # noqa: F405
KOSH_JIT_CLIENT_SECRET = env.str("KOSH_JIT_CLIENT_SECRET", default=KOSH_JIT_SIMULATOR_CLIENT_SECRET)  # noqa: F405
_jit_simulator_key = f"{KOSH_JIT_SIMULATOR_KEY_DIR}/public-key.der"  # noqa: F405
KOSH_JIT_PUBLIC_KEY_FILE = env.str("KOSH_JIT_PUBLIC_KEY_FILE", default=_jit_simulator_key)

# Bridge (G2P): the connector calls the simulated sponsor bank this server runs, which posts statements back.
_BRIDGE_LOCAL_URL = f"http://127.0.0.1:{env.int('PORT', default=8000)}"
BRIDGE_SIMULATOR_BANK_URL = env.str("BRIDGE_SIMULATOR_BANK_URL", default=f"{_BRIDGE_LOCAL_URL}/simulators/bank")
SIMULATOR_BANK_STATEMENT_CALLBACK_URL = env.str(
    "SIMULATOR_BANK_STATEMENT_CALLBACK_URL", default=f"{_BRIDGE_LOCAL_URL}/upload_mt940"
)
SIMULATOR_BANK_STATEMENT_CALLBACK_TOKEN = env.str(
    "SIMULATOR_BANK_STATEMENT_CALLBACK_TOKEN", default="kosh-demo-bank-token"
)

# Collection (online payments): the gateway is simulators/pg on this same server.
KOSH_PG_SIMULATOR_URL = env.str("KOSH_PG_SIMULATOR_URL", default=f"{_BRIDGE_LOCAL_URL}/simulators/pg")
