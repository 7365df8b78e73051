"""Small values kept in the Django cache (Redis in production) that pages must not depend on: when the cache is
down, the value is read from its source and pages still render.

    banners = get_or_load("support:banners:v1", load_banners, 60)
    forget("support:banners:v1")      # after a change; without the cache the entry expires by itself
"""

import logging

from django.core.cache import cache

log = logging.getLogger(__name__)


def get_or_load(key: str, load, seconds: int):
    """The cached value of `key`, or `load()` (stored for `seconds`) when missing or when the cache is down."""
    try:
        value = cache.get(key)
    except Exception:
        log.warning("cache unavailable; %s read from its source", key)
        return load()
    if value is None:
        value = load()
        try:
            cache.set(key, value, seconds)
        except Exception:
            log.warning("cache unavailable; %s not cached", key)
    return value


def forget(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:
        log.warning("cache unavailable; %s could not be cleared and expires by itself", key)
