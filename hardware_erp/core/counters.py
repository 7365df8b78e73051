"""Counters shared by every process and host (through the cache: Redis in production), read by /metrics."""

import time

from django.core.cache import cache

SHARED_PREFIX = "metrics:"
SHARED_INDEX = "metrics:index"
SHARED_TTL = 60 * 60 * 24 * 30


_indexed: dict[str, float] = {}  # names this process saw in the index, and when


def incr(name: str, amount: int = 1):
    """A counter shared by every process (the cache: Redis in production). Never raises."""
    key = SHARED_PREFIX + name
    try:
        try:
            cache.incr(key, amount)
        except ValueError:  # not there yet
            if not cache.add(key, amount, timeout=SHARED_TTL):
                cache.incr(key, amount)
        # the index of names is read-modify-write: looked at again now and then, so a name lost to a race returns
        if time.monotonic() - _indexed.get(name, -1e9) > 60:
            index = set(cache.get(SHARED_INDEX) or ())
            if name not in index:
                cache.set(SHARED_INDEX, sorted(index | {name}), timeout=SHARED_TTL)
            _indexed[name] = time.monotonic()
    except Exception:  # noqa: S110 - a metric never breaks a page or a task
        pass


def shared_counters() -> dict[str, int]:
    names = cache.get(SHARED_INDEX) or []
    values = cache.get_many([SHARED_PREFIX + n for n in names])
    return {n: int(values.get(SHARED_PREFIX + n) or 0) for n in names}
