"""Purchase suggestions: the forecast and the suggestion list (`inventory.forecast.compute_suggestions`) for
products that all have a threshold, a preferred supplier and 12 months of daily sales history. Reference: one
raw SQL aggregation (through psycopg2) of the sales history the forecast reads — the daily sales per item over
the forecast window, fetched to the client."""

import io
import os
import random
import time
from datetime import datetime, timedelta
from decimal import Decimal

from .common import dsn, emit, figures, log

SALE_DAYS = 365
SELLING_SHARE = 0.2  # share of days on which an item sells
LOCATIONS = 10
REPEAT = 3


def products() -> int:
    return int(10000 * float(os.environ.get("BENCH_SCALE", "1")))


def build(n):
    import psycopg2
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from inventory.models import (
        Category,
        Location,
        Product,
        StockLevel,
        StockThreshold,
        Supplier,
        SupplierProduct,
        UnitOfMeasure,
        Warehouse,
    )

    rng = random.Random(5)
    user = get_user_model().objects.create_user("bench-sales", password=None)
    unit, _ = UnitOfMeasure.objects.get_or_create(code="pcs", defaults={"name_zh": "个", "name_en": "piece"})
    cat = Category.objects.create(code="bench-forecast", name_zh="预测基准", name_en="Forecast bench")
    wh = Warehouse.objects.create(code="BFCST", name_zh="预测仓", name_en="Forecast warehouse")
    locs = Location.objects.bulk_create([Location(warehouse=wh, code=f"F-{i:02d}") for i in range(LOCATIONS)])
    suppliers = Supplier.objects.bulk_create([Supplier(code=f"bench-sup-{i}", name_zh=f"供应商{i}",
                                                       name_en=f"Supplier {i}") for i in range(20)])
    prods = Product.objects.bulk_create([
        Product(sku=f"BF-{i:06d}", name_zh=f"合页{i}", name_en=f"Hinge {i}", category=cat, base_unit=unit,
                standard_cost=Decimal("2.00"), list_price=Decimal("3.50"), average_cost=Decimal("2.0000"))
        for i in range(n)], batch_size=5000)
    SupplierProduct.objects.bulk_create([
        SupplierProduct(supplier=rng.choice(suppliers), product=p, price=Decimal("1.90"), preferred=True,
                        lead_time_days=rng.choice([5, 7, 10, 14, 21]), pack_size=Decimal(rng.choice([1, 10, 50])),
                        moq=Decimal(rng.choice([0, 100]))) for p in prods], batch_size=5000)
    StockThreshold.objects.bulk_create([
        StockThreshold(product=p, warehouse=wh, minimum=Decimal(m), maximum=Decimal(m * 4))
        for p in prods for m in [rng.choice([20, 50, 100, 200])]], batch_size=5000)
    # 12 months of daily sales (issues), written with COPY; the opening receipt covers them so that the
    # ledger still equals the levels
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    start = today - timedelta(days=SALE_DAYS)
    buf, on_hand, rows = io.StringIO(), [], 0
    for p in prods:
        loc = locs[p.pk % LOCATIONS]
        sold = 0
        rate = rng.choice([1, 2, 5, 10, 20])
        for d in range(SALE_DAYS):
            if rng.random() < SELLING_SHARE:
                q = rng.randint(1, 2 * rate)
                sold += q
                when = datetime.combine(start + timedelta(days=d), datetime.min.time(), tz) + timedelta(hours=10)
                buf.write(f"issue\t{p.pk}\t{loc.pk}\t\\N\t{q}\t2.0\t\t\t{user.pk}\t{when.isoformat()}\t"
                          f"{when.isoformat()}\t\\N\ttyped\n")
                rows += 1
        left = rng.randint(0, 400)
        opening = datetime.combine(start, datetime.min.time(), tz).isoformat()
        buf.write(f"receipt\t{p.pk}\t\\N\t{loc.pk}\t{sold + left}\t2.0\t\topening\t{user.pk}\t{opening}\t"
                  f"{opening}\t\\N\ttyped\n")
        on_hand.append((p, loc, left))
    buf.seek(0)
    t0 = time.monotonic()
    conn = psycopg2.connect(dsn())
    with conn, conn.cursor() as cur:
        cur.copy_expert("COPY inventory_stockmovement (kind, product_id, from_location_id, to_location_id, quantity,"
                        " unit_cost, reason, reference, actor_id, occurred_at, posted_at, idempotency_key,"
                        " entry_method) FROM STDIN", buf)
    conn.close()
    log(f"suggestions: {rows} sales copied in {time.monotonic() - t0:.0f}s")
    StockLevel.objects.bulk_create([StockLevel(product=p, location=loc, warehouse=wh, on_hand=Decimal(q))
                                    for p, loc, q in on_hand], batch_size=5000)
    with psycopg2.connect(dsn()) as conn, conn.cursor() as cur:
        conn.autocommit = True
        cur.execute("ANALYZE")
    return rows


def reference(start, end):
    """The daily sales per product and warehouse over the window the forecast reads, in one statement."""
    import psycopg2
    from django.conf import settings

    conn = psycopg2.connect(dsn())
    t0 = time.perf_counter()
    with conn, conn.cursor() as cur:
        cur.execute("SELECT m.product_id, l.warehouse_id, (m.occurred_at AT TIME ZONE %s)::date AS day, "
                    "sum(m.quantity) FROM inventory_stockmovement m "
                    "JOIN inventory_location l ON l.id = m.from_location_id "
                    "WHERE m.kind = 'issue' AND m.occurred_at >= %s AND m.occurred_at < %s GROUP BY 1, 2, 3",
                    (settings.TIME_ZONE, start, end))
        n = len(cur.fetchall())
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed, n


def run():
    from django.utils import timezone

    from inventory.forecast import HISTORY_DAYS, compute_suggestions
    from inventory.models import PurchaseSuggestion

    n = products()
    rows = build(n)
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    start = datetime.combine(today - timedelta(days=HISTORY_DAYS), datetime.min.time(), tz)
    end = datetime.combine(today, datetime.min.time(), tz)
    project, ref, results = [], [], []
    for i in range(REPEAT + 1):  # round 0 creates the suggestions (and warms up); later rounds recompute them
        t0 = time.perf_counter()
        results.append(compute_suggestions())
        elapsed = time.perf_counter() - t0
        r, groups = reference(start, end)
        log(f"suggestions: round {i}: {results[-1]} in {elapsed:.2f}s; raw aggregation {r:.2f}s ({groups} rows)")
        if i:
            project.append(elapsed)
            ref.append(r)
    live = PurchaseSuggestion.objects.filter(status="open").count()
    proj_fig = figures(project, items=results[-1]["items"], suggestions=live)
    ref_fig = figures(ref, rows=groups)
    ratio = proj_fig["median_ms"] / ref_fig["median_ms"]
    valid = live == results[-1]["items"] and live > 0
    return emit("suggestions", {"products": n, "thresholds": n, "sales_rows": rows, "history_days": SALE_DAYS,
                                "forecast_window_days": HISTORY_DAYS},
                proj_fig, ref_fig, ratio=ratio, target=3.0, ok=ratio <= 3.0 and valid, valid=valid,
                note="ratio = project recompute time / raw aggregation time (target: within 3x)")
