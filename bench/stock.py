"""Stock on hand over a realistic catalogue (issue 19, item 5): 50,000 products at scale 1 (`BENCH_SCALE` scales it),
each stocked in 0–4 bins of two warehouses, a tenth with active reservations (and as many released ones), a fifth
on open purchase lines (and lines of closed orders), through `inventory.selectors.with_stock`.

Three call shapes, each project against a hand-written floor (psycopg2, the same columns), the sides taking turns
after a warm-up of each:
- `sorted_page`: the product list sorted by on hand (most first, then SKU, as `ProductTable.order_on_hand` sorts),
  as the page asks for it: the count and the first 25 products as model instances with category, brand and unit,
  the columns the list shows (`inventory.selectors.product_list`, the view's queryset: per-product lookups of on
  hand and reserved; the list shows no on-order figure); floor: those columns, one LEFT JOIN to a grouped UNION ALL
  of levels and active reservations, and a count. `before` here: the other path, `product_list(whole=True)` (whole
  rows and the grouped pass over `inventory_productstock`).
- `catalogue`: every product's figures (a whole-catalogue reader such as an export, which reads values):
  `with_stock(whole=True).values_list(...)`; floor: the same join (with open purchase lines) fetching the id and
  the four figures. `before` here: the other path, the lookups.
- `catalogue_instances` (figures only, outside the target): the same as model instances, the audit's "with_stock as
  model instances"; against the same floor, the difference is Django building 50,000 wide Product objects.
- `sku_page`: the list's default page (by SKU, 25 products, `product_list()`): the lookups, which stay right for a
  page; floor: the same 25 products, the same columns, their figures summed by LATERAL subqueries.
Every project answer must equal the floor's."""

import random
import time
from decimal import Decimal

from .common import SCALE, emit, figures, log, raw_connection

REPEAT = 7
PAGE = 25
FIGURES_SQL = """
    LEFT JOIN (SELECT product_id, sum(on_hand) AS on_hand, sum(reserved) AS reserved, sum(on_order) AS on_order
               FROM (SELECT product_id, on_hand, 0 AS reserved, 0 AS on_order FROM inventory_stocklevel
                     UNION ALL SELECT product_id, 0, quantity, 0 FROM inventory_reservation WHERE released_at IS NULL
                     UNION ALL SELECT l.product_id, 0, 0, l.quantity - l.received_quantity
                               FROM inventory_purchaseorderline l JOIN inventory_purchaseorder o ON o.id = l.order_id
                               WHERE o.status IN ('approved', 'sent', 'partial')) f
               GROUP BY product_id) s ON s.product_id = p.id"""
# the list's pages show on hand and available, not on order (inventory.selectors.product_list): no purchase lines
PAGE_FIGURES_SQL = """
    LEFT JOIN (SELECT product_id, sum(on_hand) AS on_hand, sum(reserved) AS reserved
               FROM (SELECT product_id, on_hand, 0 AS reserved FROM inventory_stocklevel
                     UNION ALL SELECT product_id, 0, quantity FROM inventory_reservation WHERE released_at IS NULL) f
               GROUP BY product_id) s ON s.product_id = p.id"""
# what a row of the product list shows (inventory.tables.ProductTable: SKU, name, specification line, category,
# brand, unit, list price, active), then on hand and available: the columns a page of the list reads
PAGE_COLUMNS = """p.id, p.sku, p.name_zh, p.name_en, p.thread, p.length_mm, p.material, p.strength_grade, p.finish,
                  p.standard, p.specification, p.list_price, p.active, p.category_id, c.name_zh, c.name_en,
                  p.brand_id, b.name, p.base_unit_id, u.name_zh, u.name_en"""
FLOOR = {
    "sorted_page": [f"""SELECT {PAGE_COLUMNS}, coalesce(s.on_hand, 0) AS on_hand,
                               coalesce(s.on_hand, 0) - coalesce(s.reserved, 0)
                        FROM inventory_product p JOIN inventory_category c ON c.id = p.category_id
                        LEFT JOIN inventory_brand b ON b.id = p.brand_id
                        JOIN inventory_unitofmeasure u ON u.id = p.base_unit_id {PAGE_FIGURES_SQL}
                        ORDER BY on_hand DESC, p.sku DESC LIMIT {PAGE}""",
                    "SELECT count(*) FROM inventory_product"],
    "catalogue": [f"""SELECT p.id, coalesce(s.on_hand, 0), coalesce(s.reserved, 0), coalesce(s.on_order, 0),
                             coalesce(s.on_hand, 0) - coalesce(s.reserved, 0)
                      FROM inventory_product p {FIGURES_SQL} ORDER BY p.sku"""],
    "sku_page": [f"""SELECT {PAGE_COLUMNS}, h.q, h.q - r.q
                     FROM (SELECT * FROM inventory_product ORDER BY sku LIMIT {PAGE}) p
                     JOIN inventory_category c ON c.id = p.category_id
                     LEFT JOIN inventory_brand b ON b.id = p.brand_id
                     JOIN inventory_unitofmeasure u ON u.id = p.base_unit_id
                     CROSS JOIN LATERAL (SELECT coalesce(sum(on_hand), 0) AS q FROM inventory_stocklevel
                                         WHERE product_id = p.id) h
                     CROSS JOIN LATERAL (SELECT coalesce(sum(quantity), 0) AS q FROM inventory_reservation
                                         WHERE product_id = p.id AND released_at IS NULL) r
                     ORDER BY p.sku"""],
}
FLOOR["catalogue_instances"] = FLOOR["catalogue"]
INFORMATIVE = {"catalogue_instances"}  # reported, not in the ratio


def build(products: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from inventory.models import (
        Category,
        Location,
        Product,
        PurchaseOrder,
        PurchaseOrderLine,
        Reservation,
        StockLevel,
        Supplier,
        UnitOfMeasure,
        Warehouse,
    )

    t0 = time.monotonic()
    rng = random.Random(5)
    user = get_user_model().objects.create_superuser("stock-gm", password=None)
    unit, _ = UnitOfMeasure.objects.get_or_create(code="pcs", defaults={"name_zh": "个", "name_en": "piece"})
    cats = Category.objects.bulk_create([Category(code=f"st-{i}", name_zh=f"类{i}", name_en=f"Cat {i}")
                                         for i in range(40)])
    whs = [Warehouse.objects.create(code=f"ST{i}", name_zh=f"仓{i}", name_en=f"WH {i}") for i in range(2)]
    bins = Location.objects.bulk_create([Location(warehouse=w, code=f"S{w.code}-{i}") for w in whs for i in range(2)])
    made = Product.objects.bulk_create([
        Product(sku=f"S-{i:06d}", name_zh=f"库存件{i}", name_en=f"Part {i}", category=cats[i % 40], base_unit=unit,
                list_price=Decimal("1.00"), standard_cost=Decimal("0.50")) for i in range(products)], batch_size=5000)
    StockLevel.objects.bulk_create([StockLevel(product=p, location=b, warehouse=b.warehouse,
                                               on_hand=Decimal(rng.randint(0, 500)))
                                    for p in made for b in rng.sample(bins, rng.randint(0, 4))], batch_size=10000)
    Reservation.objects.bulk_create([
        Reservation(product=p, warehouse=rng.choice(whs), quantity=Decimal(rng.randint(1, 20)), reference="SO",
                    key=f"st-{p.pk}-{j}", created_by=user, released_at=None if j == 0 else user.date_joined)
        for p in rng.sample(made, products // 10) for j in range(2)], batch_size=10000)
    supplier = Supplier.objects.create(code="st", name_zh="库存供应商", name_en="Stock supplier")
    orders = [PurchaseOrder.objects.create(number=f"ST{i:05d}", supplier=supplier, warehouse=rng.choice(whs),
                                           status=rng.choice(["draft", "approved", "sent", "partial", "received"]),
                                           created_by=user) for i in range(max(10, products // 100))]
    PurchaseOrderLine.objects.bulk_create([
        PurchaseOrderLine(order=rng.choice(orders), product=p, quantity=Decimal(100), received_quantity=Decimal(
            rng.choice([0, 0, 40])), unit_price=Decimal("0.40")) for p in rng.sample(made, products // 5)],
        batch_size=10000)
    with connection.cursor() as cur:
        for table in ("inventory_product", "inventory_stocklevel", "inventory_reservation",
                      "inventory_purchaseorderline", "inventory_purchaseorder"):
            cur.execute(f"ANALYZE {table}")
    levels = StockLevel.objects.count()
    log(f"stock: {products} products, {levels} levels built in {time.monotonic() - t0:.0f}s")
    return {"products": products, "levels": levels}


def project_calls():
    from inventory.selectors import product_list, with_stock

    def listed(whole):  # the product list's rows (its view's queryset)
        return product_list(whole=whole)

    def sorted_page(whole):
        def fn():
            qs = listed(whole).order_by("-on_hand", "-sku")  # as ProductTable.order_on_hand sorts, most first
            qs.count()
            return [(p.pk, p.on_hand, p.available) for p in qs[:PAGE]]
        return fn

    def catalogue(whole):
        def fn():
            return list(with_stock(whole=whole).order_by("sku").values_list("pk", "on_hand", "reserved", "on_order",
                                                                           "available"))
        return fn

    def instances():
        return [(p.pk, p.on_hand, p.reserved, p.on_order, p.available) for p in with_stock(whole=True).order_by("sku")]

    def sku_page():
        return [(p.pk, p.on_hand, p.available) for p in listed(False).order_by("sku")[:PAGE]]

    project = {"sorted_page": sorted_page(False), "catalogue": catalogue(True), "sku_page": sku_page,
               "catalogue_instances": instances}
    # the other path of with_stock for the same shape (the grouped pass for the page, the lookups for the catalogue)
    before = {"sorted_page": sorted_page(True), "catalogue": catalogue(False)}
    return project, before


def answer(name, rows):
    """What the sides are compared on: (id, on hand, available) in order (plus reserved and on order)."""
    if name.startswith("catalogue"):
        return [(r[0], *(Decimal(x) for x in r[1:])) for r in rows]
    return [(r[0], Decimal(r[-2]), Decimal(r[-1])) for r in rows] if rows and len(rows[0]) > 3 else \
        [tuple(r) for r in rows]


def run():
    scale = {**build(int(50_000 * SCALE)), "page": PAGE, "repeat": REPEAT}
    conn = raw_connection()
    conn.autocommit = True
    cur = conn.cursor()

    def floor(name):
        def fn():
            rows = None
            for sql in FLOOR[name]:
                cur.execute(sql)
                rows = rows if rows is not None else cur.fetchall()
                if sql.startswith("SELECT count"):
                    cur.fetchall()
            return rows
        return fn

    project, before = project_calls()
    valid, details = True, {}
    samples = {name: {"project": [], "reference": [], "before": []} for name in FLOOR}
    for name in FLOOR:  # warm-up, and the answers compared
        same = answer(name, project[name]()) == answer(name, floor(name)())
        if name in before:
            same &= answer(name, before[name]()) == answer(name, project[name]())
        details[name] = {"same_answer": same}
        valid &= same
    for _ in range(REPEAT):
        for name in FLOOR:
            sides = [("project", project[name]), ("reference", floor(name))]
            if name in before:
                sides.append(("before", before[name]))
            for side, fn in sides:
                t1 = time.perf_counter()
                fn()
                samples[name][side].append(time.perf_counter() - t1)
    conn.close()
    worst = 0
    for name, s in samples.items():
        p, r = figures(s["project"]), figures(s["reference"])
        b = figures(s["before"]) if s["before"] else None
        ratio = round(p["median_ms"] / r["median_ms"], 3)
        if name not in INFORMATIVE:
            worst = max(worst, ratio)
        details[name].update({"project_ms": p["median_ms"], "project_p95_ms": p["p95_ms"],
                              "reference_ms": r["median_ms"], "reference_p95_ms": r["p95_ms"],
                              "before_ms": b["median_ms"] if b else None, "ratio": ratio,
                              "before_ratio": round(b["median_ms"] / r["median_ms"], 3) if b else None})
        log(f"stock: {name}: project {p['median_ms']} ms, floor {r['median_ms']} ms"
            + (f", before {b['median_ms']} ms" if b else ""))
    main = samples["sorted_page"]
    return emit("stock", scale, figures(main["project"]), figures(main["reference"]), target=1.5,
                ok=valid and worst <= 1.5, ratio=worst, shapes=details, valid=valid,
                note="ratio = the worst shape's project median / floor median (catalogue_instances reported, not "
                     "counted); the top-level figures are the sorted page's")
