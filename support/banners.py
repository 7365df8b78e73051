"""The banners every page shows: ongoing incidents and announced maintenance windows.

The rows are read with one query per kind at most once a minute (cached); the services that
declare, update or resolve an incident or plan a window clear the cache, so a change shows at once.
"""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

log = logging.getLogger(__name__)
CACHE_KEY = "support:banners:v1"
CACHE_SECONDS = 60


def clear():
    try:
        cache.delete(CACHE_KEY)
    except Exception:  # the cache (Redis) is down: the entry expires by itself within CACHE_SECONDS
        log.warning("banner cache could not be cleared")


def _load():
    from .models import Incident, MaintenanceWindow

    now = timezone.now()
    incidents = list(Incident.objects.filter(status=Incident.Status.OPEN)
                     .values("pk", "title", "severity", "estimated_recovery_at", "started_at")
                     .order_by("-started_at")[:5])
    windows = list(MaintenanceWindow.objects.filter(cancelled=False, ends_at__gt=now,
                                                    announce_from__lte=now + timedelta(seconds=CACHE_SECONDS))
                   .values("pk", "title", "starts_at", "ends_at", "announce_from").order_by("starts_at")[:5])
    return {"incidents": incidents, "windows": windows}


def current():
    """The banners; read from the database when the cache (Redis) is unavailable, so pages still render."""
    try:
        data = cache.get(CACHE_KEY)
    except Exception:
        log.warning("banner cache unavailable; reading banners from the database")
        return _load()
    if data is None:
        data = _load()
        try:
            cache.set(CACHE_KEY, data, CACHE_SECONDS)
        except Exception:
            log.warning("banner cache unavailable; banners not cached")
    return data
