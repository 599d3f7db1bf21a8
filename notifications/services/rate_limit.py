"""How many SMS a provider is handed per second, across every worker on every machine.

Counted in the cache's Redis (whenever REDIS_URL is set), not with Celery's `rate_limit`: Celery counts per
worker process, so four workers on two machines would hand a gateway eight times its contracted rate. Here all
workers draw on one counter per provider and second: `INCR` and `EXPIRE` in one round trip, atomic in Redis.
A fixed one-second window can let up to twice the rate through across a window boundary; gateways allow such
bursts. Without Redis (the embedded setup) the Django file cache counts, per machine and only approximately:
good enough for the console and the simulator."""

import threading
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.cache import cache
from redis.commands.core import Script

_KEY_PREFIX = "kosh:notifications:sms-rate"
_WINDOW_TTL_SECONDS = 5
_REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
# The window's count, and its expiry set when the window opens.
_COUNT_SCRIPT = """
local taken = redis.call('INCR', KEYS[1])
if taken == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return taken
"""
_counters: dict[str, Script] = {}
_counters_lock = threading.Lock()


def rate_slot_acquire(
    *,
    provider: str,
    per_second: int,
    max_wait: float,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Take one of `provider`'s slots for the current second, waiting up to `max_wait` seconds for a free one.

    True when a slot was taken (or there is no limit); False when none came free in time."""
    if per_second <= 0:
        return True
    deadline = clock() + max_wait
    while True:
        now = clock()
        window = int(now)
        taken = _window_count(f"{_KEY_PREFIX}:{provider}:{window}")
        if taken <= per_second:
            return True
        wait = (window + 1) - now
        if now + wait > deadline:
            return False
        sleep(wait)


def _window_count(key: str) -> int:
    """Count one more in the window `key` and answer the count so far."""
    counter = _redis_counter()
    if counter is not None:
        return int(counter(keys=[key], args=[_WINDOW_TTL_SECONDS]))
    while True:
        try:
            return cache.incr(key)
        except ValueError:
            if cache.add(key, 1, timeout=_WINDOW_TTL_SECONDS):
                return 1
            # Another worker opened the window at the same moment: count in it.


def _redis_counter() -> Script | None:
    """The counting script on one client per process for the Redis the cache uses (Django's cache makes a new
    client per call); None without Redis."""
    default = settings.CACHES["default"]
    if default["BACKEND"] != _REDIS_CACHE:
        return None
    location = default["LOCATION"]
    location = location[0] if isinstance(location, list | tuple) else location.split(",")[0]
    counter = _counters.get(location)
    if counter is None:
        with _counters_lock:
            counter = _counters.get(location)
            if counter is None:
                counter = _counters[location] = redis.Redis.from_url(location).register_script(_COUNT_SCRIPT)
    return counter
