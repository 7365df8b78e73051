"""Prometheus metrics at /metrics (prometheus_client).

Per process, in prometheus_client's registry (with several gunicorn workers set PROMETHEUS_MULTIPROC_DIR to an
empty directory, the same for every worker of the host, and the scrape adds them up):
    hwerp_http_requests_total{view, method, status}     requests per view (the URL name)
    hwerp_http_request_seconds{view}                    latency per view (histogram)
    hwerp_db_queries_per_request{view}                  SQL queries per request (histogram)
Asked at scrape time, shared by every process and host (the cache, Redis, the database):
    hwerp_celery_tasks_total{task, state}               tasks succeeded / failed / retried, counted by the workers
    hwerp_celery_queue_depth{queue}                     messages waiting in each queue (Redis broker)
    hwerp_replica_lag_seconds, hwerp_replica_lag_bytes, hwerp_replica_up
    hwerp_db_reads_total{target, reason}                read blocks sent to the replica or kept on the primary
    hwerp_backup_age_seconds                            since the last successful backup finished

/metrics answers only callers in METRICS_ALLOWED_IPS (REMOTE_ADDR, exact addresses or networks) or with
`Authorization: Bearer <METRICS_TOKEN>`; everyone else gets 404.
"""

import contextlib
import hmac
import ipaddress
import os
import time

from django.conf import settings
from django.db import connections
from django.http import Http404, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from .counters import shared_counters

REQUESTS = Counter("hwerp_http_requests", "HTTP requests by view", ["view", "method", "status"])
LATENCY = Histogram("hwerp_http_request_seconds", "HTTP request latency by view", ["view"],
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
QUERIES = Histogram("hwerp_db_queries_per_request", "SQL queries per request by view", ["view"],
                    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500))

def queue_depths() -> dict[str, int]:
    """Messages waiting in each Celery queue: Redis lists (with their priority sub-queues), or the file broker's
    folder (one total, as "all")."""
    from pathlib import Path

    queues = [q.name for q in (settings.CELERY_TASK_QUEUES or ())] or [settings.CELERY_TASK_DEFAULT_QUEUE]
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
        try:
            depths = {}
            for name in queues:
                # kombu keeps priorities 0-9 in sub-lists named "<queue>\x06\x16<n>"
                keys = [name] + [f"{name}\x06\x16{n}" for n in range(1, 10)]
                with client.pipeline() as pipe:
                    for k in keys:
                        pipe.llen(k)
                    depths[name] = int(sum(pipe.execute()))
            return depths
        finally:
            client.close()
    folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
    return {"all": sum(1 for p in folder.iterdir() if p.is_file()) if folder.exists() else 0}


# --- request metrics -------------------------------------------------------------------------------------------------

class _QueryCounter:
    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


class MetricsMiddleware:
    """Counts every request by view (its URL name; "unmatched" for a 404 outside the URL conf)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(("/static/", "/metrics")):
            return self.get_response(request)
        counter = _QueryCounter()
        start = time.perf_counter()
        with contextlib.ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counter))
            response = self.get_response(request)
        elapsed = time.perf_counter() - start
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or match._func_path) if match else "unmatched"
        REQUESTS.labels(view, request.method, str(response.status_code)).inc()
        LATENCY.labels(view).observe(elapsed)
        QUERIES.labels(view).observe(counter.n)
        return response


# --- scrape-time collector -------------------------------------------------------------------------------------------

class SharedCollector:
    """Values that are the same whichever process is scraped: asked when /metrics is read."""

    def collect(self):
        counters = shared_counters()
        tasks = CounterMetricFamily("hwerp_celery_tasks", "Celery tasks finished, by task and state",
                                    labels=["task", "state"])
        reads = CounterMetricFamily("hwerp_db_reads", "Read blocks by where they read, and why",
                                    labels=["target", "reason"])
        for name, value in sorted(counters.items()):
            kind, _, rest = name.partition(":")
            if kind == "task":
                task, _, state = rest.rpartition(":")
                tasks.add_metric([task, state], value)
            elif kind == "reads":
                target, _, reason = rest.partition(":")
                reads.add_metric([target, reason], value)
        yield tasks
        yield reads

        depth = GaugeMetricFamily("hwerp_celery_queue_depth", "Messages waiting in each Celery queue",
                                  labels=["queue"])
        try:
            for queue, n in queue_depths().items():
                depth.add_metric([queue], n)
        except Exception:  # noqa: S110 - the broker is down: no figure (and /healthz says so)
            pass
        yield depth

        from . import db_routing

        if db_routing.configured():
            st = db_routing.status()
            yield GaugeMetricFamily("hwerp_replica_up", "1 when the read replica answers and follows the primary",
                                    value=1 if st.ok else 0)
            if st.ok:
                yield GaugeMetricFamily("hwerp_replica_lag_seconds", "Replay lag of the read replica",
                                        value=st.lag_seconds or 0.0)
                yield GaugeMetricFamily("hwerp_replica_lag_bytes", "WAL bytes the replica has not replayed",
                                        value=st.lag_bytes or 0)

        age = backup_age_seconds()
        if age is not None:
            yield GaugeMetricFamily("hwerp_backup_age_seconds", "Seconds since the last successful backup finished",
                                    value=age)


def backup_age_seconds() -> float | None:
    from django.apps import apps
    from django.utils import timezone

    if not apps.is_installed("governance"):
        return None
    run = (apps.get_model("governance", "BackupRun").objects.filter(kind="backup", ok=True)
           .order_by("-finished_at").values_list("finished_at", flat=True).first())
    return (timezone.now() - run).total_seconds() if run else None


def _allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token):
        return True
    try:
        addr = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(addr in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_IPS)


def metrics_view(request):
    if not _allowed(request):
        raise Http404
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (REQUESTS, LATENCY, QUERIES):
            registry.register(collector)
    registry.register(SharedCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)

