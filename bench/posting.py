"""Stock posting under concurrency: 8 processes post 20,000 movements through `post_movement`, half of them on
10 hot products; the reference does the same row-locked insert + update in raw SQL through psycopg2 at the same
concurrency. Afterwards `check_stock` (ledger_differences) must find no difference: a lost update fails it."""

import multiprocessing as mp
import os
import random
import time
from decimal import Decimal

from .common import dsn, emit, figures, log

WORKERS = 8
HOT = 10
COLD = 990
LOCATIONS = 20
INITIAL = Decimal("100000")
TURNS = 2


def scale() -> int:
    return int(5000 * float(os.environ.get("BENCH_SCALE", "1")))


def build():
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from inventory.choices import MovementKind
    from inventory.models import Category, Location, Product, StockLevel, StockMovement, UnitOfMeasure, Warehouse

    user = get_user_model().objects.create_user("bench-poster", password=None)
    unit, _ = UnitOfMeasure.objects.get_or_create(code="pcs", defaults={"name_zh": "个", "name_en": "piece"})
    cat = Category.objects.create(code="bench-post", name_zh="基准", name_en="Bench")
    wh = Warehouse.objects.create(code="BPOST", name_zh="基准仓", name_en="Bench warehouse")
    locs = Location.objects.bulk_create([Location(warehouse=wh, code=f"P-{i:02d}") for i in range(LOCATIONS)])
    products = Product.objects.bulk_create([
        Product(sku=f"BP-{i:05d}", name_zh=f"螺栓{i}", name_en=f"Bolt {i}", category=cat, base_unit=unit,
                standard_cost=Decimal("0.50"), list_price=Decimal("0.80"), average_cost=Decimal("0.5000"))
        for i in range(HOT + COLD)])
    now = timezone.now()
    # an opening balance, written as ledger + level so that the ledger check holds from the start
    StockMovement.objects.bulk_create([
        StockMovement(kind=MovementKind.RECEIPT, product=p, to_location=loc, quantity=INITIAL, unit_cost=Decimal("0.5"),
                      actor=user, occurred_at=now, posted_at=now, reference="opening")
        for p in products for loc in locs], batch_size=5000)
    StockLevel.objects.bulk_create([StockLevel(product=p, location=loc, warehouse=wh, on_hand=INITIAL)
                                    for p in products for loc in locs], batch_size=5000)
    return user.pk, [p.pk for p in products], [loc.pk for loc in locs]


def operations(n, product_ids, location_ids, seed):
    """(product_id, kind, location_id, qty): half on the hot products; three receipts to one issue."""
    rng = random.Random(seed)
    hot, cold = product_ids[:HOT], product_ids[HOT:]
    ops = []
    for i in range(n):
        pid = rng.choice(hot) if i % 2 == 0 else rng.choice(cold)
        kind = "issue" if rng.random() < 0.25 else "receipt"
        ops.append((pid, kind, rng.choice(location_ids), Decimal(rng.randint(1, 5))))
    return ops


def project_worker(args):
    user_id, ops = args
    from django.contrib.auth import get_user_model
    from django.db import connections

    from inventory.models import Location, Product
    from inventory.services import post_movement

    user = get_user_model().objects.get(pk=user_id)
    products = Product.objects.in_bulk({o[0] for o in ops})
    locs = Location.objects.in_bulk({o[2] for o in ops})
    lat, errors = [], 0
    start = time.time()
    for pid, kind, lid, qty in ops:
        t0 = time.perf_counter()
        try:
            if kind == "receipt":
                post_movement(product=products[pid], quantity=qty, to_location=locs[lid], kind=kind, actor=user)
            else:
                post_movement(product=products[pid], quantity=qty, from_location=locs[lid], kind=kind, actor=user)
        except Exception:  # noqa: BLE001 - counted; a benchmark with errors is reported invalid
            errors += 1
        lat.append(time.perf_counter() - t0)
    end = time.time()
    connections.close_all()
    return start, end, lat, errors


def reference_worker(args):
    user_id, ops = args
    import psycopg2

    conn = psycopg2.connect(dsn())
    lat, errors = [], 0
    start = time.time()
    for pid, kind, lid, qty in ops:
        t0 = time.perf_counter()
        try:
            with conn, conn.cursor() as cur:
                cur.execute("SELECT id, on_hand FROM inventory_stocklevel WHERE product_id = %s AND location_id = %s "
                            "FOR UPDATE", (pid, lid))
                level_id, on_hand = cur.fetchone()
                if kind == "issue" and on_hand < qty:
                    raise ValueError("negative stock")
                cur.execute(
                    "INSERT INTO inventory_stockmovement (kind, product_id, from_location_id, to_location_id, quantity,"
                    " unit_cost, reason, reference, actor_id, occurred_at, posted_at, entry_method)"
                    " VALUES (%s, %s, %s, %s, %s, 0.5, '', '', %s, now(), now(), 'typed')",
                    (kind, pid, lid if kind == "issue" else None, lid if kind == "receipt" else None, qty, user_id))
                sign = -1 if kind == "issue" else 1
                cur.execute("UPDATE inventory_stocklevel SET on_hand = on_hand + %s, last_movement_at = now() "
                            "WHERE id = %s", (sign * qty, level_id))
        except Exception:  # noqa: BLE001
            errors += 1
        lat.append(time.perf_counter() - t0)
    end = time.time()
    conn.close()
    return start, end, lat, errors


def run_pool(worker, user_id, ops):
    from django.db import connections

    connections.close_all()  # each forked process opens its own connection
    chunks = [ops[i::WORKERS] for i in range(WORKERS)]
    with mp.get_context("fork").Pool(WORKERS) as pool:
        results = pool.map(worker, [(user_id, c) for c in chunks])
    start = min(r[0] for r in results)
    end = max(r[1] for r in results)
    lat = [x for r in results for x in r[2]]
    errors = sum(r[3] for r in results)
    return end - start, lat, errors


def run():
    from inventory.selectors import ledger_differences

    n = scale()
    user_id, product_ids, location_ids = build()
    log(f"posting: {len(product_ids)} products x {len(location_ids)} locations seeded; {n} movements per side")
    # the two sides take turns (reference, project, reference, project) so that neither runs alone on the
    # cleaner tables of the start
    ref_ops, proj_ops = operations(n, product_ids, location_ids, 2), operations(n, product_ids, location_ids, 1)
    ref_wall = proj_wall = 0.0
    ref_lat, proj_lat, ref_err, proj_err = [], [], 0, 0
    for k in range(TURNS):
        wall, lat, err = run_pool(reference_worker, user_id, ref_ops[k::TURNS])
        ref_wall, ref_lat, ref_err = ref_wall + wall, ref_lat + lat, ref_err + err
        wall, lat, err = run_pool(project_worker, user_id, proj_ops[k::TURNS])
        proj_wall, proj_lat, proj_err = proj_wall + wall, proj_lat + lat, proj_err + err
        log(f"posting: after turn {k + 1}: reference {len(ref_lat) / ref_wall:.0f}/s, "
            f"project {len(proj_lat) / proj_wall:.0f}/s")
    diffs = ledger_differences()
    proj_rate, ref_rate = n / proj_wall, n / ref_wall
    return emit("posting", {"movements": n, "workers": WORKERS, "hot_products": HOT, "products": HOT + COLD},
                figures(proj_lat, per_second=round(proj_rate, 1), errors=proj_err),
                figures(ref_lat, per_second=round(ref_rate, 1), errors=ref_err),
                ratio=ref_rate / proj_rate, target=2.0,
                ok=ref_rate / proj_rate <= 2.0 and not diffs and not proj_err,
                lost_updates=len(diffs), valid=not diffs and not proj_err and not ref_err,
                note="ratio = reference rate / project rate (target: project >= 50% of raw SQL)")
