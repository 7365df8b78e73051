"""Stock posting under concurrency at the shape real callers use (issue 19): 8 processes post movements through
`post_movement` with an idempotency key on every call (5 % of the calls resent with the key of an earlier one),
a unit cost on every receipt and a threshold on the 10 hot products, which take half the movements in 4 bins
each holding 3 at the start: issues and receipts come one to one there, so bins run out and issues are refused.
The reference does the same row work in raw SQL through psycopg2 at the same concurrency (product row lock and
average-cost UPDATE for a costed receipt, level lock, negative check, INSERT … ON CONFLICT on the key, level
UPDATE, an outbox row written in the transaction for a product with a threshold; the rows are deleted between
turns, untimed on both sides, as the worker's once-a-second flush does). It sends nothing to Redis; the project
queues a flush at most once a second per process. The sides take turns, each warmed as a running process is.
Afterwards: the ledger must equal the levels (`ledger_differences`), no level may be negative, every resent key must
have given back its first movement, and every level must equal its opening quantity plus what the clients of both
sides counted as posted: a lost update fails that."""

import multiprocessing as mp
import os
import random
import time
from decimal import Decimal

from .common import dsn, emit, figures, log

WORKERS = int(os.environ.get("BENCH_POSTING_WORKERS", "8"))  # 1: the per-call cost without contention
_START = None  # the turn's start line (run_pool), inherited by the forked workers
HOT = 10
COLD = 990
LOCATIONS = 20
HOT_OPENING = Decimal("3")
HOT_BINS = 4  # the hot products move in their first 4 bins: they run out there
COLD_OPENING = Decimal("1000")
TURNS = 4
RESEND = 0.05


def scale() -> int:
    return int(5000 * float(os.environ.get("BENCH_SCALE", "1")))


def build():
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from inventory.choices import MovementKind
    from inventory.models import (
        Category,
        Location,
        Product,
        StockLevel,
        StockMovement,
        StockThreshold,
        UnitOfMeasure,
        Warehouse,
    )

    user = get_user_model().objects.create_user("bench-poster", password=None)
    unit, _ = UnitOfMeasure.objects.get_or_create(code="pcs", defaults={"name_zh": "个", "name_en": "piece"})
    cat = Category.objects.create(code="bench-post", name_zh="基准", name_en="Bench")
    wh = Warehouse.objects.create(code="BPOST", name_zh="基准仓", name_en="Bench warehouse")
    locs = Location.objects.bulk_create([Location(warehouse=wh, code=f"P-{i:02d}") for i in range(LOCATIONS)])
    products = Product.objects.bulk_create([
        Product(sku=f"BP-{i:05d}", name_zh=f"螺栓{i}", name_en=f"Bolt {i}", category=cat, base_unit=unit,
                standard_cost=Decimal("0.50"), list_price=Decimal("0.80"), average_cost=Decimal("0.5000"))
        for i in range(HOT + COLD)])
    StockThreshold.objects.bulk_create([StockThreshold(product=p, warehouse=wh, minimum=Decimal("50"),
                                                       maximum=Decimal("0")) for p in products[:HOT]])
    now = timezone.now()
    opening = {p.pk: HOT_OPENING if i < HOT else COLD_OPENING for i, p in enumerate(products)}
    # an opening balance, written as ledger + level so that the ledger check holds from the start
    StockMovement.objects.bulk_create([
        StockMovement(kind=MovementKind.RECEIPT, product=p, to_location=loc, quantity=opening[p.pk],
                      unit_cost=Decimal("0.5"), actor=user, occurred_at=now, posted_at=now, reference="opening")
        for p in products for loc in locs], batch_size=5000)
    StockLevel.objects.bulk_create([StockLevel(product=p, location=loc, warehouse=wh, on_hand=opening[p.pk])
                                    for p in products for loc in locs], batch_size=5000)
    return user.pk, [p.pk for p in products], [loc.pk for loc in locs], opening


def operations(n, product_ids, location_ids, seed, side):
    """(key, product_id, kind, location_id, qty, unit_cost): half on the hot products, where receipts and issues
    come one to one (bins run out); elsewhere three receipts to one issue; 5 % resend an earlier key."""
    rng = random.Random(seed)
    hot, cold = product_ids[:HOT], product_ids[HOT:]
    ops = []
    for i in range(n):
        if ops and rng.random() < RESEND:
            ops.append(rng.choice(ops))  # the same call again (a double click, a retry after a timeout)
            continue
        on_hot = i % 2 == 0
        pid = rng.choice(hot) if on_hot else rng.choice(cold)
        kind = "issue" if rng.random() < (0.5 if on_hot else 0.25) else "receipt"
        cost = Decimal(rng.randint(40, 60)) / 100 if kind == "receipt" else None
        loc = rng.choice(location_ids[:HOT_BINS] if on_hot else location_ids)
        ops.append((f"bench-{side}-{seed}-{i}", pid, kind, loc, Decimal(rng.randint(1, 5)), cost))
    return ops


def project_worker(args):
    user_id, ops, _hot = args
    from celery import current_app
    from django.contrib.auth import get_user_model
    from django.db import connections

    from hardware_erp.core.errors import BusinessRuleError
    from inventory.models import Location, Product
    from inventory.services import post_movement

    user = get_user_model().objects.get(pk=user_id)
    products = Product.objects.in_bulk({o[1] for o in ops})
    locs = Location.objects.in_bulk({o[3] for o in ops})
    with current_app.producer_pool.acquire(block=True) as producer:  # warm, as a running web process is: its
        producer.connection.ensure_connection()  # broker connection open (the tasks modules: imported in `run`)
    lat, errors, refused, posted, firsts = [], 0, 0, {}, {}
    _START.wait(timeout=600)  # every worker of the turn warmed: the clock starts for all of them at once
    start = time.time()
    for key, pid, kind, lid, qty, cost in ops:
        where = {"to_location": locs[lid]} if kind == "receipt" else {"from_location": locs[lid]}
        t0 = time.perf_counter()
        try:
            m = post_movement(product=products[pid], quantity=qty, kind=kind, actor=user, unit_cost=cost,
                              idempotency_key=key, **where)
        except BusinessRuleError:
            refused += 1
            m = None
        except Exception:  # noqa: BLE001 - counted; a benchmark with errors is reported invalid
            errors += 1
            m = None
        lat.append(time.perf_counter() - t0)
        if m is not None:
            if key in firsts:
                errors += firsts[key] != m.pk  # a resent key must give back its first movement
            else:
                firsts[key] = m.pk
                posted[(pid, lid)] = posted.get((pid, lid), 0) + (qty if kind == "receipt" else -qty)
    end = time.time()
    connections.close_all()
    return start, end, lat, errors, refused, posted


AVG_SQL = ("UPDATE inventory_product p SET average_cost = ROUND((s.b * p.average_cost + %s * %s) / (s.b + %s), 4) "
           "FROM (SELECT GREATEST(COALESCE(SUM(on_hand), 0), 0) AS b FROM inventory_stocklevel "
           "WHERE product_id = %s) s WHERE p.id = %s")


def reference_worker(args):
    user_id, ops, hot = args
    import psycopg2

    conn = psycopg2.connect(dsn())
    lat, errors, refused, posted, firsts = [], 0, 0, {}, {}
    _START.wait(timeout=600)
    start = time.time()
    for key, pid, kind, lid, qty, cost in ops:
        t0 = time.perf_counter()
        got = None
        try:
            with conn, conn.cursor() as cur:
                if cost is not None:
                    cur.execute("SELECT id FROM inventory_product WHERE id = %s FOR NO KEY UPDATE", (pid,))
                cur.execute("SELECT id, on_hand FROM inventory_stocklevel WHERE product_id = %s AND location_id = %s "
                            "FOR NO KEY UPDATE", (pid, lid))
                level_id, on_hand = cur.fetchone()
                if kind == "issue" and on_hand < qty:
                    cur.execute("SELECT id FROM inventory_stockmovement WHERE idempotency_key = %s", (key,))
                    row = cur.fetchone()
                    if row is None:
                        raise LookupError("negative stock")
                    got = row[0]
                else:
                    cur.execute(
                        "INSERT INTO inventory_stockmovement (kind, product_id, from_location_id, to_location_id,"
                        " quantity, unit_cost, reason, reference, actor_id, occurred_at, posted_at, idempotency_key,"
                        " entry_method, reason_code, reason_params) VALUES (%s, %s, %s, %s, %s, %s, '', '', %s, now(),"
                        " now(), %s, 'typed', '', '{}')"
                        " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
                        (kind, pid, lid if kind == "issue" else None, lid if kind == "receipt" else None, qty,
                         cost if cost is not None else Decimal("0.5"), user_id, key))
                    row = cur.fetchone()
                    if row is None:
                        cur.execute("SELECT id FROM inventory_stockmovement WHERE idempotency_key = %s", (key,))
                        got = cur.fetchone()[0]
                    else:
                        got = row[0]
                        if cost is not None:
                            cur.execute(AVG_SQL, (qty, cost, qty, pid, pid))
                        cur.execute("UPDATE inventory_stocklevel SET on_hand = on_hand + %s, last_movement_at = now() "
                                    "WHERE id = %s", ((-qty if kind == "issue" else qty), level_id))
                        if pid in hot:  # the threshold check's outbox row; sent and deleted in batches elsewhere
                            cur.execute("INSERT INTO core_outboxtask (task, args, kwargs, created_at, attempts, "
                                        "last_error) VALUES ('inventory.check_thresholds_task', %s, '{}', now(), 0,"
                                        " '')", (f"[[{pid}]]",))
                        if key not in firsts:
                            posted[(pid, lid)] = posted.get((pid, lid), 0) + (qty if kind == "receipt" else -qty)
        except LookupError:
            refused += 1
        except Exception:  # noqa: BLE001
            errors += 1
        if got is not None:
            if key in firsts:
                errors += firsts[key] != got
            else:
                firsts[key] = got
        lat.append(time.perf_counter() - t0)
    end = time.time()
    conn.close()
    return start, end, lat, errors, refused, posted


def run_pool(worker, args, ops):
    from django.db import connections

    connections.close_all()  # each forked process opens its own connection
    # a resent key goes to the same process as its first call (as a client retries its own request)
    chunks = [[] for _ in range(WORKERS)]
    for op in ops:
        chunks[int(op[0].rsplit("-", 1)[1]) // TURNS % WORKERS].append(op)
    user_id, hot = args
    global _START
    # a start line for the turn's workers, on both sides: a worker's warm-up (connection, instances, broker) is
    # not in the turn's time, and the turn is timed from when all of them can post, not from the first one
    _START = mp.get_context("fork").Barrier(WORKERS)
    with mp.get_context("fork").Pool(WORKERS) as pool:
        results = pool.map(worker, [(user_id, c, hot) for c in chunks])
    start = min(r[0] for r in results)
    end = max(r[1] for r in results)
    posted = {}
    for r in results:
        for k, v in r[5].items():
            posted[k] = posted.get(k, 0) + v
    return (end - start, [x for r in results for x in r[2]], sum(r[3] for r in results),
            sum(r[4] for r in results), posted)


def clear_outbox():
    """Delete the threshold checks' outbox rows both sides wrote (no Celery worker runs here to send them)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DELETE FROM core_outboxtask WHERE task = 'inventory.check_thresholds_task'")
    connection.close()


def run():
    from celery import current_app
    from django.db.models import Min

    from inventory.models import StockLevel
    from inventory.selectors import ledger_differences

    n = scale()
    # a web process imports every app's tasks modules on its first enqueue (4-5 s on a loaded machine): done once
    # here, before the workers fork, instead of in the first timed posting of every worker of every turn
    current_app.loader.import_default_modules()
    user_id, product_ids, location_ids, opening = build()
    hot = set(product_ids[:HOT])
    log(f"posting: {len(product_ids)} products x {len(location_ids)} locations seeded; {n} movements per side")
    ref_ops = operations(n, product_ids, location_ids, 2, "ref")
    proj_ops = operations(n, product_ids, location_ids, 1, "proj")
    side = {"reference": [0.0, [], 0, 0], "project": [0.0, [], 0, 0]}
    counted = {}
    for k in range(TURNS):
        for name, worker, ops in (("reference", reference_worker, ref_ops), ("project", project_worker, proj_ops)):
            turn = [op for op in ops if int(op[0].rsplit("-", 1)[1]) % TURNS == k]  # a key stays in one turn
            wall, lat, err, refused, posted = run_pool(worker, (user_id, hot), turn)
            clear_outbox()  # what the worker's flush does once a second, untimed on both sides
            s = side[name]
            s[0], s[1], s[2], s[3] = s[0] + wall, s[1] + lat, s[2] + err, s[3] + refused
            for key, v in posted.items():
                counted[key] = counted.get(key, 0) + v
        log(f"posting: after turn {k + 1}: reference {len(side['reference'][1]) / side['reference'][0]:.0f}/s, "
            f"project {len(side['project'][1]) / side['project'][0]:.0f}/s")
    diffs = ledger_differences()
    lost = [(pid, lid, on_hand, opening[pid] + counted.get((pid, lid), 0))
            for pid, lid, on_hand in StockLevel.objects.values_list("product_id", "location_id", "on_hand")
            if on_hand != opening[pid] + counted.get((pid, lid), 0)]
    negative = StockLevel.objects.aggregate(m=Min("on_hand"))["m"] < 0
    (pw, pl, pe, pr), (rw, rl, re_, rr) = side["project"], side["reference"]
    proj_rate, ref_rate = n / pw, n / rw
    valid = not diffs and not lost and not negative and not pe and not re_
    return emit("posting", {"movements": n, "workers": WORKERS, "hot_products": HOT, "products": HOT + COLD,
                            "hot_opening_per_bin": str(HOT_OPENING), "resent": RESEND, "turns": TURNS},
                figures(pl, per_second=round(proj_rate, 1), errors=pe, refused=pr),
                figures(rl, per_second=round(ref_rate, 1), errors=re_, refused=rr),
                ratio=ref_rate / proj_rate, target=2.0, ok=ref_rate / proj_rate <= 2.0 and valid,
                ledger_differences=len(diffs), lost_updates=len(lost), negative_stock=negative, valid=valid,
                note="ratio = reference rate / project rate; refused = issues refused for want of stock")
