"""The test suite: the database and broker the environment names (SQLite and files when it names none)."""

from config.env import VAR_DIR
from config.settings.base import *  # noqa: F403

KOSH_ENVIRONMENT = "test"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Services queue work with transaction.on_commit; tests run it in-process unless a test starts a real worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# In-process, so each test starts with it empty (tests/conftest.py) without flushing the Redis the broker uses.
CACHES = {
    **CACHES,  # noqa: F405
    "lookups": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kosh-lookups-test"},
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files from the apps and static/ directly; no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# A test worker must never pick up the messages of a `make run` on the same checkout.
if CELERY_BROKER_URL == "filesystem://":  # noqa: F405
    _test_celery = VAR_DIR / "test-celery"
    for _folder in ("broker", "processed", "results", "control"):
        (_test_celery / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_test_celery / "broker"),
        "data_folder_out": str(_test_celery / "broker"),
        "processed_folder": str(_test_celery / "processed"),
        "control_folder": str(_test_celery / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{_test_celery / 'results'}"
