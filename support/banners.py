"""The banners every page shows: ongoing incidents and announced maintenance windows.

The rows are read with one query per kind at most once a minute (cached); the services that
declare, update or resolve an incident or plan a window clear the cache, so a change shows at once.
"""

from datetime import timedelta

from django.utils import timezone

from hardware_erp.core.cache import forget, get_or_load

CACHE_KEY = "support:banners:v1"
CACHE_SECONDS = 60


def clear():
    forget(CACHE_KEY)  # with the cache (Redis) down, the entry expires by itself within CACHE_SECONDS


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
    return get_or_load(CACHE_KEY, _load, CACHE_SECONDS)
