"""Rows every API call reads (the token, the user's roles, the named tenant; billing adds the valid bill a repeated
`_fetchbill` answers; numbering adds the id formats), kept in the `lookups` cache.

Reading them from the database was most of the cost of a light call. A change to any of the rows they come from
forgets the cached copy (core/signals.py, billing/signals.py) at once and again when its transaction commits, so a
revoked token, a removed role, a deactivated tenant or a paid bill are seen as such on the next call. A request
reading the old row while the change commits could cache it again; `KOSH_LOOKUP_CACHE_SECONDS` bounds how long that
copy lives. Nothing about money is decided from here: payments lock and re-read the bill.

Each process also keeps what it read for `KOSH_LOOKUP_LOCAL_SECONDS` (2), because one round trip to Redis costs as
much again as the rest of a light call. A change made in this process forgets its own copy at once; another
process's copy lives out those seconds. Entries are shared by the process's threads and only ever read."""

import random
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

T = TypeVar("T")

# key → (monotonic time it expires, value); emptied whole when full, which costs only a few reads from Redis.
_local: dict[str, tuple[float, object]] = {}
LOCAL_MAX_ENTRIES = 10_000


def token_key(digest: str) -> str:
    return f"token:{digest}"


def roles_key(user_id) -> str:
    return f"roles:{user_id}"


def tenant_key(code: str) -> str:
    return f"tenant:{code}"


def id_format_key(name: str, tenant_id: str) -> str:
    return f"idformat:{name}:{tenant_id}"


def cached(key: str, load: Callable[[], T | None]) -> T | None:
    """The cached value of `key` (this process's copy, else the shared one), else `load()`, cached when it found
    something."""
    now = time.monotonic()
    held = _local.get(key)
    if held is not None and held[0] > now:
        return held[1]
    cache = caches["lookups"]
    value = cache.get(key)
    if value is None:
        value = load()
        if value is None:
            return None
        cache.set(key, value, timeout=_lifetime(settings.KOSH_LOOKUP_CACHE_SECONDS))
    if settings.KOSH_LOOKUP_LOCAL_SECONDS > 0:
        if len(_local) >= LOCAL_MAX_ENTRIES:
            _local.clear()
        _local[key] = (now + _lifetime(settings.KOSH_LOOKUP_LOCAL_SECONDS), value)
    return value


def _lifetime(longest: float) -> float:
    """Between half and all of `longest`, at random: entries read at the same moment (a busy start) do not all
    expire at the same moment and send every request of that second to the database together."""
    return longest * (0.5 + 0.5 * random.random())  # noqa: S311 (spreading expiries, not a secret)


def forget(keys: Iterable[str]) -> None:
    keys = list(keys)
    if not keys:
        return
    cache = caches["lookups"]

    def drop():
        for key in keys:
            _local.pop(key, None)
        cache.delete_many(keys)

    drop()
    transaction.on_commit(drop)


def lookups_clear() -> None:
    """Forget every lookup, this process's and the shared ones (each test starts with none)."""
    _local.clear()
    caches["lookups"].clear()
