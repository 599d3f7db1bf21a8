"""The per-request authentication lookups (token, the user's roles, the named tenant), kept in the `auth` cache.

Every API call needs them, and reading them from the database was most of the cost of a light call. A change to any
of the rows they come from forgets the cached copy (core/signals.py) at once and again when its transaction commits,
so a revoked token, a removed role or a deactivated tenant stop working immediately. A request reading the old row
while the change commits could cache it again; `KOSH_AUTH_CACHE_SECONDS` bounds how long that copy lives."""

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

T = TypeVar("T")


def token_key(digest: str) -> str:
    return f"token:{digest}"


def roles_key(user_id) -> str:
    return f"roles:{user_id}"


def tenant_key(code: str) -> str:
    return f"tenant:{code}"


def cached(key: str, load: Callable[[], T | None]) -> T | None:
    """The cached value of `key`, else `load()`, cached when it found something."""
    cache = caches["auth"]
    value = cache.get(key)
    if value is None:
        value = load()
        if value is not None:
            cache.set(key, value, timeout=settings.KOSH_AUTH_CACHE_SECONDS)
    return value


def forget(keys: Iterable[str]) -> None:
    keys = list(keys)
    if not keys:
        return
    cache = caches["auth"]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
