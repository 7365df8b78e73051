"""Shared pieces of the benchmarks: a fresh PostgreSQL database, figures, the JSON line."""

import io
import json
import os
import statistics
import sys
import time

import psycopg2

BENCH_DB = os.environ.get("BENCH_DB", "hwerp_bench")
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
SCALE = float(os.environ.get("BENCH_SCALE", "1"))  # 0.1: the quick figures (minutes on 2 shared cores)


def load_average() -> list:
    return [round(x, 2) for x in os.getloadavg()]


def dsn(db=BENCH_DB) -> str:
    return f"{PG_SERVER.rstrip('/')}/{db}"


def raw_connection():
    """A psycopg2 connection for a reference, with the session options the app's connections use."""
    from django.conf import settings

    options = settings.DATABASES["default"].get("OPTIONS", {}).get("options")
    return psycopg2.connect(dsn(), **({"options": options} if options else {}))


def flush_redis():
    """Empty the benchmark's Redis db: no task queued by an earlier run (or benchmark) runs into this one."""
    import redis

    redis.Redis.from_url(os.environ.get("REDIS_URL", REDIS_URL)).flushdb()


_TEMPLATE_READY = False


def fresh_database():
    """A fresh benchmark database, migrated, roles synced; Redis flushed. The first call of a run migrates a template
    database (`<BENCH_DB>_template`); every call then creates the benchmark database as a copy of it (seconds,
    where migrating takes minutes on a loaded machine). BENCH_REUSE_TEMPLATE=1 keeps the template of an earlier
    run (only when no migration was added since)."""
    global _TEMPLATE_READY
    from django.db import connections

    if "DJANGO_SETTINGS_MODULE" in os.environ:
        connections.close_all()
    template = f"{BENCH_DB}_template"
    conn = psycopg2.connect(dsn("postgres"))
    conn.autocommit = True
    t0 = time.monotonic()
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        if not _TEMPLATE_READY and os.environ.get("BENCH_REUSE_TEMPLATE"):  # kept from an earlier run of this tree
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            _TEMPLATE_READY = cur.fetchone() is not None
        if not _TEMPLATE_READY:
            cur.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{template}"')
    if not _TEMPLATE_READY:
        os.environ["DATABASE_URL"] = dsn(template)
        setup_django()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        call_command("sync_roles", verbosity=0, stdout=io.StringIO())  # stdout carries only the JSON lines
        connections.close_all()
        _TEMPLATE_READY = True
        log(f"template database {template} migrated in {time.monotonic() - t0:.1f}s")
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{BENCH_DB}" TEMPLATE "{template}"')
    conn.close()
    os.environ["DATABASE_URL"] = dsn()
    setup_django()  # once per process (the template's migration may have done it)
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = connections["default"].settings_dict["NAME"] = BENCH_DB
    os.environ["DATABASE_URL"] = dsn()
    flush_redis()
    log(f"fresh database {BENCH_DB} ready in {time.monotonic() - t0:.1f}s")


def setup_django():
    os.environ.setdefault("DATABASE_URL", dsn())
    os.environ.setdefault("REDIS_URL", REDIS_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hardware_erp.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def percentile(samples, p):
    s = sorted(samples)
    if not s:
        return None
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def figures(samples_s, **extra) -> dict:
    """median and p95 in milliseconds of a list of durations in seconds."""
    return {"median_ms": round(statistics.median(samples_s) * 1000, 3),
            "p95_ms": round(percentile(samples_s, 95) * 1000, 3), "n": len(samples_s), **extra}


def timed(fn, repeat, warmup=1):
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def emit(name, scale, project: dict, reference: dict, *, ratio=None, target=None, ok=None, **extra) -> dict:
    """Print the benchmark's JSON line. ratio = project median / reference median unless given (>1: slower)."""
    if ratio is None:
        ratio = project["median_ms"] / reference["median_ms"] if reference.get("median_ms") else None
    line = {"name": name, "scale": scale, "project": project, "reference": reference,
            "ratio": round(ratio, 3) if ratio is not None else None, "load_average": load_average()}
    if target is not None:
        line["target"] = target
        line["meets_target"] = ok if ok is not None else (ratio is not None and ratio <= target)
    line.update(extra)
    print(json.dumps(line, ensure_ascii=False), flush=True)
    return line
