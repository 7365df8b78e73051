"""Stocktake approval: a count of 5,000 lines, every one with a variance, approved through
`inventory.stocktakes.approve_stocktake`. Reference: raw SQL through psycopg2 inserting the same 5,000 movements
and updating the same levels in one transaction. Each repetition opens a fresh count of the same stock; the
ledger check must find no difference afterwards."""

import os
import random
import time
from decimal import Decimal

from .common import dsn, emit, figures, log

LOCATIONS = 5
REPEAT = 5


def lines() -> int:
    return int(5000 * float(os.environ.get("BENCH_SCALE", "1")))


def build(n):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from inventory.choices import MovementKind
    from inventory.models import Category, Location, Product, StockLevel, StockMovement, UnitOfMeasure, Warehouse

    users = get_user_model().objects
    opener = users.create_superuser("bench-count-opener", password=None)
    approver = users.create_superuser("bench-count-approver", password=None)
    unit, _ = UnitOfMeasure.objects.get_or_create(code="pcs", defaults={"name_zh": "个", "name_en": "piece"})
    cat = Category.objects.create(code="bench-count", name_zh="盘点基准", name_en="Count bench")
    wh = Warehouse.objects.create(code="BCOUNT", name_zh="盘点仓", name_en="Count warehouse")
    locs = Location.objects.bulk_create([Location(warehouse=wh, code=f"C-{i:02d}") for i in range(LOCATIONS)])
    products = Product.objects.bulk_create([
        Product(sku=f"BC-{i:06d}", name_zh=f"螺母{i}", name_en=f"Nut {i}", category=cat, base_unit=unit,
                standard_cost=Decimal("0.30"), list_price=Decimal("0.50"), average_cost=Decimal("0.3000"))
        for i in range(-(-n // LOCATIONS))], batch_size=5000)
    pairs = [(p, loc) for p in products for loc in locs][:n]
    now = timezone.now()
    StockMovement.objects.bulk_create([
        StockMovement(kind=MovementKind.RECEIPT, product=p, to_location=loc, quantity=Decimal(1000),
                      unit_cost=Decimal("0.3"), actor=opener, occurred_at=now, posted_at=now, reference="opening")
        for p, loc in pairs], batch_size=5000)
    StockLevel.objects.bulk_create([StockLevel(product=p, location=loc, warehouse=wh, on_hand=Decimal(1000))
                                    for p, loc in pairs], batch_size=5000)
    return opener, approver, wh


def counted_stocktake(opener, wh, rng):
    """A fresh count of the warehouse with every line counted off by a few units (up or down)."""
    from django.db import connection, transaction

    from inventory.models import StocktakeLine
    from inventory.stocktakes import open_stocktake

    st = open_stocktake(warehouse=wh, actor=opener)
    ids = list(StocktakeLine.objects.filter(stocktake=st).values_list("pk", flat=True))
    deltas = [(pk, rng.choice([-3, -2, -1, 1, 2, 3])) for pk in ids]
    with transaction.atomic(), connection.cursor() as cur:  # the counting itself is not what is measured
        cur.execute("CREATE TEMP TABLE bench_delta (id bigint, d numeric) ON COMMIT DROP")
        cur.executemany("INSERT INTO bench_delta VALUES (%s, %s)", deltas)
        cur.execute("UPDATE inventory_stocktakeline l SET counted = l.expected + bench_delta.d "
                    "FROM bench_delta WHERE l.id = bench_delta.id")
    return st, len(ids)


def reference_rows(approver, wh, rng):
    """The same kind of work the approval does: one stocktake movement per level, the level moved by it."""
    from inventory.models import StockLevel

    rows = list(StockLevel.objects.filter(warehouse=wh).order_by("pk").values_list("pk", "product_id", "location_id"))
    return [(pk, p, loc, rng.choice([-3, -2, -1, 1, 2, 3])) for pk, p, loc in rows]


def reference(approver_id, rows, number):
    import psycopg2
    from psycopg2.extras import execute_values

    conn = psycopg2.connect(dsn())
    t0 = time.perf_counter()
    with conn, conn.cursor() as cur:
        cur.execute("SELECT id FROM inventory_stocklevel WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE",
                    ([r[0] for r in rows],))
        execute_values(cur, (
            "INSERT INTO inventory_stockmovement (kind, product_id, from_location_id, to_location_id, quantity,"
            " unit_cost, reason, reference, actor_id, occurred_at, posted_at, idempotency_key, entry_method)"
            " VALUES %s"),
            [("stocktake", p, loc if d < 0 else None, loc if d > 0 else None, abs(d), Decimal("0.3"),
              f"Stocktake {number}: expected 1000, counted {1000 + d}", number, approver_id,
              f"stocktake:{number}:{pk}") for pk, p, loc, d in rows],
            template="(%s, %s, %s, %s, %s, %s, %s, %s, %s, now(), now(), %s, 'typed')", page_size=2000)
        execute_values(cur, "UPDATE inventory_stocklevel l SET on_hand = l.on_hand + v.d, last_movement_at = now() "
                            "FROM (VALUES %s) AS v(id, d) WHERE l.id = v.id",
                       [(pk, d) for pk, _p, _l, d in rows], template="(%s, %s::numeric)", page_size=2000)
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed


def run():
    from inventory.selectors import ledger_differences
    from inventory.stocktakes import approve_stocktake

    n = lines()
    rng = random.Random(3)
    opener, approver, wh = build(n)
    log(f"stocktake: {n} levels in {LOCATIONS} locations seeded")
    project, ref, posted = [], [], []
    for i in range(REPEAT + 1):  # the first round warms up both sides
        st, count = counted_stocktake(opener, wh, rng)
        t0 = time.perf_counter()
        movements = approve_stocktake(st, actor=approver)
        elapsed = time.perf_counter() - t0
        posted.append(len(movements))
        r = reference(approver.pk, reference_rows(approver, wh, rng), f"REF{i:04d}")
        log(f"stocktake: round {i}: {count} lines, {len(movements)} movements approved in {elapsed:.2f}s; "
            f"raw SQL {r:.2f}s")
        if i:
            project.append(elapsed)
            ref.append(r)
    diffs = ledger_differences()
    ok_counts = all(p == n for p in posted)
    proj_fig = figures(project, movements=n)
    ref_fig = figures(ref, movements=n)
    ratio = proj_fig["median_ms"] / ref_fig["median_ms"]
    valid = not diffs and ok_counts
    return emit("stocktake", {"lines": n, "locations": LOCATIONS}, proj_fig, ref_fig, ratio=ratio, target=3.0,
                ok=ratio <= 3.0 and valid, ledger_differences=len(diffs), valid=valid,
                note="ratio = project approval time / raw SQL time (target: within 3x)")
