"""Reads from a PostgreSQL streaming replica, with read-your-writes and a fallback to the primary.

With DATABASE_REPLICA_URL set, settings add a second database alias, "replica", and install `ReplicaRouter`.
Nothing reads from the replica unless asked to:

    with replica_reads(user=request.user):      # or @replica_reads() on a function
        rows = report(...)

`replica_reads` decides once, on entry, where the reads inside go (`choose`):
- the primary inside a transaction (a service, `select_for_update`): never a replica there;
- the primary when the replica is unreachable or its replay lags more than REPLICA_MAX_LAG_SECONDS;
- the primary when this user wrote something the replica has not replayed yet: after every write request the
  user's `pg_current_wal_lsn()` is recorded in the cache (`record_write`), and their reads stay on the primary
  until the replica's `pg_last_wal_replay_lsn()` passes it, or REPLICA_RYW_SECONDS have gone by;
- the replica otherwise.
Writes always go to the primary (the router's `db_for_write`), whatever the block.

Pages use it through `ReplicaReadsMiddleware`: GET requests to the read pages named in READ_VIEWS (reports,
analytics, dashboards, exports) and to every list page (`ERPListView`) run on the replica; a page whose replica
connection breaks half-way is served again from the primary, so the user sees no error (also when code on the way
swallowed the database error, or turned it into another one). Celery tasks named in
READ_TASKS (the KPI engine, suggestions, the data-quality scan, exports) run their reads on it through
`hardware_erp.celery`, and run again on the primary when the replica breaks under them.
Without a replica every function here is a no-op and everything reads the primary, as before.
"""

import contextlib
import contextvars
import functools
import logging
import threading
import time
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, connections

from .counters import incr

log = logging.getLogger(__name__)

REPLICA = "replica"
# where reads of the current block go: None (not asked: the primary), or an alias
_target: contextvars.ContextVar = contextvars.ContextVar("hwerp_read_target", default=None)

# Pages whose GET requests read from the replica (URL names, fnmatch patterns), besides every ERPListView.
READ_VIEWS = (
    "core:home",                                    # the dashboard cards' aggregates
    "crm:reports", "orders:analytics", "orders:receivables", "support:report", "training:progress",
    "inventory:stocktake_report", "performance:dashboard",
    "governance:data_quality", "governance:data_quality_list",  # the data-quality scan and its findings
    "*:*export*",                                   # exports (list pages' ?_export= are list pages already)
)
# Celery tasks whose reads go to the replica (their writes still go to the primary, in their services).
READ_TASKS = (
    "performance.compute_*",            # the KPI engine
    "inventory.compute_suggestions_task",
    "governance.*quality*",             # the data-quality scan
    "*export*",                         # background exports
)


def configured() -> bool:
    return REPLICA in settings.DATABASES


def matches(name: str, patterns) -> bool:
    return bool(name) and any(fnmatchcase(name, p) for p in patterns)


# --- LSNs ----------------------------------------------------------------------------------------------------------

def lsn_int(text) -> int | None:
    """'16/B374D848' -> an integer that orders like the WAL position."""
    if not text:
        return None
    hi, _, lo = str(text).partition("/")
    return (int(hi, 16) << 32) | int(lo, 16)


def primary_lsn() -> int | None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cur:
        cur.execute("SELECT pg_current_wal_lsn()::text")
        return lsn_int(cur.fetchone()[0])


def _ryw_key(user_id) -> str:
    return f"ryw-lsn:{user_id}"


def record_write(user) -> int | None:
    """After a write of `user` has committed: remember the primary's WAL position for their next reads."""
    if not configured() or not getattr(user, "is_authenticated", False):
        return None
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql" or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return None
    lsn = primary_lsn()
    cache.set(_ryw_key(user.pk), lsn, timeout=settings.REPLICA_RYW_SECONDS)
    return lsn


# --- the replica's state -------------------------------------------------------------------------------------------

@dataclass
class ReplicaStatus:
    ok: bool
    lag_seconds: float | None = None
    lag_bytes: int | None = None
    replay_lsn: int | None = None
    error: str = ""
    checked_at: float = field(default_factory=time.monotonic)

    def as_dict(self) -> dict:
        return {"ok": self.ok, "lag_seconds": self.lag_seconds, "lag_bytes": self.lag_bytes,
                "max_lag_seconds": settings.REPLICA_MAX_LAG_SECONDS, **({"error": self.error} if self.error else {})}


_status_lock = threading.Lock()
_status: ReplicaStatus | None = None
_down_until = 0.0


def _close_replica():
    with contextlib.suppress(Exception):
        connections[REPLICA].close()


def probe() -> ReplicaStatus:
    """Ask the replica and the primary now: replay position, lag in bytes and seconds. Never raises."""
    try:
        with connections[REPLICA].cursor() as cur:
            if connections[REPLICA].vendor != "postgresql":
                return ReplicaStatus(ok=True, lag_seconds=0.0, lag_bytes=0)
            cur.execute("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
                        "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())")
            in_recovery, replay_text, since_replay = cur.fetchone()
    except Exception as exc:  # unreachable, restarting, refused: the reads go to the primary
        _close_replica()
        return ReplicaStatus(ok=False, error=f"{type(exc).__name__}: {exc}"[:200])
    if not in_recovery:
        # a promoted replica is a second primary: reading from it would miss the real primary's writes
        return ReplicaStatus(ok=False, error="the replica is not in recovery (promoted?)")
    replay = lsn_int(replay_text)
    current = primary_lsn()
    behind = max(0, (current or 0) - (replay or 0))
    # no WAL waiting: not lagging, however long ago the last transaction was; else the age of the last one replayed
    lag = 0.0 if behind == 0 else float(since_replay or 0.0)
    return ReplicaStatus(ok=True, lag_seconds=round(lag, 3), lag_bytes=behind, replay_lsn=replay)


def status(max_age=None) -> ReplicaStatus:
    """The replica's status, asked at most every REPLICA_CHECK_SECONDS per process (and after a failure, not
    again for REPLICA_RETRY_SECONDS, so that a dead replica costs no connect timeout per page)."""
    global _status
    max_age = settings.REPLICA_CHECK_SECONDS if max_age is None else max_age
    now = time.monotonic()
    current = _status
    if current is not None:
        if not current.ok and now < _down_until:
            return current
        if current.ok and now - current.checked_at < max_age:
            return current
    with _status_lock:
        _status = _probe_and_remember()
        return _status


def _probe_and_remember() -> ReplicaStatus:
    global _down_until
    result = probe()
    if not result.ok:
        _down_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS
        log.warning("read replica not used: %s", result.error)
    return result


def mark_down(error: str):
    """A query on the replica failed: use the primary until the next retry."""
    global _status, _down_until
    _close_replica()
    _status = ReplicaStatus(ok=False, error=error[:200])
    _down_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS


def choose(user=None) -> tuple[str, str]:
    """(alias, reason) for the reads of a block starting now."""
    if not configured():
        return DEFAULT_DB_ALIAS, "no_replica"
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS, "transaction"
    st = status()
    if not st.ok:
        return DEFAULT_DB_ALIAS, "unreachable"
    if st.lag_seconds is not None and st.lag_seconds > settings.REPLICA_MAX_LAG_SECONDS:
        return DEFAULT_DB_ALIAS, "lagging"
    if user is not None and getattr(user, "is_authenticated", False):
        wrote = cache.get(_ryw_key(user.pk))
        if wrote is not None:
            if st.replay_lsn is None or st.replay_lsn < wrote:
                fresh = status(max_age=0)  # the cached position may be a second old: ask again once
                if not fresh.ok or fresh.replay_lsn is None or fresh.replay_lsn < wrote:
                    return DEFAULT_DB_ALIAS, "own_write"
            cache.delete(_ryw_key(user.pk))  # replayed: this user's reads may use the replica again
    return REPLICA, "ok"


def count_read(alias: str, reason: str):
    """Counted for /metrics (shared by every process through the cache)."""
    incr(f"reads:{'replica' if alias == REPLICA else 'primary'}:{reason}")


class replica_reads(contextlib.ContextDecorator):  # noqa: N801 - used as a decorator and a `with` block
    """Reads inside go to the replica when `choose` allows it. Nests: an inner block keeps the outer decision."""

    def __init__(self, user=None, *, alias=None):
        self.user, self.alias, self.reason = user, alias, ""
        self._tokens = []

    def __enter__(self):
        if self.alias is None:
            self.alias, self.reason = (_target.get(), "nested") if _target.get() else choose(self.user)
            if self.reason != "nested":
                count_read(self.alias, self.reason)
        self._tokens.append(_target.set(self.alias))
        return self

    def __exit__(self, *exc):
        _target.reset(self._tokens.pop())
        return False


def reading_replica() -> bool:
    return _target.get() == REPLICA


class ReplicaRouter:
    """Reads go where the current `replica_reads` block decided, never to the replica inside a transaction;
    every write goes to the primary (also for an object that was read from the replica)."""

    def db_for_read(self, model, **hints):
        if _target.get() == REPLICA and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same tables on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # the replica follows the primary's WAL


# --- pages ---------------------------------------------------------------------------------------------------------

def _is_read_page(request) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    view_class = getattr(match.func, "view_class", None)
    if view_class is not None and getattr(view_class, "replica_reads", False):  # every ERPListView
        return True
    return matches(match.view_name, READ_VIEWS)


def _streamed(iterator, alias):
    """A streamed export keeps reading where its page decided, after the view has returned."""
    it = iter(iterator)
    while True:
        token = _target.set(alias)
        try:
            chunk = next(it)
        except StopIteration:
            return
        finally:
            _target.reset(token)
        yield chunk


class ReplicaReadsMiddleware:
    """Read pages' GET requests on the replica (see the module's doc); every user's write request records the
    primary's WAL position for read-your-writes. Does nothing without DATABASE_REPLICA_URL."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not configured():
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = self.get_response(request)
            if response.status_code < 500:
                try:
                    record_write(request.user)
                except Exception:  # the primary answered the write: its position can be asked next time
                    log.exception("could not record the write position")
            return response
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not configured() or request.method not in ("GET", "HEAD") or not _is_read_page(request):
            return None
        block = replica_reads(getattr(request, "user", None))
        block.__enter__()
        request._replica_block = block
        try:
            response = _render(view_func(request, *view_args, **view_kwargs))
            if block.alias == REPLICA and replica_broke():
                # an error of the replica was swallowed on the way (a table's cell, an estimate): the page may
                # miss rows, so it is served again from the primary
                raise InterfaceError("the read replica's connection broke during the page")
            if getattr(response, "streaming", False):
                response.streaming_content = _streamed(response.streaming_content, block.alias)
            return response
        except Exception as exc:
            if block.alias != REPLICA or not replica_failed(exc):
                raise
            # the replica went away in the middle of the page: the page again, from the primary
            mark_down(f"{type(exc).__name__}: {exc}")
            count_read(DEFAULT_DB_ALIAS, "failed_over")
            log.warning("read replica failed during %s, served from the primary: %s", request.path, exc)
            with replica_reads(alias=DEFAULT_DB_ALIAS):
                return _render(view_func(request, *view_args, **view_kwargs))
        finally:
            block.__exit__(None, None, None)


def _render(response):
    if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
        response = response.render()
    return response


def replica_broke() -> bool:
    """Whether the replica's connection had an error and no longer answers (asked only after an error)."""
    if REPLICA not in settings.DATABASES:
        return False
    conn = connections[REPLICA]
    return conn.connection is not None and conn.errors_occurred and not conn.is_usable()


def replica_failed(exc) -> bool:
    """Whether `exc`, raised while reading from the replica, comes from the replica going away: a database error
    (Django's or the driver's own), or any other error raised after the replica's connection broke (code that turned
    a database error into another one on the way)."""
    if isinstance(exc, (DatabaseError, InterfaceError)):
        return True
    driver = getattr(connections[REPLICA], "Database", None) if REPLICA in settings.DATABASES else None
    if driver is not None and isinstance(exc, driver.Error):
        return True
    return replica_broke()


# --- tasks ---------------------------------------------------------------------------------------------------------

def with_replica_fallback(fn):
    """Run `fn` on the replica; when the replica breaks under it, run it again on the primary."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with replica_reads() as block:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                if block.alias != REPLICA or not replica_failed(exc):
                    raise
                mark_down(f"{type(exc).__name__}: {exc}")
        with replica_reads(alias=DEFAULT_DB_ALIAS):
            return fn(*args, **kwargs)

    return wrapper
