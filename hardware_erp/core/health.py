"""Health checks shared by /healthz and the IT status page."""

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from .models import WorkerHeartbeat


def _timed(fn):
    start = time.monotonic()
    try:
        detail = fn()
        ok = True
    except Exception as exc:  # a check reports; it never raises
        ok, detail = False, f"{type(exc).__name__}: {exc}"[:300]
    return {"ok": ok, "detail": detail, "ms": round((time.monotonic() - start) * 1000, 1)}


def check_database():
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    return connection.vendor


def check_cache():
    cache.set("healthz", "1", 10)
    if cache.get("healthz") != "1":
        raise RuntimeError("cache did not return the value written")
    return cache.__class__.__name__


def check_broker():
    from hardware_erp.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        return conn.transport_cls if isinstance(conn.transport_cls, str) else str(conn.transport_cls)


def check_worker():
    last = WorkerHeartbeat.objects.order_by("-beat_at").first()
    if last is None:
        raise RuntimeError("no worker has reported yet")
    age = timezone.now() - last.beat_at
    if age > timedelta(seconds=settings.HEARTBEAT_MAX_AGE_SECONDS):
        raise RuntimeError(f"last heartbeat {int(age.total_seconds())} s ago from {last.hostname}")
    return {"hostname": last.hostname, "age_seconds": int(age.total_seconds())}


def check_replica():
    """The read replica's replay lag; failing here moves reads to the primary, it does not take the site down."""
    from . import db_routing

    st = db_routing.status(max_age=0)
    if not st.ok:
        raise RuntimeError(f"replica unreachable, reads on the primary: {st.error}")
    if st.lag_seconds > settings.REPLICA_MAX_LAG_SECONDS:
        raise RuntimeError(f"replica {st.lag_seconds:.1f} s behind (more than {settings.REPLICA_MAX_LAG_SECONDS:g} s), "
                           "reads on the primary")
    return st.as_dict()


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker, "worker": check_worker}
OPTIONAL = {"replica"}  # shown, not counted in the overall "ok": without it the primary serves every read


def checks() -> dict:
    from . import db_routing

    return {**CHECKS, "replica": check_replica} if db_routing.configured() else CHECKS


def run_checks() -> dict:
    results = {name: _timed(fn) for name, fn in checks().items()}
    return {"ok": all(r["ok"] for name, r in results.items() if name not in OPTIONAL), "checks": results,
            "time": timezone.now().isoformat()}
