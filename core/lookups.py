"""Rows every API call reads (the token, the user's roles, the named tenant; billing adds the valid bill a repeated
`_fetchbill` answers), kept in the `lookups` cache.

Reading them from the database was most of the cost of a light call. A change to any of the rows they come from
forgets the cached copy (core/signals.py, billing/signals.py) at once and again when its transaction commits, so a
revoked token, a removed role, a deactivated tenant or a paid bill are seen as such on the next call. A request
reading the old row while the change commits could cache it again; `KOSH_LOOKUP_CACHE_SECONDS` bounds how long that
copy lives. Nothing about money is decided from here: payments lock and re-read the bill."""

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
    cache = caches["lookups"]
    value = cache.get(key)
    if value is None:
        value = load()
        if value is not None:
            cache.set(key, value, timeout=settings.KOSH_LOOKUP_CACHE_SECONDS)
    return value


def forget(keys: Iterable[str]) -> None:
    keys = list(keys)
    if not keys:
        return
    cache = caches["lookups"]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
