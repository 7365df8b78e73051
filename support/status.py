"""The IT status page's checks: the shared health checks plus queue length, disk space, backups,
errors and slow requests. A failing check opens an incident draft for IT to confirm."""

import shutil
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Avg, Count, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hardware_erp.core import health

QUEUE_WARN = 200  # tasks waiting
DISK_MIN_FREE = 0.10  # share of the disk
ERRORS_WARN = 20  # server errors in 24 h


def _queue_length() -> int:
    from hardware_erp.core.metrics import queue_depths

    return sum(queue_depths().values())  # every queue (default, io, reports, backup)


def check_queue():
    n = _queue_length()
    if n > QUEUE_WARN:
        raise RuntimeError(f"{n} tasks waiting (more than {QUEUE_WARN})")
    return {"waiting": n}


def check_disk():
    usage = shutil.disk_usage(settings.MEDIA_ROOT if Path(settings.MEDIA_ROOT).exists() else settings.BASE_DIR)
    free = usage.free / usage.total
    detail = {"free_gb": round(usage.free / 1e9, 1), "total_gb": round(usage.total / 1e9, 1),
              "free_percent": round(free * 100, 1)}
    if free < DISK_MIN_FREE:
        raise RuntimeError(f"only {detail['free_percent']} % free ({detail['free_gb']} GB)")
    return detail


def backup_status():
    """governance.selectors.backup_status() when the governance app provides it, else None."""
    try:
        from governance.selectors import backup_status as governance_backup_status
    except ImportError:
        return None
    return governance_backup_status()


def check_backup():
    status = backup_status()
    if status is None:
        return {"available": False}
    if not status.get("ok"):
        raise RuntimeError(f"last backup {status.get('last_backup_at') or 'never'}, "
                           f"verified {status.get('last_verified_at') or 'never'}")
    return status


def check_errors():
    from .models import RequestRecord

    n = RequestRecord.objects.filter(kind="error", created_at__gte=timezone.now() - timedelta(hours=24)).count()
    if n > ERRORS_WARN:
        raise RuntimeError(f"{n} server errors in 24 h")
    return {"errors_24h": n}


EXTRA_CHECKS = {"queue": check_queue, "disk": check_disk, "backup": check_backup, "errors": check_errors}
LABELS = {"database": _("Database"), "cache": _("Cache"), "broker": _("Message broker"),
          "worker": _("Worker heartbeat"), "queue": _("Queue length"), "disk": _("Disk space"),
          "backup": _("Last backup and verification"), "errors": _("Server errors (24 h)"),
          "replica": _("Read replica lag")}


def run_all() -> dict:
    results = {name: health._timed(fn) for name, fn in {**health.checks(), **EXTRA_CHECKS}.items()}
    return {"ok": all(r["ok"] for r in results.values()), "checks": results, "time": timezone.now()}


def slow_requests(limit=20):
    from .models import RequestRecord

    since = timezone.now() - timedelta(days=7)
    recent = RequestRecord.objects.filter(kind="slow").select_related("user")[:limit]
    by_path = (RequestRecord.objects.filter(kind="slow", created_at__gte=since).values("path")
               .annotate(n=Count("id"), avg=Avg("duration_ms"), worst=Max("duration_ms")).order_by("-n")[:10])
    return list(recent), list(by_path)


def open_drafts_for_failures(results, *, actor=None) -> list:
    """One incident draft per failing check, unless one is open or waiting already."""
    from . import services
    from .models import Incident

    created = []
    for name, r in results["checks"].items():
        if r["ok"] or (name == "backup" and isinstance(r.get("detail"), dict)):
            continue
        if Incident.objects.filter(source_check=name, status__in=[Incident.Status.DRAFT,
                                                                  Incident.Status.OPEN]).exists():
            continue
        created.append(services.declare_incident(
            title=f"{LABELS.get(name, name)}: {r['detail']}"[:200], severity="major", actor=actor, draft=True,
            source_check=name, description=str(r["detail"])))
    return created
