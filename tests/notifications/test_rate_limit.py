"""The per-provider rate limit, counted in the cache every worker shares (Redis in CI)."""

import uuid

import pytest
import redis

from notifications.services.rate_limit import rate_slot_acquire


class Clock:
    """A clock the test moves; `sleep` moves it too."""

    def __init__(self, now: float):
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture
def provider():
    return f"test-{uuid.uuid4().hex}"


def test_the_slots_of_one_second_run_out(provider):
    clock = Clock(1_900_000_000.2)

    taken = [
        rate_slot_acquire(provider=provider, per_second=3, max_wait=0, clock=clock, sleep=clock.sleep) for _ in range(4)
    ]

    assert taken == [True, True, True, False]


def test_the_next_second_has_slots_again(provider):
    clock = Clock(1_900_000_000.2)
    for _ in range(2):
        rate_slot_acquire(provider=provider, per_second=2, max_wait=0, clock=clock, sleep=clock.sleep)

    clock.now += 1

    assert rate_slot_acquire(provider=provider, per_second=2, max_wait=0, clock=clock, sleep=clock.sleep) is True


def test_a_caller_that_may_wait_gets_a_slot_in_the_next_second(provider):
    clock = Clock(1_900_000_000.75)
    rate_slot_acquire(provider=provider, per_second=1, max_wait=0, clock=clock, sleep=clock.sleep)

    taken = rate_slot_acquire(provider=provider, per_second=1, max_wait=2, clock=clock, sleep=clock.sleep)

    assert taken is True
    assert clock.slept == [0.25]


def test_each_provider_counts_alone(provider):
    clock = Clock(1_900_000_000.2)
    rate_slot_acquire(provider=provider, per_second=1, max_wait=0, clock=clock, sleep=clock.sleep)

    other = rate_slot_acquire(provider=f"{provider}-b", per_second=1, max_wait=0, clock=clock, sleep=clock.sleep)

    assert other is True


def test_no_limit_takes_no_slot(provider):
    def clock():
        raise AssertionError("an unlimited provider never looks at the clock")

    assert rate_slot_acquire(provider=provider, per_second=0, max_wait=0, clock=clock) is True


def test_a_window_s_count_expires_soon_after_the_window(provider, settings):
    if settings.CACHES["default"]["BACKEND"] != "django.core.cache.backends.redis.RedisCache":
        pytest.skip("the expiry is Redis's; the file cache sets its own timeout")
    clock = Clock(1_900_000_000.2)

    rate_slot_acquire(provider=provider, per_second=3, max_wait=0, clock=clock, sleep=clock.sleep)
    rate_slot_acquire(provider=provider, per_second=3, max_wait=0, clock=clock, sleep=clock.sleep)

    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    assert 0 < client.ttl(f"kosh:notifications:sms-rate:{provider}:1900000000") <= 5
