"""Report pages and exports under an 8-client posting load, without and with the read replica (issue 20).

A private primary and a streaming replica (the cluster test's `Cluster`: pg_basebackup -R), two gunicorn instances
(2 workers each). History: BENCH_REPLICA_ROWS stock movements (copies of a posted one, 200,000 at scale 1) so that
the reports have a year's weight. Each side runs BENCH_REPLICA_SECONDS (30 s): 8 clients post receipts through the
stock posting form in a closed loop, 2 clients read the movement list (count + first page), the no-movement report,
the stock list and a CSV export of a day of movements (about 550 rows). Side "primary": the web instances have no
replica (every read on the primary, as before); side "replica": DATABASE_REPLICA_URL set, the reports read the
replica.

Figures: posting rate of each side and their ratio (replica ÷ primary: above 1 when moving the reports off the
primary frees it for postings), report latency median/p95 per side, the replica's lag seen during the run (max of
/metrics samples, every second) and the count of reads the replica served. The primary's own postings each read
their own write on the next page (read-your-writes) and the count of stale reads must be 0.
Run alone: `python -m bench.replica` (it needs no bench database; `make bench BENCH=replica` also works).
"""

import json
import os
import statistics
import threading
import time
import uuid

from .common import figures, log

CLIENTS = 8
READERS = 2


def seconds() -> float:
    return float(os.environ.get("BENCH_REPLICA_SECONDS", 30))


def rows() -> int:
    return int(os.environ.get("BENCH_REPLICA_ROWS", 200_000 * float(os.environ.get("BENCH_SCALE", "1"))))


def missing():
    import shutil

    from tests.faults.stack import PG_BIN

    if not (PG_BIN / "pg_basebackup").exists() or not shutil.which("redis-server"):
        return "needs PostgreSQL 15 binaries and redis-server"
    return None


def history(cluster, n):
    """n copies of a posted movement, spread over the last year, then the planner's statistics."""
    cluster.shell("import json\nfrom decimal import Decimal\nfrom django.contrib.auth import get_user_model\n"
                  "from inventory.models import Location, Product\nfrom inventory.services import post_movement\n"
                  f"p = Product.objects.get(pk={cluster.data['products'][0]})\n"
                  f"loc = Location.objects.get(pk={cluster.data['locations'][0]})\n"
                  "post_movement(product=p, quantity=Decimal('1'), to_location=loc, kind='receipt', "
                  "actor=get_user_model().objects.get(username='reader'), reference='SEED')\nprint('{}')")
    cols = [r[0] for r in cluster.pg.psql(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'inventory_stockmovement' "
        "AND column_name NOT IN ('id', 'reference', 'posted_at', 'occurred_at') ORDER BY ordinal_position")]
    collist = ", ".join(cols)
    cluster.pg.psql(
        f"INSERT INTO inventory_stockmovement ({collist}, reference, posted_at, occurred_at) "  # noqa: S608
        f"SELECT {collist}, 'HIST-' || g, t, t FROM inventory_stockmovement m, generate_series(1, {int(n)}) g, "
        "LATERAL (SELECT now() - (g % 365) * interval '1 day' - (g % 1440) * interval '1 minute' AS t) w "
        "WHERE m.id = (SELECT min(id) FROM inventory_stockmovement)")
    cluster.pg.psql("ANALYZE")


def side(cluster, label, duration):
    from tests.faults.stack import Browser

    web = [cluster.gunicorn(workers=2, name=f"web-{label}-a"), cluster.gunicorn(workers=2, name=f"web-{label}-b")]
    sessions = cluster.data["sessions"]
    products, locations = cluster.data["products"], cluster.data["locations"]
    day = time.strftime("%Y-%m-%d", time.localtime(time.time() - 86400))
    reports = ["/inventory/movements/", "/inventory/reports/no-movement/", "/inventory/stock/",
               f"/inventory/movements/?posted_after={day}&_export=csv"]
    out = {"posts": [], "post_errors": 0, "stale": 0, "reports": {p: [] for p in reports}, "report_errors": [],
           "lag": []}
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def writer(n):
        b = Browser(web[n % 2].base, sessions[f"writer{n % 4}"])
        other = Browser(web[(n + 1) % 2].base, sessions[f"writer{n % 4}"])
        i = 0
        while time.monotonic() < stop:
            ref = f"B{label[0]}-{n}-{i}-{uuid.uuid4().hex[:4]}"
            t0 = time.perf_counter()
            status, _ = b.post("/inventory/movements/receipt/", {
                "product": products[i % len(products)], "quantity": "1", "to_location": locations[n % len(locations)],
                "reference": ref, "idempotency_key": ref, "reason": ""}, timeout=60)
            elapsed = time.perf_counter() - t0
            with lock:
                if status == 302:
                    out["posts"].append(elapsed)
                else:
                    out["post_errors"] += 1
            if status == 302 and i % 5 == 0:  # now and then, the next page shows the posting (read-your-writes)
                st, body = other.get(f"/inventory/movements/?reference={ref}", timeout=60)
                if st != 200 or ref not in body:
                    with lock:
                        out["stale"] += 1
            i += 1

    def reader(n):
        b = Browser(web[n % 2].base, sessions["reader"])
        i = n
        while time.monotonic() < stop:
            path = reports[i % len(reports)]
            t0 = time.perf_counter()
            status, _ = b.get(path, timeout=120)
            elapsed = time.perf_counter() - t0
            with lock:
                if status == 200:
                    out["reports"][path].append(elapsed)
                else:
                    out["report_errors"].append([path, status])
            i += 1

    def lag_sampler():
        while time.monotonic() < stop:
            m = cluster.metrics(web[0].base)
            if "hwerp_replica_lag_seconds" in m:
                out["lag"].append(m["hwerp_replica_lag_seconds"])
            time.sleep(1)

    before = cluster.metrics(web[0].base)
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(CLIENTS)]
    threads += [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
    threads.append(threading.Thread(target=lag_sampler))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + 300)
    after = cluster.metrics(web[0].base)
    for w in web:
        cluster.stop_process(w)
    from tests.faults.test_cluster import reads

    all_reports = [s for v in out["reports"].values() for s in v]
    return {
        "posting_rate_per_s": round(len(out["posts"]) / duration, 2), "posting": figures(out["posts"]),
        "post_errors": out["post_errors"], "stale_reads": out["stale"],
        "reports": figures(all_reports) if all_reports else {},
        "report_pages": {p: figures(v) for p, v in out["reports"].items() if v},
        "report_errors": out["report_errors"],
        "replica_reads": reads(after, "replica") - reads(before, "replica"),
        "primary_reads": reads(after, "primary") - reads(before, "primary"),
        "lag_seconds": {"max": max(out["lag"]), "median": statistics.median(out["lag"])} if out["lag"] else None,
    }


def run():
    from tests.faults.test_cluster import Cluster

    cluster = Cluster()
    try:
        log("replica: primary, replica, object store, migrate ...")
        cluster.start()
        n = rows()
        log(f"replica: {n} movements of history ...")
        history(cluster, n)
        from tests.faults.stack import wait_for

        wait_for(lambda: cluster.replica_has("inventory_stockmovement", f"reference = 'HIST-{n}'"), 300,
                 "replica caught up")
        duration = seconds()
        cluster.with_replica = False
        log("replica: side 'primary' (no replica) ...")
        primary = side(cluster, "primary", duration)
        cluster.with_replica = True
        log("replica: side 'replica' ...")
        replica = side(cluster, "replica", duration)
    finally:
        cluster.cleanup()
    ratio = replica["posting_rate_per_s"] / primary["posting_rate_per_s"] if primary["posting_rate_per_s"] else None
    valid = primary["stale_reads"] == 0 and replica["stale_reads"] == 0 and not replica["post_errors"] \
        and not replica["report_errors"]
    line = {"name": "replica", "scale": {"history_movements": n, "posting_clients": CLIENTS,
                                         "report_clients": READERS, "seconds_per_side": duration},
            "project": replica, "reference": primary,
            "ratio": round(ratio, 3) if ratio else None,
            "ratio_meaning": "posting rate with the reports on the replica / with them on the primary",
            "report_latency_ratio": round(replica["reports"]["median_ms"] / primary["reports"]["median_ms"], 3)
            if replica["reports"] and primary["reports"] else None,
            "valid": valid}
    print(json.dumps(line, ensure_ascii=False), flush=True)
    return line


if __name__ == "__main__":
    run()
