"""How many SMS a provider is handed per second, across every worker on every machine.

Kept in the Django cache (Redis whenever REDIS_URL is set), not in Celery's `rate_limit`: Celery counts per
worker process, so four workers on two machines would hand a gateway eight times its contracted rate. Here
all workers draw on one counter per provider and second (`INCR` is atomic in Redis). A fixed one-second window
can let up to twice the rate through across a window boundary; gateways allow such bursts. The embedded file
cache counts per machine and only approximately: good enough for the console and the simulator."""

import time
from collections.abc import Callable

from django.core.cache import cache

_KEY_PREFIX = "kosh:notifications:sms-rate"


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
        key = f"{_KEY_PREFIX}:{provider}:{window}"
        try:
            taken = cache.incr(key)
        except ValueError:
            # The window's first slot: one round trip in the common case, two only here.
            taken = 1 if cache.add(key, 1, timeout=5) else None
            if taken is None:
                continue  # another worker opened the window at the same moment: count in it

        if taken <= per_second:
            return True
        wait = (window + 1) - now
        if now + wait > deadline:
            return False
        sleep(wait)
