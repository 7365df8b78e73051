"""Order analytics over a generated year (issue 19): every aggregate of the analytics page (revenue by period,
salesperson, region, customer type and category, the product ranking, the top customers, the headline) through
`orders.selectors` for the general manager over the default twelve-month period.

- project: the selectors as the page calls them, reading the sales rollups (`orders.SalesMonth` for the period,
  salesperson and headline, `orders.ProductSalesMonth` for the categories and the product ranking,
  `orders.SalesDay` for the customer figures);
- reference (the floor): hand-written SQL over the same rollup tables through psycopg2 (the product ranking summed
  by product before the product's names are joined);
- before: the same selectors over the orders and their lines (`src=RAW`, what the page read before the rollups).

The three take turns query by query (project, reference, before, next aggregate), after a warm-up of each. The
history is generated (`bench.data.generate_history`: 1,000,000 lines at scale 1 over 10,000 products and 20,000
customers), and the rollups are rebuilt from it (timed). Every project answer must equal the reference's and the
raw lines' answer."""

import time

from .common import SCALE, emit, figures, log, raw_connection

REPEAT = 7
PRODUCTS, CUSTOMERS = 10_000, 20_000

WHERE = "WHERE s.day >= %(start)s AND s.day < %(end)s"
MONTHS = "WHERE s.month >= %(start)s AND s.month < %(month_end)s"  # the period is whole months as far as sales go
FLOOR = {
    "period": f"""SELECT s.month, sum(s.n_orders), sum(s.net) FROM orders_salesmonth s {MONTHS}
                  GROUP BY 1 ORDER BY 1""",
    "salesperson": f"""SELECT s.salesperson_id, u.username, u.first_name, u.last_name, sum(s.n_orders), sum(s.net),
                       sum(s.net - s.cost) FROM orders_salesmonth s JOIN auth_user u ON u.id = s.salesperson_id
                       {MONTHS} GROUP BY 1, 2, 3, 4 ORDER BY 6 DESC, 2""",
    "region": f"""SELECT c.province, sum(s.n_orders), sum(s.net) FROM orders_salesday s
                  JOIN crm_customer c ON c.id = s.customer_id {WHERE} GROUP BY 1 ORDER BY 3 DESC, 1""",
    "customer_type": f"""SELECT c.customer_type, sum(s.n_orders), sum(s.net) FROM orders_salesday s
                         JOIN crm_customer c ON c.id = s.customer_id {WHERE} GROUP BY 1 ORDER BY 3 DESC, 1""",
    "category": f"""SELECT p.category_id, k.name_zh, k.name_en, sum(s.n_lines), sum(s.net)
                    FROM orders_productsalesmonth s JOIN inventory_product p ON p.id = s.product_id
                    LEFT JOIN inventory_category k ON k.id = p.category_id {MONTHS}
                    GROUP BY 1, 2, 3 ORDER BY 5 DESC, 1""",
    "products": f"""SELECT t.product_id, p.sku, p.name_zh, p.name_en, t.qty, t.net, t.margin
                    FROM (SELECT s.product_id, sum(s.quantity) AS qty, sum(s.net) AS net, sum(s.net - s.cost) AS margin
                          FROM orders_productsalesmonth s {MONTHS} GROUP BY 1) t
                    JOIN inventory_product p ON p.id = t.product_id ORDER BY t.net DESC, p.sku LIMIT 20""",
    "customers": f"""SELECT s.customer_id, c.name, sum(s.n_orders), sum(s.net) FROM orders_salesday s
                     JOIN crm_customer c ON c.id = s.customer_id {WHERE}
                     GROUP BY 1, 2 ORDER BY 4 DESC, 2, 1 LIMIT 10""",
    "headline": f"""SELECT sum(s.n_orders), sum(s.net), sum(s.net - s.cost), sum(s.approval_to_shipment),
                    sum(s.approval_to_shipment_n), sum(s.shipment_to_delivery), sum(s.shipment_to_delivery_n)
                    FROM orders_salesmonth s {MONTHS}""",
}


def scale() -> int:
    return int(1_000_000 * SCALE)


def selector_calls(user, start, end, src):
    from orders import selectors as s

    return {
        "period": lambda: s.revenue_by_period(user, start, end, "month", src=src),
        "salesperson": lambda: s.revenue_by_salesperson(user, start, end, src=src),
        "region": lambda: s.revenue_by_region(user, start, end, src=src),
        "customer_type": lambda: s.revenue_by_customer_type(user, start, end, src=src),
        "category": lambda: s.revenue_by_category(user, start, end, src=src),
        "products": lambda: s.product_ranking(user, start, end, by="revenue", src=src),
        "customers": lambda: s.top_customers(user, start, end, src=src),
        "headline": lambda: s.headline(user, start, end, src=src),
    }


KEYS = {"period": ("period", 2), "salesperson": ("salesperson_id", 5), "region": ("customer__province", 2),
        "customer_type": ("customer__customer_type", 2), "category": ("product__category_id", 4),
        "products": ("product_id", 5), "customers": ("customer_id", 3)}


def revenues(name, rows):
    """What every aggregate's answers are compared on: (key, revenue) row by row, in order."""
    if name == "headline":
        return [(rows["orders"], rows["revenue"])] if isinstance(rows, dict) else [(rows[0][0], rows[0][1])]
    key, column = KEYS[name]
    if rows and isinstance(rows[0], dict):
        return [(str(r[key]), r["revenue"]) for r in rows]
    return [(str(r[0]), r[column]) for r in rows]


def run():
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from orders import selectors

    from .data import generate_history

    made = generate_history(scale(), products=PRODUCTS, customers=CUSTOMERS)
    t0 = time.monotonic()
    call_command("rebuild_sales_rollup", verbosity=0)
    rebuild_s = time.monotonic() - t0
    log(f"reports: rollups rebuilt in {rebuild_s:.1f}s")
    user = get_user_model().objects.create_superuser("bench-gm", password=None)  # sees every order
    start, end = selectors.default_period()
    conn = raw_connection()
    conn.autocommit = True
    cur = conn.cursor()
    params = {"start": start, "end": end, "month_end": selectors.whole_months(start, end)[1]}

    def floor(name):
        def fn():
            cur.execute(FLOOR[name], params)
            return cur.fetchall()
        return fn

    project, before = selector_calls(user, start, end, selectors.ROLLUP), selector_calls(user, start, end,
                                                                                         selectors.RAW)
    samples = {name: {"project": [], "reference": [], "before": []} for name in FLOOR}
    valid, answers = True, {}
    for name in FLOOR:  # warm-up, and the answers compared
        a, b, c = project[name](), floor(name)(), before[name]()
        same = revenues(name, a) == revenues(name, b) == revenues(name, c)
        answers[name] = {"rows": len(a) if isinstance(a, list) else 1, "same_answer": same}
        valid &= same
    for _ in range(REPEAT):
        for name in FLOOR:
            for side, fn in (("project", project[name]), ("reference", floor(name)), ("before", before[name])):
                t1 = time.perf_counter()
                fn()
                samples[name][side].append(time.perf_counter() - t1)
    conn.close()
    details = {}
    for name, s in samples.items():
        p, r, b = figures(s["project"]), figures(s["reference"]), figures(s["before"])
        details[name] = {"project_ms": p["median_ms"], "reference_ms": r["median_ms"], "before_ms": b["median_ms"],
                         "ratio": round(p["median_ms"] / r["median_ms"], 3), **answers[name]}
        log(f"reports: {name}: project {p['median_ms']} ms, floor {r['median_ms']} ms, before {b['median_ms']} ms")
    page = {side: [sum(samples[n][side][i] for n in FLOOR) for i in range(REPEAT)]
            for side in ("project", "reference", "before")}
    p, r, b = figures(page["project"]), figures(page["reference"]), figures(page["before"])
    ratio = p["median_ms"] / r["median_ms"]
    return emit("reports", {**made, "period": [str(start), str(end)], "repeat": REPEAT,
                            "rollup_rebuild_s": round(rebuild_s, 1)},
                p, r, ratio=ratio, target=1.5, ok=ratio <= 1.5 and p["p95_ms"] <= 300 and valid,
                before=b, aggregates=details, valid=valid,
                note="a page = the 8 aggregates; ratio = project page median / floor page median; target also "
                     "p95 <= 300 ms; before = the same selectors over the orders and lines")
