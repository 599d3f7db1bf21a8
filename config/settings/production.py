"""Production: PostgreSQL, Redis and a real secret key, or Kosh refuses to start."""

from django.core.exceptions import ImproperlyConfigured

from config.env import REDIS_URL, env
from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, DEBUG, DEV_SECRET_KEY, SECRET_KEY

KOSH_ENVIRONMENT = "production"

if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")
if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to a random value of at least 50 characters.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production; SQLite is for development.")

if not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL must be set in production: Celery and the cache are shared between machines.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("KOSH_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("KOSH_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
