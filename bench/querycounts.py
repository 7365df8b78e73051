"""Query counts (issue 10, item 7): every list page is rendered with 10 of its rows and with 10,000 of them, every
report over the demo data and again after 10,000 more rows of what it aggregates; the number of SQL queries must
be the same. The same code as the test tests/perf/test_query_counts.py (which uses 80 rows on SQLite), here on
PostgreSQL at the issue's count. There is no reference: the figure is the difference in queries (0 expected)."""

import os
import time

from .common import emit, log


def rows() -> int:
    return int(10000 * float(os.environ.get("BENCH_SCALE", "1")))


def run():
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tests.perf import querycount

    many = rows()
    # a test client on the benchmark database: plain static files, no HTTPS redirect, no slow-request log rows
    setup_test_environment()
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.SECURE_SSL_REDIRECT = False
    settings.SLOW_REQUEST_MS = 10**9
    t0 = time.monotonic()
    call_command("seed_demo", verbosity=0)
    log(f"querycounts: demo data seeded in {time.monotonic() - t0:.0f}s")
    user = get_user_model().objects.create_superuser("bench-querycount", password=None)
    client = Client()
    querycount.sign_in(client, user)
    pages, growing, empty = {}, [], []
    for name, view in querycount.list_pages():
        t1 = time.monotonic()
        result = querycount.list_page_counts(client, user, name, view, many)
        if result is None:
            empty.append(name)
            continue
        few, lots, shown_few, shown_many = result
        pages[name] = {"few": few, "many": lots}
        if few != lots:
            growing.append(name)
        log(f"querycounts: {name}: {few} queries at {shown_few} rows, {lots} at {many} rows "
            f"({time.monotonic() - t1:.0f}s)")
    for name, labels in querycount.REPORTS.items():
        before, after, added = querycount.report_counts(client, name, labels, many)
        pages[name] = {"few": before, "many": after, "rows_added": added}
        if before != after:
            growing.append(name)
        log(f"querycounts: {name}: {before} queries, {after} after {added} more rows")
    valid = not growing and not empty
    return emit("querycounts", {"few_rows": querycount.FEW, "many_rows": many, "pages": len(pages)},
                {"pages_growing": growing, "pages_without_rows": empty,
                 "max_queries": max(max(p["few"], p["many"]) for p in pages.values())},
                {"note": "none: the expected difference is zero queries"},
                ratio=float(len(growing)), target=0.0, ok=valid, valid=valid, pages=pages,
                note="ratio = number of pages whose query count grows with the rows (target 0)")
