"""Query counts (issue 10, item 7; issue 19): the number of SQL queries a page runs must not grow with the data.

- every list page (the `ERPListView`s without URL arguments) with 10 of its rows and with 10,000 (copies of a demo
  row; the page's queryset narrowed to exactly those rows), and its CSV export answered in the request (at 300 and
  at 900 rows, under the synchronous size);
- every report page over the demo data and again after 10,000 more rows of what it aggregates;
- the detail pages (an order, a customer, a product, a purchase order, a stocktake, a ticket) with the rows under
  them (lines, shipments, events, contacts, movements …) and again with three times as many (copies);
- as a superuser, a general manager, a sales manager and a sales rep (the pages each may open, on the rows each
  may see).

Every count is the steady one (`tests.perf.querycount.steady_count`: a warming request, then requests until two in
a row agree), so a cache refreshed in one request does not pass for a query per row. The same code as
tests/perf/test_query_counts.py (80 rows, SQLite). There is no reference: the figure is the number of pages whose
count grows (0 expected). The copied rows stay in this benchmark's database, which the next benchmark does not
use (each gets a fresh copy of the template)."""

import os
import time

from .common import emit, log

ROLES = ["superuser", "gm", "salesmgr", "rep1"]


def rows() -> int:
    return int(10000 * float(os.environ.get("BENCH_SCALE", "1")))


def role_users():
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    out = {}
    for role in ROLES:
        out[role] = (users.create_superuser("bench-querycount", password=None) if role == "superuser"
                     else users.get(username=role))
    return out


def count_as(role, user, many, pages, growing):
    """Every page's counts as one user, into `pages` ({page: {role: figures}}) and `growing`."""
    from django.test import Client

    from tests.perf import querycount

    client = Client()
    querycount.sign_in(client, user)
    shown, forbidden, empty = 0, 0, []
    for name, view in querycount.list_pages():
        t1 = time.monotonic()
        result = querycount.list_page_counts(client, user, name, view, many)
        if result is None:
            empty.append(name)
            continue
        if result.get("forbidden"):
            forbidden += 1
            continue
        shown += 1
        pages.setdefault(name, {})[role] = result
        if result["few"] != result["many"]:
            growing.append(f"{role} {name}")
        if result.get("export_few") != result.get("export_many"):
            growing.append(f"{role} {name} (export)")
        log(f"querycounts: {role} {name}: {result['few']} queries at {result['shown_few']} rows, {result['many']} "
            f"at {many}; export {result.get('export_few')} / {result.get('export_many')} "
            f"({time.monotonic() - t1:.0f}s)")
    for name, (label, where) in querycount.DETAILS.items():
        result = querycount.detail_counts(client, user, name, label, where)
        if result is None:
            continue
        before, after, added = result
        shown += 1
        pages.setdefault(name, {})[role] = {"few": before, "many": after, "rows_added": added}
        if before != after:
            growing.append(f"{role} {name}")
        log(f"querycounts: {role} {name}: {before} queries, {after} after {sum(added.values())} more rows {added}")
    if role in ("superuser", "gm"):  # the report pages aggregate every row these two see
        for name, labels in querycount.REPORTS.items():
            before, after, added = querycount.report_counts(client, name, labels, many)
            shown += 1
            pages.setdefault(name, {})[role] = {"few": before, "many": after, "rows_added": added}
            if before != after:
                growing.append(f"{role} {name}")
            log(f"querycounts: {role} {name}: {before} queries, {after} after {added} more rows")
    return {"pages": shown, "forbidden": forbidden, "without_rows": empty}


def run():
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

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
    pages, growing, per_role = {}, [], {}
    for role, user in role_users().items():
        per_role[role] = count_as(role, user, many, pages, growing)
    empty = per_role["superuser"]["without_rows"]  # others see fewer rows by design
    valid = not growing and not empty
    top = max(max(v for k, v in fig.items() if k in ("few", "many", "export_few", "export_many"))
              for by_role in pages.values() for fig in by_role.values())
    return emit("querycounts", {"few_rows": 10, "many_rows": many, "pages": len(pages), "roles": ROLES},
                {"pages_growing": growing, "pages_without_rows": empty, "max_queries": top, "per_role": per_role},
                {"note": "none: the expected difference is zero queries"},
                ratio=float(len(growing)), target=0.0, ok=valid, valid=valid, pages=pages,
                note="ratio = number of (role, page) pairs whose query count grows with the rows (target 0)")
