"""Reports over 1,000,000 order lines: the product sales ranking and revenue by salesperson and month, through
the selectors the order analytics page uses (`orders.selectors.product_ranking`, `sales_by_rep_month`), for the
general manager over the default twelve-month period. Reference: the same reports in hand-written SQL through
psycopg2 on the same data."""

import os

from .common import emit, figures, log, raw_connection, timed

REPEAT = 7

RANKING_SQL = """
SELECT l.product_id, p.sku, p.name_zh, p.name_en, SUM(l.base_quantity - l.returned_quantity) AS qty,
       SUM(l.net_amount) AS revenue, SUM(l.net_amount - l.cost_amount) AS margin
FROM orders_orderline l
JOIN orders_salesorder o ON o.id = l.order_id
JOIN inventory_product p ON p.id = l.product_id
WHERE o.kind = 'order' AND o.status = ANY(%(states)s) AND o.order_date >= %(start)s AND o.order_date < %(end)s
GROUP BY l.product_id, p.sku, p.name_zh, p.name_en
ORDER BY revenue DESC, p.sku
LIMIT 20"""

REP_MONTH_SQL = """
SELECT o.salesperson_id, u.username, u.first_name, u.last_name, date_trunc('month', o.order_date) AS month,
       count(*) AS orders, SUM(o.net_total) AS revenue
FROM orders_salesorder o
JOIN auth_user u ON u.id = o.salesperson_id
WHERE o.kind = 'order' AND o.status = ANY(%(states)s) AND o.order_date >= %(start)s AND o.order_date < %(end)s
GROUP BY o.salesperson_id, u.username, u.first_name, u.last_name, month
ORDER BY u.username, month"""


def scale() -> int:
    return int(1_000_000 * float(os.environ.get("BENCH_SCALE", "1")))


def run():
    from django.contrib.auth import get_user_model

    from orders import selectors
    from orders.choices import SOLD_STATES

    from .data import multiply_orders

    lines = multiply_orders(scale())
    user = get_user_model().objects.get(username="gm")  # sees every order
    start, end = selectors.default_period()
    conn = raw_connection()
    conn.autocommit = True
    cur = conn.cursor()
    params = {"states": [str(s) for s in SOLD_STATES], "start": start, "end": end}

    def sql(text):
        def fn():
            cur.execute(text, params)
            return cur.fetchall()
        return fn

    reports = {
        "product_ranking": (lambda: selectors.product_ranking(user, start, end, by="revenue"), sql(RANKING_SQL)),
        "rep_month": (lambda: selectors.sales_by_rep_month(user, start, end), sql(REP_MONTH_SQL)),
    }
    details, valid = {}, True
    for name, (project, reference) in reports.items():
        a, b = project(), reference()
        same = ([(r["product_id"], r["revenue"]) for r in a] == [(r[0], r[5]) for r in b] if name == "product_ranking"
                else [(r["salesperson_id"], r["revenue"]) for r in a] == [(r[0], r[6]) for r in b])
        valid &= same and bool(a)
        p = figures(timed(project, REPEAT))
        r = figures(timed(reference, REPEAT))
        details[name] = {"project": p, "reference": r, "ratio": round(p["median_ms"] / r["median_ms"], 3),
                         "rows": len(a), "same_answer": same}
        log(f"reports: {name} project {p['median_ms']} ms, reference {r['median_ms']} ms")
    conn.close()
    worst = max(d["ratio"] for d in details.values())
    total = {k: {"median_ms": round(sum(d[k]["median_ms"] for d in details.values()), 3),
                 "p95_ms": round(sum(d[k]["p95_ms"] for d in details.values()), 3), "n": REPEAT}
             for k in ("project", "reference")}
    return emit("reports", {"order_lines": lines, "period": [str(start), str(end)], "repeat": REPEAT},
                total["project"], total["reference"], ratio=worst, target=1.5, ok=worst <= 1.5 and valid,
                reports=details, valid=valid,
                note="ratio = the worse of the two reports' project median / reference median")
