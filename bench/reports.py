"""Order analytics over a generated year (issue 19): every aggregate of the analytics page (revenue by period,
salesperson, region, customer type and category, the product ranking, the top customers, the headline) through
`orders.selectors` for the general manager over the default twelve-month period, called as the page calls them:
period, salesperson, the three customer charts (`customer_charts`: one statement), the two product charts
(`product_charts`: one statement), the headline.

- project: the selectors reading the sales rollups (`orders.SalesMonth` for the period, salesperson and headline,
  `orders.CustomerSalesMonth` for the customer charts, `orders.ProductSalesMonth` for the categories and the product
  ranking);
- reference (the floor): hand-written SQL over the same rollup tables through psycopg2 (each customer's and each
  product's figures summed once in a CTE, then grouped and ranked, one statement for the customer charts and one for
  the product charts);
- before: the selectors over the orders and their lines (`src=RAW`, what the page read before the rollups: one
  grouped query per chart).

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
    "customers": f"""
        WITH t AS (SELECT s.customer_id, sum(s.n_orders) AS orders, sum(s.net) AS revenue
                   FROM orders_customersalesmonth s {MONTHS} GROUP BY 1),
             j AS (SELECT t.*, c.province, c.customer_type, c.name FROM t JOIN crm_customer c ON c.id = t.customer_id)
        (SELECT 0, province, NULL::bigint, NULL::text, sum(orders)::bigint, sum(revenue) FROM j GROUP BY 2)
        UNION ALL (SELECT 1, customer_type, NULL, NULL, sum(orders)::bigint, sum(revenue) FROM j GROUP BY 2)
        UNION ALL (SELECT 2, NULL, customer_id, name, orders, revenue FROM j ORDER BY 6 DESC, 4, 3 LIMIT 10)
        ORDER BY 1, 6 DESC, 2, 4, 3""",
    "products": f"""
        WITH t AS (SELECT s.product_id, sum(s.n_lines) AS lines, sum(s.quantity) AS qty, sum(s.net) AS revenue,
                          sum(s.net - s.cost) AS margin FROM orders_productsalesmonth s {MONTHS} GROUP BY 1),
             j AS (SELECT t.*, p.sku, p.name_zh, p.name_en, p.category_id FROM t
                   JOIN inventory_product p ON p.id = t.product_id)
        (SELECT 0, j.category_id, NULL::bigint, NULL::text, k.name_zh, k.name_en, sum(j.lines)::bigint,
                NULL::numeric, sum(j.revenue), NULL::numeric FROM j
         LEFT JOIN inventory_category k ON k.id = j.category_id GROUP BY 2, 5, 6)
        UNION ALL (SELECT 1, NULL, product_id, sku, name_zh, name_en, NULL, qty, revenue, margin FROM j
                   ORDER BY 9 DESC, 4 LIMIT 20)
        ORDER BY 1, 9 DESC, 2, 4""",
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
        "customers": lambda: s.customer_charts(user, start, end, src=src),
        "products": lambda: s.product_charts(user, start, end, by="revenue", src=src),
        "headline": lambda: s.headline(user, start, end, src=src),
    }


KEYS = {"period": ("period", 2), "salesperson": ("salesperson_id", 5)}
PARTS = {"customers": [("region", "customer__province", 1, 5), ("customer_type", "customer__customer_type", 1, 5),
                       ("customers", "customer_id", 2, 5)],
         "products": [("category", "product__category_id", 1, 8), ("products", "product_id", 2, 8)]}


def revenues(name, rows):
    """What every aggregate's answers are compared on: (key, revenue) row by row, in order (chart by chart for the
    combined ones: the selectors' dicts, or the floor's rows tagged with their chart's number)."""
    if name == "headline":
        return [(rows["orders"], rows["revenue"])] if isinstance(rows, dict) else [(rows[0][0], rows[0][1])]
    if name in PARTS:
        if isinstance(rows, dict):
            return [[(str(r[key]), r["revenue"]) for r in rows[part]] for part, key, _c, _r in PARTS[name]]
        return [[(str(r[col]), r[rev]) for r in rows if r[0] == n]
                for n, (_part, _key, col, rev) in enumerate(PARTS[name])]
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
        answers[name] = {"rows": len(a) if isinstance(a, list) else sum(map(len, a.values())) if name in PARTS else 1,
                         "same_answer": same}
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
