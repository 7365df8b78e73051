"""List exports at a year's size (issue 19): the customer list (100,000 customers at scale 1) and the product list
(50,000 products, each with stock in 4 bins: the list's on-hand and available columns are subqueries), each past
`EXPORT_SYNC_MAX_ROWS`, through the Procfile's processes (gunicorn with 3 workers, the Celery worker and beat,
started as the `pages` benchmark starts them).

- project: time to a downloaded file, as a user gets it: the list page asked for `?_export=csv` over HTTP (its
  answer a redirect to the job's page), the job queued through the outbox, written by the Celery worker
  (`core.export_jobs.run_export`, the list's columns compiled to `values_list` fields), and the file downloaded
  from `/exports/<id>/download/`; rows counted in the download;
- the web while an export runs: 20 clients (each its own signed-in session) on real pages (the customer list, a
  deep page of it, the product list, a product's page, the notification bell) for as long as the export takes,
  against the same clients on the same pages for `EXPORT_QUIET_SECONDS` (15) without an export; p50/p95/max and
  the requests over 2 s. Twice: closed-loop (each client's next request as soon as its answer came: 20 clients on
  3 sync workers keep the machine saturated, so latency is queueing) and paced (a pause of `EXPORT_THINK_S`
  seconds, uniform, default 2–8, after each answer: 20 people at their desks). The target is read on the paced
  clients; the closed-loop figures are reported beside them;
- reference (the floor): PostgreSQL's COPY of the same columns to a file through psycopg2 (customers: a join for
  the owner's name; products: the sums of the 4 bins grouped once, joined);
- before (`BENCH_EXPORTS_BEFORE=1`, slow): django-tables2's per-cell export (`SafeTableExport`) of the same table,
  as it ran inside the request before issue 19.
Target: a 100k-row file in under 30 s (below scale 1, projected: the request's and the download's seconds plus
the worker's seconds a row × 100,000, for the slower list), no request over 2 s of the paced clients while an
export runs."""

import io
import os
import re
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

from .common import SCALE, emit, log, percentile, raw_connection

USERS = 20
SLOW_S = 2.0
CUSTOMER_COPY = """COPY (SELECT c.name, c.customer_type, c.level, concat(c.province, c.city, c.district),
    coalesce(nullif(concat(u.last_name, u.first_name), ''), u.username), c.phone, c.source,
    c.last_contact_at::date, c.last_order_date, c.credit_limit
    FROM crm_customer c LEFT JOIN auth_user u ON u.id = c.owner_id WHERE c.merged_into_id IS NULL
    ORDER BY c.name, c.id) TO STDOUT WITH (FORMAT csv, HEADER true)"""
PRODUCT_COPY = """COPY (SELECT p.sku, p.name_zh, p.specification, c.name_zh, b.name, coalesce(s.on_hand, 0),
    coalesce(s.on_hand, 0) - coalesce(r.reserved, 0), u.name_zh, p.list_price, p.active
    FROM inventory_product p LEFT JOIN inventory_category c ON c.id = p.category_id
    LEFT JOIN inventory_brand b ON b.id = p.brand_id JOIN inventory_unitofmeasure u ON u.id = p.base_unit_id
    LEFT JOIN (SELECT product_id, sum(on_hand) AS on_hand FROM inventory_stocklevel GROUP BY product_id) s
      ON s.product_id = p.id
    LEFT JOIN (SELECT product_id, sum(quantity) AS reserved FROM inventory_reservation
               WHERE released_at IS NULL GROUP BY product_id) r ON r.product_id = p.id
    ORDER BY p.sku, p.id) TO STDOUT WITH (FORMAT csv, HEADER true)"""


def quiet_seconds() -> float:
    return float(os.environ.get("EXPORT_QUIET_SECONDS", "15"))


def build(customers, products):
    import random

    from django.contrib.auth import get_user_model

    from crm.models import Customer
    from inventory.models import Category, Location, Product, StockLevel, UnitOfMeasure, Warehouse

    rng = random.Random(7)
    User = get_user_model()
    reps = [User.objects.create_user(f"exp-rep{i}", password=None, last_name="王", first_name=f"{i}")
            for i in range(20)]
    for start in range(0, customers, 20_000):
        Customer.objects.bulk_create([
            Customer(name=f"导出客户{i:06d}五金", owner=rng.choice(reps),
                     phone=f"0571-{rng.randint(10**7, 10**8 - 1)}", province="浙江省", city="杭州市",
                     credit_limit=Decimal(rng.randint(0, 500)) * 100)
            for i in range(start, min(customers, start + 20_000))], batch_size=5000)
    unit, _ = UnitOfMeasure.objects.get_or_create(code="pcs", defaults={"name_zh": "个", "name_en": "piece"})
    cat = Category.objects.create(code="exp", name_zh="导出", name_en="Export")
    wh = Warehouse.objects.create(code="EXP", name_zh="导出仓", name_en="Export")
    bins = Location.objects.bulk_create([Location(warehouse=wh, code=f"E-{i}") for i in range(4)])
    for start in range(0, products, 10_000):
        made = Product.objects.bulk_create([
            Product(sku=f"E-{i:06d}", name_zh=f"导出件{i}", name_en=f"Part {i}", category=cat, base_unit=unit,
                    list_price=Decimal("1.00"), standard_cost=Decimal("0.50"))
            for i in range(start, min(products, start + 10_000))], batch_size=5000)
        StockLevel.objects.bulk_create([StockLevel(product=p, location=b, warehouse=wh,
                                                   on_hand=Decimal(rng.randint(0, 99)))
                                        for p in made for b in bins], batch_size=10000)
    from django.db import connection

    with connection.cursor() as cur:  # statistics as autovacuum would have them on a running system
        cur.execute("ANALYZE crm_customer, auth_user, inventory_product, inventory_stocklevel")
    return User.objects.create_superuser("exp-gm", password=None)


def think_range():
    """Seconds a paced client waits between two requests (EXPORT_THINK_S="lo,hi"): a clerk reading the page."""
    lo, hi = (float(x) for x in os.environ.get("EXPORT_THINK_S", "2,8").split(","))
    return lo, hi


def web_load(base, keys, targets, stop, seed, think=None):
    """USERS clients until `stop` is set: [(seconds, ok, path)]. Closed-loop (the next request as soon as the last
    answer came: the machine saturated) or, with `think=(lo, hi)`, paced (a uniform pause between requests, as
    people at their desks use the system)."""
    import random

    from tests.faults.stack import Browser

    results, lock = [], threading.Lock()

    def client(n):
        rng = random.Random(seed * 100 + n)
        b = Browser(base, keys[n])
        mine = []
        if think:  # people do not all click at the same moment: each arrives within the first pause
            stop.wait(rng.uniform(0, think[1]))
        while not stop.is_set():
            t0 = time.perf_counter()
            path = rng.choice(targets)
            status, _ = b.get(path, timeout=60)
            mine.append((time.perf_counter() - t0, status == 200, path, t0))
            if think:
                stop.wait(rng.uniform(*think))
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(USERS)]
    for t in threads:
        t.start()
    return threads, results


def web_figures(results, wall):
    lat = [r[0] for r in results]
    pages = {}
    for seconds, _, path, _t in results:
        pages.setdefault(re.sub(r"/\d+/", "/<id>/", path), []).append(seconds)
    return {"requests": len(results), "per_second": round(len(results) / wall, 1),
            **{f"p{q}_ms": round(percentile(lat, q) * 1000, 1) for q in (50, 95, 99)},
            "max_ms": round(max(lat) * 1000, 1), "over_2s": sum(x > SLOW_S for x in lat),
            "errors": sum(not r[1] for r in results),
            "p50_ms_by_page": {k: round(percentile(v, 50) * 1000) for k, v in sorted(pages.items())}}


def with_load(base, keys, targets, seed, work, think=None):
    """Run `work()` while the clients ask for pages; (work's result, web figures, wall seconds)."""
    stop = threading.Event()
    t0 = time.monotonic()
    threads, results = web_load(base, keys, targets, stop, seed, think)
    try:
        out = work()
    finally:
        stop.set()
        for t in threads:
            t.join()
    wall = time.monotonic() - t0
    return out, web_figures(results, wall), wall


def paced_session(base, keys, targets, think, user):
    """USERS paced clients through one session: `2 × EXPORT_QUIET_SECONDS` without an export, then
    `EXPORT_PACED_RUNS` (8) exports of each list one after the other; the requests grouped by the window they were
    asked for in."""
    stop = threading.Event()
    threads, results = web_load(base, keys, targets, stop, 11, think)
    windows, exports = {}, {"customers": [], "products": []}
    try:
        time.sleep(think[1] + 2)  # every client has arrived
        t0 = time.perf_counter()
        time.sleep(2 * quiet_seconds())
        windows["without_export"] = [(t0, time.perf_counter())]
        for name, path in (("customers", "/crm/customers/"), ("products", "/inventory/products/")):
            windows[name] = []
            for _ in range(int(os.environ.get("EXPORT_PACED_RUNS", "8"))):
                t0 = time.perf_counter()
                exports[name].append(export_over_http(base, keys[USERS], user, path))
                windows[name].append((t0, time.perf_counter()))
    finally:
        stop.set()
        for t in threads:
            t.join()
    out = {}
    for name, spans in windows.items():
        asked = [r for r in results if any(a <= r[3] < b for a, b in spans)]
        out[name] = {"web": web_figures(asked, sum(b - a for a, b in spans))}
        if name in exports:
            runs = exports[name]
            out[name].update({"rows": runs[0][2], "exports": len(runs),
                              "to_downloaded_file_s": [round(r[0], 2) for r in runs],
                              "worker_s": [round(r[3], 2) for r in runs]})
        log(f"exports: paced clients, {name}: {out[name]}")
    return out


def export_over_http(base, key, user, path):
    """(seconds from the request to the downloaded file, seconds of the request that queued it, rows, job)."""
    from hardware_erp.core.models import ExportJob
    from tests.faults.stack import Browser

    b = Browser(base, key)
    last = ExportJob.objects.filter(user=user).order_by("-pk").values_list("pk", flat=True).first() or 0
    t0 = time.perf_counter()
    status, _ = b.get(f"{path}?_export=csv", timeout=120)
    queued = time.perf_counter() - t0
    assert status == 302, status
    job = ExportJob.objects.filter(user=user, pk__gt=last).get()
    while True:
        job.refresh_from_db()
        if job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
            break
        if time.perf_counter() - t0 > 3600:
            raise TimeoutError(f"export {job.pk} still {job.status}")
        time.sleep(0.2)
    assert job.status == ExportJob.Status.DONE, job.error
    status, body = b.get(f"/exports/{job.pk}/download/", timeout=600)
    total = time.perf_counter() - t0
    assert status == 200, status
    worker = (job.finished_at - job.started_at).total_seconds()
    return total, queued, body.count("\n") - 1, worker


def copy_floor(sql):
    conn = raw_connection()
    try:
        best = None
        for _ in range(2):  # warm, then timed (the better of two)
            t0 = time.perf_counter()
            with tempfile.TemporaryFile("w+b") as fh, conn.cursor() as cur:
                cur.copy_expert(sql, fh)
                fh.seek(0)
                rows = sum(1 for _ in fh) - 1
            took = time.perf_counter() - t0
            best = took if best is None else min(best, took)
        return best, rows
    finally:
        conn.close()


def per_cell_before(user, path):
    """django-tables2's per-cell export of the same table (the request's work before issue 19): seconds, rows."""
    from hardware_erp.core.export_jobs import list_table
    from hardware_erp.core.exports import SafeTableExport
    from hardware_erp.core.models import ExportJob

    t0 = time.perf_counter()
    table, exclude = list_table(ExportJob(user=user, path=path, query="", fmt="csv", filename="x.csv"))
    body = SafeTableExport("csv", table, exclude_columns=exclude).export()
    with io.StringIO() as sink:
        sink.write(body)
    return time.perf_counter() - t0, body.count("\n") - 1


def run():
    from .pages import sessions, start_server, stop_server

    customers, products = int(100_000 * SCALE), int(50_000 * SCALE)
    t0 = time.monotonic()
    user = build(customers, products)
    log(f"exports: {customers} customers, {products} products built in {time.monotonic() - t0:.0f}s")
    from inventory.models import Product

    some = list(Product.objects.order_by("sku").values_list("pk", flat=True)[:: max(1, products // 20)])
    targets = ["/crm/customers/", "/crm/customers/?page=40", "/inventory/products/", "/inventory/products/?page=20",
               "/notifications/bell/", *[f"/inventory/products/{pk}/" for pk in some[:4]]]
    keys = sessions(user.username, USERS + 1)
    tmp = Path(tempfile.mkdtemp(prefix="hwerp-bench-exports-"))
    os.environ["EXPORT_DIR"] = str(tmp / "exports")  # the stack's processes write and serve the files there
    proc, base, log_file = start_server(tmp)
    results = {}
    think = think_range()
    try:
        with_load(base, keys, targets, 99, lambda: time.sleep(3))  # warm the workers and caches
        _, quiet, _ = with_load(base, keys, targets, 1, lambda: time.sleep(quiet_seconds()))
        log(f"exports: web without an export {quiet}")
        for i, (name, path) in enumerate((("customers", "/crm/customers/"), ("products", "/inventory/products/"))):
            (total, queued, rows, worker), web, _ = with_load(
                base, keys, targets, 2 + i, lambda path=path: export_over_http(base, keys[USERS], user, path))
            results[name] = {"rows": rows, "to_downloaded_file_s": round(total, 2),
                             "queue_request_ms": round(queued * 1000, 1), "worker_s": round(worker, 2),
                             # the worker's part grows with the rows, the request's and the download's hardly
                             "s_per_100k_rows": round(total - worker + worker / rows * 100_000, 1),
                             "web_during": web}
            log(f"exports: {name}: {rows} rows, downloaded {total:.1f}s after the request (worker {worker:.1f}s, "
                f"request {queued * 1000:.0f} ms); web meanwhile {web}")
        # the same 20 clients at a person's pace, one session: the figures of the requests asked for without an
        # export, and of those asked for while each export ran (several exports of each list, for enough requests)
        paced = paced_session(base, keys, targets, think, user)
    finally:
        stop_server(proc, log_file)
    floors = {}
    for name, sql in (("customers", CUSTOMER_COPY), ("products", PRODUCT_COPY)):
        took, rows = copy_floor(sql)
        floors[name] = {"copy_s": round(took, 3), "rows": rows}
        results[name]["vs_copy"] = round(results[name]["to_downloaded_file_s"] / took, 1)
    log(f"exports: COPY floors {floors}")
    before = {}
    if os.environ.get("BENCH_EXPORTS_BEFORE"):
        for name, path in (("customers", "/crm/customers/"), ("products", "/inventory/products/")):
            took, rows = per_cell_before(user, path)
            before[name] = {"per_cell_s": round(took, 1), "rows": rows}
            log(f"exports: {name} per-cell export {took:.1f}s")
    valid = all(results[k]["rows"] == floors[k]["rows"] == paced[k]["rows"] for k in results) and \
        all(r["web_during"]["errors"] == 0 for r in results.values()) and quiet["errors"] == 0 and \
        all(r["web"]["errors"] == 0 for r in paced.values())
    projected = max(r["s_per_100k_rows"] for r in results.values())
    slow = sum(r["web_during"]["over_2s"] for r in results.values())
    slow_paced = sum(paced[k]["web"]["over_2s"] for k in ("customers", "products"))
    return emit("exports", {"customers": customers, "products": products, "clients": USERS,
                            "think_s": list(think)},
                results, {"copy": floors, "web_without_export": quiet}, ratio=results["customers"]["vs_copy"],
                target=30.0, ok=valid and projected <= 30 and slow_paced == 0, projected_100k_rows_s=projected,
                requests_over_2s_during_exports=slow, paced=paced,
                paced_requests_over_2s_during_exports=slow_paced, valid=valid, before=before or None,
                note="ratio = customers' downloaded file / COPY floor (no target on it); targets: a 100k-row file "
                     "in under 30 s (request to download; the slower list's seconds a row x 100,000) and no "
                     "request over 2 s for 20 clients at a person's pace (paced: a pause of think_s seconds "
                     "after each answer) while an export runs; the closed-loop clients (no pause: the machine "
                     "saturated) are reported beside it")
