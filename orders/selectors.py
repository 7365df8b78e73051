"""Read-side queries: search, balances, receivables, analytics, the CRM fragment, the KPI evidence.

Every report aggregates in the database (GROUP BY over indexed columns); none loops over order lines.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Avg,
    Count,
    DateField,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDay, TruncMonth, TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import (
    INVOICED_STATES,
    REVIEW_PERMISSION,
    SOLD_STATES,
    UNPAID_STATES,
    DocKind,
    OrderStatus,
    RefundStatus,
    StepStatus,
)
from .models import CustomerCredit, OrderEvent, OrderLine, OrderReturn, Refund, ReviewStep, SalesOrder, Shipment

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=16, decimal_places=2)
BALANCE = ExpressionWrapper(F("total") - F("credited_amount") - F("paid_amount"), output_field=MONEY)


def sold_orders(user=None, start=None, end=None):
    qs = SalesOrder.objects.orders().filter(status__in=SOLD_STATES)
    if user is not None:
        qs = qs.for_user(user)
    if start:
        qs = qs.filter(order_date__gte=start)
    if end:
        qs = qs.filter(order_date__lt=end)
    return qs


# --------------------------------------------------------------------------- balances and receivables


def customer_balance(customer) -> dict:
    """What the customer owes over its orders, less the credit it has left (money it paid that no order owes):
    a negative balance is money owed to the customer."""
    today = timezone.localdate()
    agg = SalesOrder.objects.orders().filter(customer=customer, status__in=SOLD_STATES).aggregate(
        amount=Coalesce(Sum("total"), ZERO), paid=Coalesce(Sum("paid_amount"), ZERO),
        credited=Coalesce(Sum("credited_amount"), ZERO),
        balance=Coalesce(Sum(BALANCE), ZERO),
        overdue=Coalesce(Sum(BALANCE, filter=Q(due_date__lt=today)), ZERO))
    agg["credit"] = CustomerCredit.objects.filter(customer=customer).aggregate(
        s=Coalesce(Sum("remaining"), ZERO))["s"]
    agg["balance"] -= agg["credit"]
    return agg


AGEING_BUCKETS = [("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("90+", 91, None)]


def receivables_ageing(user, today=None):
    """Open balances of shipped orders by customer, aged by days since the invoice (first shipment):
    0-30, 31-60, 61-90, 90+. One grouped query."""
    today = today or timezone.localdate()
    cases = {}
    for key, low, high in AGEING_BUCKETS:
        newest = today - timedelta(days=low)
        cond = Q(shipped_at__date__lte=newest)
        if high is not None:
            cond &= Q(shipped_at__date__gte=today - timedelta(days=high))
        cases[f"b_{key.replace('-', '_').replace('+', 'p')}"] = Coalesce(Sum(BALANCE, filter=cond), ZERO)
    qs = (SalesOrder.objects.orders().for_user(user).filter(status__in=INVOICED_STATES)
          .exclude(status=OrderStatus.CLOSED)
          .annotate(bal=BALANCE).filter(bal__gt=0)
          .values("customer_id", "customer__name")
          .annotate(open_balance=Sum(BALANCE), overdue=Coalesce(Sum(BALANCE, filter=Q(due_date__lt=today)), ZERO),
                    orders=Count("pk"), **cases)
          .order_by("-open_balance"))
    return qs


def ageing_totals(rows) -> dict:
    keys = ["open_balance", "overdue", "b_0_30", "b_31_60", "b_61_90", "b_90p"]
    return {k: sum((r[k] or ZERO) for r in rows) for k in keys}


def credit_balances(user) -> list[dict]:
    """Customers with credit left (money they paid that no order owes), largest first: one grouped query."""
    return list(CustomerCredit.objects.for_user(user).filter(remaining__gt=0)
                .values("customer_id", "customer__name")
                .annotate(credit=Sum("remaining"), credits=Count("pk")).order_by("-credit")[:500])


def customer_statement(customer, user) -> dict:
    """The customer's statement (对账单): open orders and their balances, returns, credit and refunds."""
    orders = [o for o in SalesOrder.objects.for_user(user).orders()
              .filter(customer=customer, status__in=INVOICED_STATES).exclude(status=OrderStatus.CLOSED)
              .order_by("order_date", "pk") if o.balance != 0]
    returns = list(OrderReturn.objects.filter(order__customer=customer, order__in=SalesOrder.objects.for_user(user))
                   .select_related("order").order_by("created_at", "pk"))
    credits = list(CustomerCredit.objects.for_user(user).filter(customer=customer).select_related("order")
                   .prefetch_related("applications__order").order_by("created_at", "pk"))
    refunds = list(Refund.objects.filter(credit__in=credits).select_related("credit", "decided_by")
                   .order_by("requested_at", "pk"))
    open_balance = sum((o.balance for o in orders), ZERO)
    credit_left = sum((c.remaining for c in credits), ZERO)
    return {"orders": orders, "returns": returns, "credits": credits, "refunds": refunds,
            "open_balance": open_balance, "credit_left": credit_left, "net": open_balance - credit_left,
            "refunded": sum((r.amount for r in refunds if r.status == RefundStatus.PAID), ZERO),
            "refund_waiting": sum((r.amount for r in refunds if r.status == RefundStatus.REQUESTED), ZERO)}


# --------------------------------------------------------------------------- the CRM customer page fragment

def customer_purchases(customer, user) -> dict:
    """What the CRM customer page shows: recent orders, amounts, last order date, top products, balance."""
    orders = SalesOrder.objects.orders().for_user(user).filter(customer=customer)
    sold = orders.filter(status__in=SOLD_STATES)
    summary = sold.aggregate(count=Count("pk"), revenue=Coalesce(Sum("net_total"), ZERO),
                             amount=Coalesce(Sum("total"), ZERO), last=Max("order_date"),
                             balance=Coalesce(Sum(BALANCE), ZERO),
                             overdue=Coalesce(Sum(BALANCE, filter=Q(due_date__lt=timezone.localdate())), ZERO))
    top = (OrderLine.objects.filter(order__in=sold).values("product_id", "product__sku", "product__name_zh",
                                                           "product__name_en")
           .annotate(qty=Sum("base_quantity"), revenue=Sum("net_amount")).order_by("-revenue")[:5])
    recent = orders.select_related("salesperson").order_by("-order_date", "-pk")[:8]
    return {"summary": summary, "top_products": list(top), "recent": list(recent)}


def last_order_date_expression():
    """The date of a customer's newest sold order, correlated on the customer row (`OuterRef("pk")`): the
    CRM keeps it on the customer (crm.services.set_last_order_dates) so its list filters and sorts by it."""
    newest = (SalesOrder.objects.orders().filter(customer_id=OuterRef("pk"), status__in=SOLD_STATES)
              .order_by("-order_date").values("order_date")[:1])
    return Subquery(newest)


# --------------------------------------------------------------------------- analytics

GRAINS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def default_period(today=None):
    today = today or timezone.localdate()
    start = date(today.year - 1, today.month, 1) + timedelta(days=31)
    start = start.replace(day=1)
    return start, today + timedelta(days=1)


class Source:
    """Where the analytics read: the sales rollups (`ROLLUP`, every page) or the orders and their lines (`RAW`, the
    reference the rollups are tested against). Both give the same rows with the same keys. `orders_of` gives rows
    with the customer and the day, `customers_of` rows with the customer that may lack the day (their newest day is
    `last_day`), `months_of` rows that may lack both (grouped by salesperson or period only), `lines_of` the
    product figures."""

    def __init__(self, orders, lines, day, n_orders, revenue, cost, n_lines, qty, line_revenue, line_cost,
                 months=None, customers=None, last_day=None):
        self.orders_of, self.lines_of, self.day = orders, lines, day
        self.months_of = months or orders
        self.customers_of, self.last_day = customers or orders, last_day or day
        self.n_orders, self.revenue, self.cost = n_orders, revenue, cost
        self.n_lines, self.qty, self.line_revenue, self.line_cost = n_lines, qty, line_revenue, line_cost


def _raw_orders(user, start, end):
    return sold_orders(user, start, end)


def _raw_lines(user, start, end):
    return OrderLine.objects.filter(order__in=sold_orders(user, start, end))


DAY = DateField()


def _next_month(day):
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def whole_months(start, end):
    """The months [first, last) whose monthly rollup rows hold exactly the sales of [start, end), or None when a
    sale lies in a month the period cuts (between the start of its first month and `start`, or between `end` and
    the end of its last month): then only the daily rows answer. One indexed EXISTS."""
    from .models import SalesDay

    first = start.replace(day=1) if start else None
    last = (end if end.day == 1 else _next_month(end)) if end else None
    cuts = []
    if start and first < start:
        cuts.append(Q(day__gte=first, day__lt=start))
    if end and end < last:
        cuts.append(Q(day__gte=end, day__lt=last))
    if cuts and SalesDay.objects.filter(Q(*cuts, _connector=Q.OR)).exists():
        return None
    return first, last


def _rollup(kind, user, start, end, months=None):
    """The rollup rows of `kind` ("orders": by day and customer; "customers": by customer; "months": by salesperson;
    "lines": by product) of the sold orders `user` may see in [start, end): the monthly tables where they answer
    exactly (whole months as far as the sales go; by customer and by product only for users who see every order, the
    monthly tables having no salesperson), else the daily ones. `months`: `whole_months(start, end)` if known."""
    from .models import CustomerSalesMonth, ProductSalesDay, ProductSalesMonth, SalesDay, SalesMonth

    monthly = {"months": SalesMonth, "customers": CustomerSalesMonth, "lines": ProductSalesMonth}
    start, end = (DAY.to_python(v) if v else v for v in (start, end))  # datetimes (CRM) as the day filter reads them
    sees_all = user is None or user.has_perm("orders.view_all_salesorders")
    if months is None and (kind == "months" or (kind in monthly and sees_all)):
        months = whole_months(start, end)
    if months:
        qs = monthly[kind].objects.alias(day=F("month"))
        start, end = months
    else:
        qs = ProductSalesDay.objects.all() if kind == "lines" else SalesDay.objects.alias(last_day=F("day"))
    if not sees_all:
        qs = qs.filter(salesperson_id=user.pk) if user.is_authenticated else qs.none()
    if start:
        qs = qs.filter(day__gte=start)
    if end:
        qs = qs.filter(day__lt=end)
    return qs


RAW = Source(_raw_orders, _raw_lines, "order_date", Count("pk"), "net_total", "cost_total", Count("pk"),
             F("base_quantity") - F("returned_quantity"), "net_amount", "cost_amount")
ROLLUP = Source(lambda u, s, e: _rollup("orders", u, s, e), lambda u, s, e: _rollup("lines", u, s, e), "day",
                Sum("n_orders"), "net", "cost", Sum("n_lines"), F("quantity"), "net", "cost",
                months=lambda u, s, e: _rollup("months", u, s, e),
                customers=lambda u, s, e: _rollup("customers", u, s, e), last_day="last_day")


def _order_figures(src, margin=False):
    out = {"orders": src.n_orders, "revenue": Sum(src.revenue)}
    if margin:
        out["margin"] = Sum(F(src.revenue) - F(src.cost))
    return out


def revenue_by_period(user, start, end, grain="month", *, src=ROLLUP):
    trunc = GRAINS.get(grain, TruncMonth)
    rows = src.months_of if trunc is TruncMonth else src.orders_of
    return list(rows(user, start, end).annotate(period=trunc(src.day)).values("period")
                .annotate(**_order_figures(src)).order_by("period"))


def revenue_by_salesperson(user, start, end, *, src=ROLLUP):
    return list(src.months_of(user, start, end)
                .values("salesperson_id", "salesperson__username", "salesperson__first_name",
                        "salesperson__last_name")
                .annotate(**_order_figures(src, margin=True))
                .order_by("-revenue", "salesperson__username"))


def revenue_by_region(user, start, end, *, src=ROLLUP):
    return list(src.customers_of(user, start, end).values("customer__province")
                .annotate(**_order_figures(src)).order_by("-revenue", "customer__province"))


def revenue_by_customer_type(user, start, end, *, src=ROLLUP):
    return list(src.customers_of(user, start, end).values("customer__customer_type")
                .annotate(**_order_figures(src)).order_by("-revenue", "customer__customer_type"))


def revenue_by_category(user, start, end, *, src=ROLLUP):
    return list(src.lines_of(user, start, end)
                .values("product__category_id", "product__category__name_zh", "product__category__name_en")
                .annotate(lines=src.n_lines, revenue=Sum(src.line_revenue))
                .order_by("-revenue", "product__category_id"))


RANKINGS = {"qty": "qty", "revenue": "revenue", "margin": "margin"}


def product_ranking(user, start, end, by="revenue", limit=20, *, src=ROLLUP):
    order = RANKINGS.get(by, "revenue")
    return list(src.lines_of(user, start, end)
                .values("product_id", "product__sku", "product__name_zh", "product__name_en")
                .annotate(qty=Sum(src.qty), revenue=Sum(src.line_revenue),
                          margin=Sum(F(src.line_revenue) - F(src.line_cost)))
                .order_by(f"-{order}", "product__sku")[:limit])


def revenue_by_source(user, start, end, *, src=ROLLUP):
    """Per customer source channel: orders, net revenue and the number of customers who bought."""
    return list(src.customers_of(user, start, end).values("customer__source")
                .annotate(**_order_figures(src), buyers=Count("customer_id", distinct=True))
                .order_by("-revenue", "customer__source"))


def revenue_by_customer(user, start, end, limit=20, *, src=ROLLUP):
    """The customers with the most net revenue in the period, with their orders and last order date."""
    return list(src.customers_of(user, start, end)
                .values("customer_id", "customer__name", "customer__source", "customer__owner_id")
                .annotate(**_order_figures(src), last_order=Max(src.last_day))
                .order_by("-revenue", "customer__name", "customer_id")[:limit])


def crm_sales_figures(user, start, end, *, src=ROLLUP) -> dict:
    """The revenue columns of the CRM sales analytics (answer to crm.signals.sales_figures): 3 grouped queries."""
    return {
        "reps": {r["salesperson_id"]: {"orders": r["orders"], "revenue": r["revenue"] or ZERO}
                 for r in revenue_by_salesperson(user, start, end, src=src)},
        "sources": {r["customer__source"]: {"orders": r["orders"], "revenue": r["revenue"] or ZERO,
                                            "buyers": r["buyers"]}
                    for r in revenue_by_source(user, start, end, src=src)},
        "customers": [{"customer_id": r["customer_id"], "name": r["customer__name"],
                       "source": r["customer__source"], "owner_id": r["customer__owner_id"], "orders": r["orders"],
                       "revenue": r["revenue"] or ZERO, "last_order": r["last_order"]}
                      for r in revenue_by_customer(user, start, end, src=src)],
    }


def top_customers(user, start, end, limit=10, *, src=ROLLUP):
    return list(src.customers_of(user, start, end).values("customer_id", "customer__name")
                .annotate(**_order_figures(src)).order_by("-revenue", "customer__name", "customer_id")[:limit])


def _rollup_parts(kind, user, start, end):
    """The rollup querysets whose rows, added together, are the sales of `kind` ("customers" or "lines") that `user`
    may see in [start, end): `_rollup`'s rows, except when the period cuts a month with sales for a user who sees
    every order: then the monthly rows of the months the period holds whole and the daily rows of the days it takes
    from the others (a period from the 15th to the 10th reads ten or eleven months and about a month of days)."""
    from .models import CustomerSalesMonth, ProductSalesDay, ProductSalesMonth, SalesDay

    if not (user is None or user.has_perm("orders.view_all_salesorders")):
        return [_rollup(kind, user, start, end)]
    start, end = (DAY.to_python(v) if v else v for v in (start, end))
    monthly, daily = {"customers": (CustomerSalesMonth, SalesDay), "lines": (ProductSalesMonth, ProductSalesDay)}[kind]
    months = whole_months(start, end)
    first = None if start is None else start if start.day == 1 else _next_month(start)
    last = None if end is None else end.replace(day=1)
    if months or (first and last and first >= last):  # no cut month with sales, or no whole month
        return [_rollup(kind, user, start, end, months=months)]
    whole, edges = monthly.objects.all(), []
    if first:
        whole = whole.filter(month__gte=first)
        if start < first:
            edges.append(Q(day__gte=start, day__lt=first))
    if last:
        whole = whole.filter(month__lt=last)
        if last < end:
            edges.append(Q(day__gte=last, day__lt=end))
    return [whole, daily.objects.filter(Q(*edges, _connector=Q.OR))] if edges else [whole]


def _combined(parts, key, sums, sql, params):
    """Run `sql` with `t` as a materialised CTE: the grouped querysets `parts` (one per rollup table read, each
    grouped by `key` with the columns `sums`, {name: SQL type}) added together by `key`."""
    compiled = [p.query.sql_with_params() for p in parts]
    inner_params = [v for _sql, ps in compiled for v in ps]
    if len(compiled) == 1:
        inner = compiled[0][0]
    else:
        union = " UNION ALL ".join(f"({q})" for q, _ps in compiled)
        columns = ", ".join(f"sum(u.{c})::{t} AS {c}" for c, t in sums.items())
        inner = f"SELECT u.{key}, {columns} FROM ({union}) u GROUP BY u.{key}"  # noqa: S608  # nosec B608 (compiled)
    with connection.cursor() as cur:
        cur.execute(f"WITH t AS MATERIALIZED ({inner}) {sql}", [*inner_params, *params])
        return cur.fetchall()


def customer_charts(user, start, end, limit=10, *, src=ROLLUP) -> dict:
    """The page's three customer charts, {"region", "customer_type", "customers"}: the rows of `revenue_by_region`,
    `revenue_by_customer_type` and `top_customers`. Over the rollups in one pass: each customer's figures summed
    once (the monthly rows of whole months, the daily rows of the days the period cuts: `_rollup_parts`), then
    grouped by the customer's province and type and ranked, in one statement (PostgreSQL); over the raw lines (and
    on SQLite, the embedded default), the three selectors."""
    if src is not ROLLUP or connection.vendor != "postgresql":
        return {"region": revenue_by_region(user, start, end, src=src),
                "customer_type": revenue_by_customer_type(user, start, end, src=src),
                "customers": top_customers(user, start, end, limit, src=src)}
    from crm.models import Customer

    totals = [part.values("customer_id").order_by().annotate(orders=src.n_orders, revenue=Sum(src.revenue))
              for part in _rollup_parts("customers", user, start, end)]
    customer = connection.ops.quote_name(Customer._meta.db_table)
    rows = _combined(totals, "customer_id", {"orders": "bigint", "revenue": "numeric"}, f"""
        , j AS (SELECT t.customer_id, t.orders, t.revenue, c.province, c.customer_type, c.name
                FROM t JOIN {customer} c ON c.id = t.customer_id)
        (SELECT 0, j.province, NULL::bigint, NULL::text, sum(j.orders)::bigint, sum(j.revenue) FROM j
         GROUP BY j.province)
        UNION ALL (SELECT 1, j.customer_type, NULL, NULL, sum(j.orders)::bigint, sum(j.revenue) FROM j
                   GROUP BY j.customer_type)
        UNION ALL (SELECT 2, NULL, j.customer_id, j.name, j.orders, j.revenue FROM j
                   ORDER BY j.revenue DESC, j.name, j.customer_id LIMIT %s)
        ORDER BY 1, 6 DESC, 2, 4, 3""", [limit])  # noqa: S608  # nosec B608 (a table name from the model; values bound)
    out = {"region": [], "customer_type": [], "customers": []}
    for part, key, pk, name, orders, revenue in rows:
        if part == 0:
            out["region"].append({"customer__province": key, "orders": orders, "revenue": revenue})
        elif part == 1:
            out["customer_type"].append({"customer__customer_type": key, "orders": orders, "revenue": revenue})
        else:
            out["customers"].append({"customer_id": pk, "customer__name": name, "orders": orders, "revenue": revenue})
    return out


def product_charts(user, start, end, by="revenue", limit=20, *, src=ROLLUP) -> dict:
    """The page's two product charts, {"category", "products"}: the rows of `revenue_by_category` and
    `product_ranking`. Over the rollups in one pass (each product's figures summed once, then grouped by category and
    ranked, in one statement: PostgreSQL); over the raw lines (and on SQLite), the two selectors."""
    if src is not ROLLUP or connection.vendor != "postgresql":
        return {"category": revenue_by_category(user, start, end, src=src),
                "products": product_ranking(user, start, end, by, limit, src=src)}
    from inventory.models import Category, Product

    order = RANKINGS.get(by, "revenue")
    totals = [part.values("product_id").order_by()
              .annotate(lines=src.n_lines, qty=Sum(src.qty), revenue=Sum(src.line_revenue),
                        margin=Sum(F(src.line_revenue) - F(src.line_cost)))
              for part in _rollup_parts("lines", user, start, end)]
    product, category = (connection.ops.quote_name(m._meta.db_table) for m in (Product, Category))
    rows = _combined(totals, "product_id", dict.fromkeys(("lines", "qty", "revenue", "margin"), "numeric"), f"""
        , j AS (SELECT t.*, p.sku, p.name_zh, p.name_en, p.category_id FROM t JOIN {product} p ON p.id = t.product_id)
        (SELECT 0, j.category_id, NULL::bigint, NULL::text, k.name_zh, k.name_en, sum(j.lines)::bigint,
                NULL::numeric, sum(j.revenue), NULL::numeric, sum(j.revenue)
         FROM j LEFT JOIN {category} k ON k.id = j.category_id GROUP BY j.category_id, k.name_zh, k.name_en)
        UNION ALL (SELECT 1, NULL, j.product_id, j.sku, j.name_zh, j.name_en, NULL, j.qty, j.revenue, j.margin,
                          j.{order} FROM j ORDER BY j.{order} DESC, j.sku LIMIT %s)
        ORDER BY 1, 11 DESC, 2, 4""", [limit])  # noqa: S608  # nosec B608 (names from the models and RANKINGS)
    out = {"category": [], "products": []}
    for part, category_id, pk, sku, name_zh, name_en, lines, qty, revenue, margin, _rank in rows:
        if part == 0:
            out["category"].append({"product__category_id": category_id, "product__category__name_zh": name_zh,
                                    "product__category__name_en": name_en, "lines": lines, "revenue": revenue})
        else:
            out["products"].append({"product_id": pk, "product__sku": sku, "product__name_zh": name_zh,
                                    "product__name_en": name_en, "qty": qty, "revenue": revenue, "margin": margin})
    return out


def _hours(value):
    return round(value.total_seconds() / 3600, 1) if value is not None else None


def headline(user, start, end, *, src=ROLLUP) -> dict:
    if src is RAW:
        hours = ExpressionWrapper(F("shipped_at") - F("approved_at"), output_field=DurationField())
        transit = ExpressionWrapper(F("delivered_at") - F("shipped_at"), output_field=DurationField())
        agg = sold_orders(user, start, end).aggregate(
            orders=Count("pk"), revenue=Coalesce(Sum("net_total"), ZERO), average=Avg("net_total"),
            margin=Coalesce(Sum(F("net_total") - F("cost_total")), ZERO),
            approval_to_shipment=Avg(hours, filter=Q(shipped_at__isnull=False, approved_at__isnull=False)),
            shipment_to_delivery=Avg(transit, filter=Q(delivered_at__isnull=False, shipped_at__isnull=False)))
    else:
        agg = src.months_of(user, start, end).aggregate(
            orders=Coalesce(Sum("n_orders"), 0), revenue=Coalesce(Sum("net"), ZERO),
            margin=Coalesce(Sum(F("net") - F("cost")), ZERO),
            a=Sum("approval_to_shipment"), a_n=Sum("approval_to_shipment_n"),
            d=Sum("shipment_to_delivery"), d_n=Sum("shipment_to_delivery_n"))
        agg["average"] = (agg["revenue"] / agg["orders"]) if agg["orders"] else None
        for key, total, n in (("approval_to_shipment", "a", "a_n"), ("shipment_to_delivery", "d", "d_n")):
            total, n = agg.pop(total), agg.pop(n)
            agg[key] = total / n if n else None
    for k in ("approval_to_shipment", "shipment_to_delivery"):
        agg[f"{k}_hours"] = _hours(agg[k])
    return agg


def sales_by_rep_month(user, start, end, *, src=ROLLUP):
    """Net revenue per salesperson per month: [{"salesperson_id", "name", "month", "orders", "revenue"}].
    The CRM sales analytics may show it through the `orders:rep_month_fragment` URL."""
    rows = (src.months_of(user, start, end).annotate(period=TruncMonth(src.day))
            .values("salesperson_id", "salesperson__username", "salesperson__first_name", "salesperson__last_name",
                    "period").annotate(**_order_figures(src))
            .order_by("salesperson__username", "period"))
    out = []
    for r in rows:
        name = f"{r['salesperson__last_name']}{r['salesperson__first_name']}".strip() or r["salesperson__username"]
        out.append({"salesperson_id": r["salesperson_id"], "name": name, "month": r["period"],
                    "orders": r["orders"], "revenue": r["revenue"]})
    return out


def review_queue(user):
    """Submitted orders with a review step waiting for this user's role (Sales Manager: discount, margin, stock;
    Finance: credit, overdue), not the user's own orders, and not those where the user decided the other step."""
    roles = [role for role, perm in REVIEW_PERMISSION.items() if user.has_perm(perm)]
    if not roles:
        return SalesOrder.objects.none()
    return (SalesOrder.objects.orders().filter(status=OrderStatus.SUBMITTED)
            .exclude(created_by=user).exclude(salesperson=user)
            .filter(review_steps__status=StepStatus.PENDING, review_steps__role__in=roles)
            .exclude(review_steps__decided_by=user)
            .distinct()
            .select_related("customer", "salesperson")
            .prefetch_related(Prefetch("review_steps", queryset=ReviewStep.objects.select_related("decided_by")))
            .order_by("submitted_at", "pk"))


# --------------------------------------------------------------------------- KPI evidence (performance reads these)


def kpi_order_entry_timeliness(user, start, end) -> list[dict]:
    """Orders the user entered in the period: submitted within 24 h of being created."""
    rows = (SalesOrder.objects.orders().filter(created_by=user, submitted_at__gte=start, submitted_at__lt=end)
            .values("pk", "number", "created_at", "submitted_at"))
    out = []
    for r in rows:
        hours = (r["submitted_at"] - r["created_at"]).total_seconds() / 3600
        out.append({"model": "orders.salesorder", "id": r["pk"], "label": r["number"],
                    "url": reverse("orders:order", args=[r["pk"]]), "ok": hours <= 24, "value": round(hours, 1),
                    "detail": _("created %(created)s, submitted %(submitted)s") % {
                        "created": f"{timezone.localtime(r['created_at']):%m-%d %H:%M}",
                        "submitted": f"{timezone.localtime(r['submitted_at']):%m-%d %H:%M}"}})
    return out


def kpi_approval_lead_time(user, start, end) -> list[dict]:
    """Orders the user approved or rejected in the period: hours from submission to the decision (value).

    Approvals come from the order (approved_by, approved_at); rejections from the order's events, each
    measured from the submission it answered (the latest submission before it)."""
    rows = (SalesOrder.objects.orders().filter(approved_by=user, approved_at__gte=start, approved_at__lt=end,
                                               submitted_at__isnull=False)
            .values("pk", "number", "submitted_at", "approved_at"))
    approved = _("submitted %(submitted)s, approved %(decided)s")
    rejected = _("submitted %(submitted)s, rejected %(decided)s")
    decisions = [(r["pk"], r["number"], r["submitted_at"], r["approved_at"], approved) for r in rows]
    submitted = (OrderEvent.objects.filter(order_id=OuterRef("order_id"), to_status=OrderStatus.SUBMITTED,
                                           at__lte=OuterRef("at")).order_by("-at", "-pk").values("at")[:1])
    for e in (OrderEvent.objects.filter(actor=user, to_status=OrderStatus.REJECTED, at__gte=start, at__lt=end,
                                        order__kind=DocKind.ORDER)
              .annotate(submitted=Subquery(submitted)).filter(submitted__isnull=False)
              .values("order_id", "order__number", "submitted", "at")):
        decisions.append((e["order_id"], e["order__number"], e["submitted"], e["at"], rejected))
    decisions.sort(key=lambda d: (d[3], d[0]))
    return [{"model": "orders.salesorder", "id": pk, "label": number,
             "url": reverse("orders:order", args=[pk]), "ok": True,
             "value": round((decided - submitted).total_seconds() / 3600, 1),
             "detail": detail % {"submitted": f"{timezone.localtime(submitted):%m-%d %H:%M}",
                                 "decided": f"{timezone.localtime(decided):%m-%d %H:%M}"}}
            for pk, number, submitted, decided, detail in decisions]


def kpi_shipping_lead_time(user, start, end) -> list[dict]:
    """Shipments the user made in the period: hours from the order's approval to this shipment (value)."""
    rows = (Shipment.objects.filter(created_by=user, shipped_at__gte=start, shipped_at__lt=end,
                                    order__approved_at__isnull=False)
            .values("pk", "number", "order_id", "shipped_at", "order__approved_at"))
    return [{"model": "orders.shipment", "id": r["pk"], "label": r["number"],
             "url": reverse("orders:order", args=[r["order_id"]]), "ok": True,
             "value": round((r["shipped_at"] - r["order__approved_at"]).total_seconds() / 3600, 1),
             "detail": _("approved %(approved)s, shipped %(shipped)s") % {
                 "approved": f"{timezone.localtime(r['order__approved_at']):%m-%d %H:%M}",
                 "shipped": f"{timezone.localtime(r['shipped_at']):%m-%d %H:%M}"}} for r in rows]


def kpi_counts(user) -> dict:
    """Small numbers for the dashboard cards."""
    today = timezone.localdate()
    qs = SalesOrder.objects.orders().for_user(user)
    # three queries, each answered from an index: the open orders, this month's sales (from the daily rollup), and
    # the unpaid invoiced orders past due (paid and closed ones owe nothing; a covering index holds the balances of
    # the others)
    return {
        "open": qs.filter(status__in=[OrderStatus.SUBMITTED, OrderStatus.APPROVED, OrderStatus.PICKING,
                                      OrderStatus.PARTIALLY_SHIPPED]).count(),
        "month_revenue": _rollup("orders", user, today.replace(day=1), None).aggregate(  # the daily sales rollup
            v=Coalesce(Sum("net"), ZERO))["v"],
        "overdue": qs.filter(status__in=UNPAID_STATES, due_date__lt=today).aggregate(
            v=Coalesce(Sum(BALANCE), ZERO))["v"],
    }


def as_date(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def order_defaults(customer) -> dict:
    """What a new order for `customer` is filled with (the order form, on choosing the customer): the receiver and
    phone of the default delivery address (else the primary contact), the delivery address (else the customer's
    own), payment terms, the e-mail for status changes and the price level its lines are priced at."""
    addr = customer.addresses.order_by("-is_default", "pk").first()
    contact = customer.contacts.order_by("-is_primary", "pk").first()
    own = " ".join(p for p in (customer.province, customer.city, customer.district, customer.address) if p)
    return {
        "contact_name": (addr.recipient if addr and addr.recipient else (contact.name if contact else "")),
        "contact_phone": (addr.phone if addr and addr.phone else
                          ((contact.mobile or contact.landline) if contact else "") or customer.phone),
        "delivery_address": (" ".join(p for p in (addr.province, addr.city, addr.district, addr.address) if p)
                             if addr else own),
        "payment_terms_days": customer.payment_terms_days,
        "customer_email": contact.email if contact else "",
        "level": customer.level, "level_label": str(customer.get_level_display()) if customer.level else "",
    }
