"""Settings shared by every environment. Values come from `config.env`; nothing here reads os.environ."""

from datetime import timedelta

from config.env import BASE_DIR, DATABASE_URL, REDIS_URL, VAR_DIR, env

# Known to everyone who reads this file: production refuses to start with it.
DEV_SECRET_KEY = "kosh-development-only-secret-key-never-use-in-production"

KOSH_ENVIRONMENT = "development"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=DEV_SECRET_KEY)
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "core",
    "billing",
    "collection",
    "ledger",
    "payments",
    "bridge",
    "notifications",
    "simulators",
    "simulators.bank",
    "simulators.jit",
    "simulators.pg",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.current_tenant",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Web, worker and beat share one file: WAL lets readers run beside a writer, IMMEDIATE
    # takes the write lock at BEGIN so two writers queue instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and login ------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Account lockout: after AXES_FAILURE_LIMIT wrong passwords for one username, that account is
# refused (web and token endpoint alike) until the cool-off passes or an admin resets it.
AXES_FAILURE_LIMIT = env.int("KOSH_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("KOSH_LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username"]
# Locking by address too would lock out a whole municipal office behind one NAT; the account is what is guessed.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
AXES_VERBOSE = False

# DIGIT-style tokens (POST /user/oauth/token).
KOSH_ACCESS_TOKEN_TTL = timedelta(seconds=env.int("KOSH_ACCESS_TOKEN_TTL_SECONDS", default=24 * 3600))
KOSH_REFRESH_TOKEN_TTL = timedelta(seconds=env.int("KOSH_REFRESH_TOKEN_TTL_SECONDS", default=14 * 24 * 3600))
# The client DIGIT integrators send by default: `Authorization: Basic base64("egov-user-client:")`.
KOSH_DEFAULT_API_CLIENT_ID = "egov-user-client"
# Number of reverse proxies in front of Kosh whose X-Forwarded-For entries are trusted.
KOSH_TRUSTED_PROXY_COUNT = env.int("KOSH_TRUSTED_PROXY_COUNT", default=0)

# --- Locale and time ------------------------------------------------------------------------
LANGUAGE_CODE = "en-in"
TIME_ZONE = "Asia/Kolkata"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = env.str("KOSH_MEDIA_ROOT", default=str(VAR_DIR / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("KOSH_MAX_REQUEST_BYTES", default=5 * 1024 * 1024)

# --- Cache ----------------------------------------------------------------------------------
# `lookups` holds what every API call reads (token, roles, tenant; a valid bill), shared by every process
# (core/lookups.py); a change to a row forgets what was cached from it.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "lookups": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "lookups",
        },
    }
else:
    CACHES = {
        # Shared by web, worker and beat on one machine without a server.
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        },
        "lookups": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "lookups"),
        },
    }
# How long a cached lookup may live at most (see core/lookups.py).
KOSH_LOOKUP_CACHE_SECONDS = env.int("KOSH_LOOKUP_CACHE_SECONDS", default=30)
# How long a process keeps its own copy of a lookup; a change made in another process is seen after this.
KOSH_LOOKUP_LOCAL_SECONDS = env.float("KOSH_LOOKUP_LOCAL_SECONDS", default=2.0)

# --- Celery ---------------------------------------------------------------------------------
KOSH_QUEUES = ("default", "billing", "collection", "payments", "bridge", "notifications")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
else:
    _broker_dir = VAR_DIR / "celery" / "broker"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _results_dir = VAR_DIR / "celery" / "results"
    _control_dir = VAR_DIR / "celery" / "control"
    for _folder in (_broker_dir, _processed_dir, _results_dir, _control_dir):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_processed_dir),
        "control_folder": str(_control_dir),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{_results_dir}"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {f"{queue}.*": {"queue": queue} for queue in KOSH_QUEUES if queue != "default"}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery closes a worker's database connection after every task unless told to reuse it; a new PostgreSQL
# connection per task was most of the cost of a short task (one SMS). Reused for this many tasks, then renewed.
CELERY_DB_REUSE_MAX = env.int("KOSH_CELERY_DB_REUSE_MAX", default=200)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
DJANGO_CELERY_BEAT_TZ_AWARE = True

# --- REST framework and the DIGIT envelope --------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.DigitTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "core.digit.parsers.DigitJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "core.digit.errors.digit_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # DIGIT clients read amounts as JSON numbers; NUMERIC(14,2) round-trips exactly.
    "COERCE_DECIMAL_TO_STRING": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Kosh API",
    "DESCRIPTION": (
        "Revenue in and money out for a state's cities and villages. "
        "DIGIT-compatible endpoints keep DIGIT's paths and field names; Kosh endpoints are Kosh's own."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "TAGS": [
        {"name": "DIGIT: user", "description": "DIGIT egov-user compatible authentication and user APIs."},
        {"name": "Kosh: platform", "description": "Kosh's own platform endpoints."},
    ],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Security headers that hold everywhere --------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("KOSH_SESSION_SECONDS", default=8 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("KOSH_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Billing --------------------------------------------------------------------------------
# The largest bill-collect XML document accepted (bytes); a larger one is refused before it is parsed.
KOSH_BILL_COLLECT_MAX_BYTES = env.int("KOSH_BILL_COLLECT_MAX_BYTES", default=1024 * 1024)

# --- Collection: online payments ------------------------------------------------------------
# Payment gateways by the code a transaction names: a dotted path to a collection.clients.gateways.PaymentGateway.
KOSH_PG_GATEWAYS = env.dict(
    "KOSH_PG_GATEWAYS", default={"SIMPG": "collection.clients.simulator_gateway.SimulatorGateway"}
)
# The simulated gateway (simulators/pg): its base URL (empty: not configured), and the merchant id and HMAC secret
# Kosh and the gateway share (the simulator accepts exactly these).
KOSH_PG_SIMULATOR_URL = env.str("KOSH_PG_SIMULATOR_URL", default="")
KOSH_PG_SIMULATOR_MERCHANT_ID = env.str("KOSH_PG_SIMULATOR_MERCHANT_ID", default="KOSH-DEMO-MERCHANT")
KOSH_PG_SIMULATOR_SECRET = env.str("KOSH_PG_SIMULATOR_SECRET", default="kosh-pg-simulator-secret")
KOSH_PG_CONNECT_TIMEOUT_SECONDS = env.float("KOSH_PG_CONNECT_TIMEOUT_SECONDS", default=5.0)
KOSH_PG_READ_TIMEOUT_SECONDS = env.float("KOSH_PG_READ_TIMEOUT_SECONDS", default=30.0)
# Kosh's address as the payer's browser reaches it, for the gateway's return (empty: the address _create came in on).
KOSH_PG_RETURN_BASE_URL = env.str("KOSH_PG_RETURN_BASE_URL", default="")
# The reconciliation job asks the gateway about PENDING transactions older than this; one the gateway still has
# not finished after ABANDON_AFTER is a FAILURE (the payer left the pay page).
KOSH_PG_RECONCILE_AFTER_SECONDS = env.int("KOSH_PG_RECONCILE_AFTER_SECONDS", default=15 * 60)
KOSH_PG_ABANDON_AFTER_SECONDS = env.int("KOSH_PG_ABANDON_AFTER_SECONDS", default=30 * 60)
SPECTACULAR_SETTINGS["TAGS"] += [
    {"name": "DIGIT: pg-service", "description": "DIGIT egov-pg-service compatible online payment transactions."},
]
# --- end Collection: online payments --------------------------------------------------------

# --- Payments (JIT-FS) ----------------------------------------------------------------------
# The treasury's JIT-FS: base URL (the part before /webservices/jitfs/v1.0), the client id and secret and the
# X.509 DER public key file it shares offline. Empty means not configured: every call is refused with that reason.
KOSH_JIT_BASE_URL = env.str("KOSH_JIT_BASE_URL", default="")
KOSH_JIT_CLIENT_ID = env.str("KOSH_JIT_CLIENT_ID", default="")
KOSH_JIT_CLIENT_SECRET = env.str("KOSH_JIT_CLIENT_SECRET", default="")
KOSH_JIT_PUBLIC_KEY_FILE = env.str("KOSH_JIT_PUBLIC_KEY_FILE", default="")
KOSH_JIT_CONNECT_TIMEOUT_SECONDS = env.float("KOSH_JIT_CONNECT_TIMEOUT_SECONDS", default=5.0)
KOSH_JIT_READ_TIMEOUT_SECONDS = env.float("KOSH_JIT_READ_TIMEOUT_SECONDS", default=30.0)
# JIT-FS sessions last 30 minutes; Kosh authenticates again a little before that.
KOSH_JIT_SESSION_SECONDS = env.int("KOSH_JIT_SESSION_SECONDS", default=25 * 60)
# extAppName / jitCorBillDeptCode / purpose as the treasury knows the programme.
KOSH_JIT_APP_NAME = env.str("KOSH_JIT_APP_NAME", default="MUKTA")
# A poll that gets no response is tried again within the run: this many times, waiting backoff × 2^n seconds.
KOSH_JIT_POLL_RETRIES = env.int("KOSH_JIT_POLL_RETRIES", default=3)
KOSH_JIT_POLL_RETRY_BACKOFF_SECONDS = env.int("KOSH_JIT_POLL_RETRY_BACKOFF_SECONDS", default=120)
KOSH_JIT_POLL_BATCH_SIZE = env.int("KOSH_JIT_POLL_BATCH_SIZE", default=100)
# How long a worker's claim on a PI lasts before another run may poll it (a crashed worker's claim expires).
KOSH_JIT_POLL_LEASE_SECONDS = env.int("KOSH_JIT_POLL_LEASE_SECONDS", default=15 * 60)
# FD asks for failures of vouchers from this many days back; FTFPS polls revised PIs paid within it.
KOSH_JIT_FAILED_PAYMENTS_LOOKBACK_DAYS = env.int("KOSH_JIT_FAILED_PAYMENTS_LOOKBACK_DAYS", default=100)
# The JIT-FS simulator (simulators/jit): the credentials it accepts and where it keeps its RSA key pair.
KOSH_JIT_SIMULATOR_CLIENT_ID = env.str("KOSH_JIT_SIMULATOR_CLIENT_ID", default="kosh-jit-simulator")
KOSH_JIT_SIMULATOR_CLIENT_SECRET = env.str("KOSH_JIT_SIMULATOR_CLIENT_SECRET", default="kosh-jit-simulator-secret")
KOSH_JIT_SIMULATOR_KEY_DIR = env.str("KOSH_JIT_SIMULATOR_KEY_DIR", default=str(VAR_DIR / "simulators" / "jit"))
SPECTACULAR_SETTINGS["TAGS"] += [
    {"name": "DIGIT: ifms-adapter", "description": "MUKTASoft ifms-adapter compatible Payment Instruction APIs."},
    {"name": "DIGIT: expense", "description": "DIGIT expense compatible bill intake for payment."},
]
# --- end Payments (JIT-FS) ------------------------------------------------------------------

# --- Bridge (G2P) ---------------------------------------------------------------------------
# Sponsor-bank connectors by the program's sponsor_bank_code: a dotted path to a SponsorBankConnector class.
BRIDGE_BANK_CONNECTORS = env.dict(
    "BRIDGE_BANK_CONNECTORS", default={"SIMBANK": "bridge.connectors.simulator_bank.SimulatorBankConnector"}
)
# The simulator bank's API (simulators/bank): base URL (empty: not configured) and its X-Bank-Api-Key.
BRIDGE_SIMULATOR_BANK_URL = env.str("BRIDGE_SIMULATOR_BANK_URL", default="")
BRIDGE_SIMULATOR_BANK_API_KEY = env.str("BRIDGE_SIMULATOR_BANK_API_KEY", default="kosh-simulator-bank-key")
BRIDGE_BANK_CONNECT_TIMEOUT_SECONDS = env.float("BRIDGE_BANK_CONNECT_TIMEOUT_SECONDS", default=5.0)
BRIDGE_BANK_READ_TIMEOUT_SECONDS = env.float("BRIDGE_BANK_READ_TIMEOUT_SECONDS", default=60.0)
# Where beneficiary accounts come from when a program needs resolution: a dotted path to an AccountResolver.
BRIDGE_ACCOUNT_RESOLVER = env.str("BRIDGE_ACCOUNT_RESOLVER", default="bridge.resolvers.LocalFinancialAddressResolver")
BRIDGE_CURRENCIES = env.list("BRIDGE_CURRENCIES", default=["INR"])
# Payments per bank call (one idempotency key each); disbursements per create_disbursements call.
BRIDGE_BATCH_SIZE = env.int("BRIDGE_BATCH_SIZE", default=1000)
BRIDGE_MAX_DISBURSEMENTS_PER_CALL = env.int("BRIDGE_MAX_DISBURSEMENTS_PER_CALL", default=10000)
# Start an envelope as soon as it is complete instead of waiting for its schedule date.
BRIDGE_PROCESS_FUTURE_ENVELOPES = env.bool("BRIDGE_PROCESS_FUTURE_ENVELOPES", default=False)
# A stage that fails is tried again after backoff × 2^(attempt-1) seconds (at most an hour), MAX_ATTEMPTS in all.
BRIDGE_STAGE_MAX_ATTEMPTS = env.int("BRIDGE_STAGE_MAX_ATTEMPTS", default=5)
BRIDGE_RETRY_BACKOFF_SECONDS = env.int("BRIDGE_RETRY_BACKOFF_SECONDS", default=60)
# How long a worker owns a claimed stage, batch or statement; a crashed worker's claim expires after this.
BRIDGE_LEASE_SECONDS = env.int("BRIDGE_LEASE_SECONDS", default=600)
# MT940 uploads: size cap, and the encoding tried when a file is not UTF-8 (cp1252, latin-1, cp852, …).
BRIDGE_STATEMENT_MAX_BYTES = env.int("BRIDGE_STATEMENT_MAX_BYTES", default=32 * 1024 * 1024)
BRIDGE_MT940_FALLBACK_ENCODING = env.str("BRIDGE_MT940_FALLBACK_ENCODING", default="cp1252")
# The simulated sponsor bank (simulators/bank): its API key, statement page size, and where it posts statements.
SIMULATOR_BANK_API_KEY = env.str("SIMULATOR_BANK_API_KEY", default="kosh-simulator-bank-key")
SIMULATOR_BANK_STATEMENT_PAGE_ENTRIES = env.int("SIMULATOR_BANK_STATEMENT_PAGE_ENTRIES", default=1000)
SIMULATOR_BANK_STATEMENT_CALLBACK_URL = env.str("SIMULATOR_BANK_STATEMENT_CALLBACK_URL", default="")
SIMULATOR_BANK_STATEMENT_CALLBACK_TOKEN = env.str("SIMULATOR_BANK_STATEMENT_CALLBACK_TOKEN", default="")
SIMULATOR_BANK_CALLBACK_TIMEOUT_SECONDS = env.float("SIMULATOR_BANK_CALLBACK_TIMEOUT_SECONDS", default=60.0)
# The MT940 library logs whole statement lines (account numbers) when a tag does not parse; Kosh records its own reason.
LOGGING["loggers"]["mt940"] = {"level": "CRITICAL"}
# --- end Bridge (G2P) -----------------------------------------------------------------------

# --- Notifications --------------------------------------------------------------------------
# SMS (notifications/): which provider sends, how a generic HTTP gateway is called, retries, rate and the
# delivery-report webhook. Read at send time, so a change needs only a worker restart.
KOSH_SMS_PROVIDER = env.str("KOSH_SMS_PROVIDER", default="console")  # console | http | simulator
KOSH_SMS_SENDER_ID = env.str("KOSH_SMS_SENDER_ID", default="KOSHGV")  # the DLT-registered header
KOSH_SMS_DLT_ENTITY_ID = env.str("KOSH_SMS_DLT_ENTITY_ID", default="")  # the principal entity id on the DLT portal
KOSH_SMS_DEFAULT_LOCALE = env.str("KOSH_SMS_DEFAULT_LOCALE", default="en_IN")
# Attempts per message before it is FAILED with the last error; the wait doubles from BASE up to MAX seconds.
KOSH_SMS_MAX_ATTEMPTS = env.int("KOSH_SMS_MAX_ATTEMPTS", default=6)
KOSH_SMS_RETRY_BASE_SECONDS = env.float("KOSH_SMS_RETRY_BASE_SECONDS", default=30.0)
KOSH_SMS_RETRY_MAX_SECONDS = env.float("KOSH_SMS_RETRY_MAX_SECONDS", default=3600.0)
# Messages handed to the provider per second across every worker (0: no limit).
KOSH_SMS_RATE_PER_SECOND = env.int("KOSH_SMS_RATE_PER_SECOND", default=100)
# The sweep takes QUEUED messages overdue by this long: their task never ran, or their retry was lost.
KOSH_SMS_SWEEP_GRACE_SECONDS = env.float("KOSH_SMS_SWEEP_GRACE_SECONDS", default=60.0)
# How long one attempt owns its message; a worker that dies mid-send frees it after this.
KOSH_SMS_CLAIM_SECONDS = env.float("KOSH_SMS_CLAIM_SECONDS", default=120.0)
KOSH_SMS_HTTP = {
    "URL": env.str("KOSH_SMS_HTTP_URL", default=""),
    "METHOD": env.str("KOSH_SMS_HTTP_METHOD", default="POST"),  # GET | POST
    # JSON objects whose string values may name {to} {to_91} {to_e164} {text} {unicode} {dlt_template_id}
    # {dlt_entity_id} {sender} {reference} {username} {password} {token}.
    "PARAMS_TEMPLATE": env.json("KOSH_SMS_HTTP_PARAMS_TEMPLATE", default={}),
    "BODY_TEMPLATE": env.json("KOSH_SMS_HTTP_BODY_TEMPLATE", default={}),
    "BODY_ENCODING": env.str("KOSH_SMS_HTTP_BODY_ENCODING", default="json"),  # json | form
    "HEADERS": env.json("KOSH_SMS_HTTP_HEADERS", default={}),
    "AUTH": env.str("KOSH_SMS_HTTP_AUTH", default="none"),  # none | basic | bearer | header
    "USERNAME": env.str("KOSH_SMS_HTTP_USERNAME", default=""),
    "PASSWORD": env.str("KOSH_SMS_HTTP_PASSWORD", default=""),
    "TOKEN": env.str("KOSH_SMS_HTTP_TOKEN", default=""),
    "AUTH_HEADER": env.str("KOSH_SMS_HTTP_AUTH_HEADER", default="Authorization"),
    "SUCCESS_REGEX": env.str("KOSH_SMS_HTTP_SUCCESS_REGEX", default=""),
    "MESSAGE_ID_REGEX": env.str("KOSH_SMS_HTTP_MESSAGE_ID_REGEX", default=""),
    "TIMEOUT_SECONDS": env.float("KOSH_SMS_HTTP_TIMEOUT_SECONDS", default=10.0),
    # Delivery reports: the gateway calls /notifications/sms/delivery-reports/http with this token.
    "DLR_TOKEN": env.str("KOSH_SMS_HTTP_DLR_TOKEN", default=""),
    "DLR_MESSAGE_ID_FIELD": env.str("KOSH_SMS_HTTP_DLR_MESSAGE_ID_FIELD", default="messageId"),
    "DLR_STATUS_FIELD": env.str("KOSH_SMS_HTTP_DLR_STATUS_FIELD", default="status"),
    "DLR_ERROR_FIELD": env.str("KOSH_SMS_HTTP_DLR_ERROR_FIELD", default="error"),
    "DLR_DELIVERED_VALUES": env.list("KOSH_SMS_HTTP_DLR_DELIVERED_VALUES", default=["DELIVERED", "DELIVRD"]),
    "DLR_FAILED_VALUES": env.list(
        "KOSH_SMS_HTTP_DLR_FAILED_VALUES",
        default=["FAILED", "UNDELIV", "UNDELIVERED", "EXPIRED", "REJECTED", "REJECTD"],
    ),
}
KOSH_SMS_SIMULATOR = {
    # The simulator's send endpoint; `make run` serves it at this address.
    "URL": env.str("KOSH_SMS_SIMULATOR_URL", default="http://127.0.0.1:8000/simulators/sms/send"),
    "TOKEN": env.str("KOSH_SMS_SIMULATOR_TOKEN", default="kosh-sms-simulator"),
    "DLR_TOKEN": env.str("KOSH_SMS_SIMULATOR_DLR_TOKEN", default="kosh-sms-simulator-reports"),
    "TIMEOUT_SECONDS": env.float("KOSH_SMS_SIMULATOR_TIMEOUT_SECONDS", default=10.0),
    # Unset: on everywhere but under production settings.
    "ENABLED": env.bool("KOSH_SMS_SIMULATOR_ENABLED", default=None),
}
# --- end Notifications ---------------------------------------------------------------------
