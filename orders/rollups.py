"""Keeping the daily sales rollups (`orders.models.rollups`) equal to the orders they sum.

    queue_refresh(order)            # in a service, for an order whose figures may have changed
    refresh([(day, customer_id)])   # the task: recompute those slices from the orders
    rebuild()                       # every day (manage.py rebuild_sales_rollup)

A slice is every row of one order date and one customer: recomputing it (two grouped queries over that
customer's sold orders of that day, on the `orders_customer_date` index) is idempotent and stays right whatever
changed in the orders (status, amounts, returns, shipment dates, salesperson, warehouse). The slices an
order touches are queued once per transaction, after commit, through the outbox; a customer merge queues the
slices of both customers.

The monthly tables follow in the same transaction. `ProductSalesMonth` takes the difference between a slice's
product rows after and before, added with `INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x` in (month,
product) order: additions commute, so two refreshes of different slices touching the same month and product need
no lock beyond the row's own. `SalesMonth` (a few hundred rows a year) is recomputed from `SalesDay` for each
(month, salesperson) a refresh touched, under a transaction-scoped advisory lock per pair taken after the slices'
locks, in one order: the second refresh of a pair waits for the first to commit and then sums both.
`CustomerSalesMonth` is recomputed the same way for each (month, customer) of the refreshed slices (the slices
name their customer, so the pairs are known before anything is read).
"""

import logging
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, Sum
from django.db.models.functions import TruncMonth

from hardware_erp.core.outbox import enqueue_batched

from .choices import SOLD_STATES
from .models import (
    CustomerSalesMonth,
    OrderLine,
    ProductSalesDay,
    ProductSalesMonth,
    SalesDay,
    SalesMonth,
    SalesOrder,
)

log = logging.getLogger(__name__)
TASK = "orders.refresh_sales_rollup_task"

APPROVAL_TO_SHIPMENT = ExpressionWrapper(F("shipped_at") - F("approved_at"), output_field=DurationField())
SHIPMENT_TO_DELIVERY = ExpressionWrapper(F("delivered_at") - F("shipped_at"), output_field=DurationField())
ORDER_KEYS = ("order_date", "customer_id", "salesperson_id", "warehouse_id")
LINE_KEYS = ("order__order_date", "product_id", "order__customer_id", "order__salesperson_id", "order__warehouse_id")


def _sold():
    return SalesOrder.objects.orders().filter(status__in=SOLD_STATES)


def _slice_filter(slices, day_field):
    """Rows of these (day, customer id) slices: one condition per day with its customers."""
    by_day = {}
    for day, customer_id in slices:
        by_day.setdefault(day, set()).add(customer_id)
    cond = Q()
    for day, customers in by_day.items():
        cond |= Q(**{day_field: day, "customer_id__in": sorted(customers)})
    return cond


def _rows(orders, lines):
    """The rollup rows of these sold orders and their lines (not saved)."""
    days = []
    for r in (orders.values(*ORDER_KEYS).order_by()
              .annotate(n=Count("pk"), revenue=Sum("net_total"), cost=Sum("cost_total"),
                        a=Sum(APPROVAL_TO_SHIPMENT, filter=Q(shipped_at__isnull=False, approved_at__isnull=False)),
                        a_n=Count("pk", filter=Q(shipped_at__isnull=False, approved_at__isnull=False)),
                        d=Sum(SHIPMENT_TO_DELIVERY, filter=Q(delivered_at__isnull=False, shipped_at__isnull=False)),
                        d_n=Count("pk", filter=Q(delivered_at__isnull=False, shipped_at__isnull=False)))):
        days.append(SalesDay(day=r["order_date"], customer_id=r["customer_id"], salesperson_id=r["salesperson_id"],
                             warehouse_id=r["warehouse_id"], n_orders=r["n"], net=r["revenue"], cost=r["cost"],
                             approval_to_shipment=r["a"], approval_to_shipment_n=r["a_n"],
                             shipment_to_delivery=r["d"], shipment_to_delivery_n=r["d_n"]))
    products = []
    for r in (lines.values(*LINE_KEYS).order_by()
              .annotate(n=Count("pk"), orders=Count("order_id", distinct=True),
                        qty=Sum(F("base_quantity") - F("returned_quantity")), revenue=Sum("net_amount"),
                        cost=Sum("cost_amount"))):
        products.append(ProductSalesDay(
            day=r["order__order_date"], product_id=r["product_id"], customer_id=r["order__customer_id"],
            salesperson_id=r["order__salesperson_id"], warehouse_id=r["order__warehouse_id"], n_lines=r["n"],
            n_orders=r["orders"], quantity=r["qty"], net=r["revenue"], cost=r["cost"]))
    return days, products


def _lock(slices):
    """Serialise refreshes of the same slices (PostgreSQL: transaction-scoped advisory locks, in one order)."""
    if connection.vendor != "postgresql":
        return
    keys = sorted({(d.toordinal() << 32) | (c & 0xFFFFFFFF) for d, c in slices})
    with connection.cursor() as cur:
        for key in keys:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _month(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


MONTH_LOCK_SPACE = 1_900_000  # the two-key advisory locks of (month, salesperson): (this + month index, user id)
CUSTOMER_MONTH_LOCK_SPACE = 2_000_000  # and of (month, customer): (this + month index, customer id)
PRODUCT_SUMS = ("n_lines", "quantity", "net", "cost")
SALES_MONTH_SUMS = {name: Sum(name) for name in (
    "n_orders", "net", "cost", "approval_to_shipment", "approval_to_shipment_n", "shipment_to_delivery",
    "shipment_to_delivery_n")}


def _product_months(rows):
    """{(month, product id): [n_lines, quantity, net, cost]} of ProductSalesDay rows (instances or dicts)."""
    out = {}
    for r in rows:
        get = r.get if isinstance(r, dict) else r.__dict__.get
        key = (_month(get("day")), get("product_id"))
        acc = out.setdefault(key, [0, 0, 0, 0])
        for i, name in enumerate(PRODUCT_SUMS):
            acc[i] += get(name) or 0
    return out


def _add_product_months(before, after):
    """Add (after − before) to ProductSalesMonth, in (month, product) order; drop the rows left with no line."""
    keys = sorted(set(before) | set(after))
    deltas = []
    for key in keys:
        b, a = before.get(key, [0, 0, 0, 0]), after.get(key, [0, 0, 0, 0])
        d = [x - y for x, y in zip(a, b, strict=True)]
        if any(d):
            deltas.append((*key, *d))
    if not deltas:
        return
    meta = ProductSalesMonth._meta
    table, cols = meta.db_table, ["month", "product_id", *PRODUCT_SUMS]
    qn = connection.ops.quote_name
    fields = [meta.get_field(c) for c in ("month", "product", *PRODUCT_SUMS)]
    sets = ", ".join(f"{qn(c)} = {qn(table)}.{qn(c)} + excluded.{qn(c)}" for c in PRODUCT_SUMS)
    with connection.cursor() as cur:
        for i in range(0, len(deltas), 1000):
            chunk = deltas[i:i + 1000]
            values = ", ".join(["(" + ", ".join(["%s"] * len(cols)) + ")"] * len(chunk))
            params = [f.get_db_prep_value(v, connection) for row in chunk for f, v in zip(fields, row, strict=True)]
            cur.execute(f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in cols)}) VALUES {values} "  # noqa: S608  # nosec B608 (names from the model's metadata, every value bound)
                        f"ON CONFLICT ({qn('month')}, {qn('product_id')}) DO UPDATE SET {sets}", params)
    touched = Q()
    for month in {k[0] for k in keys}:
        touched |= Q(month=month, product_id__in=sorted({k[1] for k in keys if k[0] == month}))
    ProductSalesMonth.objects.filter(touched, n_lines=0).delete()


def _lock_months(space, pairs):
    """Transaction-scoped advisory locks (PostgreSQL) on these (month, id) pairs, taken in one order."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for month, key in pairs:
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [space + month.year * 12 + month.month, key or 0])


def _refresh_sales_months(pairs):
    """Recompute the SalesMonth rows of these (month, salesperson id) pairs from SalesDay, each pair under an
    advisory lock (PostgreSQL) taken in one order."""
    pairs = sorted(pairs, key=lambda p: (p[0], p[1] or 0))
    if not pairs:
        return
    _lock_months(MONTH_LOCK_SPACE, pairs)
    cond = Q()
    for month, rep in pairs:
        cond |= Q(day__gte=month, day__lt=_next_month(month), salesperson_id=rep)
    SalesMonth.objects.filter(Q(*[Q(month=m, salesperson_id=r) for m, r in pairs], _connector=Q.OR)).delete()
    SalesMonth.objects.bulk_create(_sales_months(SalesDay.objects.filter(cond)))


def _refresh_customer_months(pairs):
    """Recompute the CustomerSalesMonth rows of these (month, customer id) pairs from SalesDay, under advisory
    locks taken in one order (two refreshes of different days of one customer's month: the second waits for the
    first to commit, then sums both)."""
    pairs = sorted(pairs)
    if not pairs:
        return
    _lock_months(CUSTOMER_MONTH_LOCK_SPACE, pairs)
    by_month = {}
    for month, customer_id in pairs:
        by_month.setdefault(month, []).append(customer_id)
    cond = Q(*[Q(day__gte=m, day__lt=_next_month(m), customer_id__in=ids) for m, ids in by_month.items()],
             _connector=Q.OR)
    CustomerSalesMonth.objects.filter(Q(*[Q(month=m, customer_id__in=ids) for m, ids in by_month.items()],
                                        _connector=Q.OR)).delete()
    CustomerSalesMonth.objects.bulk_create(_customer_months(SalesDay.objects.filter(cond)), batch_size=5000)


def _customer_months(days):
    """CustomerSalesMonth rows (not saved) summing these SalesDay rows."""
    return [CustomerSalesMonth(month=r.pop("m"), **r) for r in (
        days.annotate(m=TruncMonth("day")).values("m", "customer_id").order_by()
        .annotate(n_orders=Sum("n_orders"), net=Sum("net"), cost=Sum("cost"), last_day=Max("day")))]


def _sales_months(days):
    """SalesMonth rows (not saved) summing these SalesDay rows."""
    return [SalesMonth(month=r.pop("m"), **r) for r in days.annotate(m=TruncMonth("day")).values("m", "salesperson_id")
            .order_by().annotate(**SALES_MONTH_SUMS)]


@transaction.atomic
def refresh(slices) -> int:
    """Recompute the rollup rows of the (day, customer id) `slices` from the orders. Returns rows written."""
    slices = {(d if isinstance(d, date) else date.fromisoformat(d), int(c)) for d, c in slices}
    if not slices:
        return 0
    _lock(slices)
    old_days = SalesDay.objects.filter(_slice_filter(slices, "day"))
    reps = {(_month(d), r) for d, r in old_days.values_list("day", "salesperson_id")}
    old_days.delete()
    old_products = ProductSalesDay.objects.filter(_slice_filter(slices, "day"))
    before = _product_months(old_products.values("day", "product_id", *PRODUCT_SUMS))
    old_products.delete()
    orders = _sold().filter(_slice_filter(slices, "order_date"))
    lines = OrderLine.objects.filter(order__in=orders)
    days, products = _rows(orders, lines)
    SalesDay.objects.bulk_create(days, batch_size=2000)
    ProductSalesDay.objects.bulk_create(products, batch_size=2000)
    _add_product_months(before, _product_months(products))
    _refresh_sales_months(reps | {(_month(d.day), d.salesperson_id) for d in days})
    _refresh_customer_months({(_month(d), c) for d, c in slices})
    return len(days) + len(products)


def rebuild(*, start=None, end=None, log_to=None) -> int:
    """Recompute every rollup row (optionally of order dates in [start, end)), a month of days at a time."""
    orders = _sold()
    if start:
        orders = orders.filter(order_date__gte=start)
    if end:
        orders = orders.filter(order_date__lt=end)
    months = sorted({(d.year, d.month) for d in orders.values_list("order_date", flat=True).distinct()})
    written = 0
    with transaction.atomic():
        wipe = Q()
        if start:
            wipe &= Q(day__gte=start)
        if end:
            wipe &= Q(day__lt=end)
        SalesDay.objects.filter(wipe).delete()
        ProductSalesDay.objects.filter(wipe).delete()
    for year, month in months:
        first = date(year, month, 1)
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        with transaction.atomic():
            part = orders.filter(order_date__gte=first, order_date__lt=nxt)
            days, products = _rows(part, OrderLine.objects.filter(order__in=part))
            SalesDay.objects.bulk_create(days, batch_size=5000)
            ProductSalesDay.objects.bulk_create(products, batch_size=5000)
            written += len(days) + len(products)
        if log_to:
            log_to(f"{first:%Y-%m}: {len(days)} order rows, {len(products)} product rows")
    return written + _rebuild_months(start, end)


def _as_date(value):
    return value if value is None or isinstance(value, date) else date.fromisoformat(str(value))


@transaction.atomic
def _rebuild_months(start=None, end=None) -> int:
    """Recompute the monthly rows of every month [start, end) touches (all of them without bounds) from the daily
    rows. Returns rows written."""
    start, end = _as_date(start), _as_date(end)
    wipe = Q()
    if start:
        wipe &= Q(month__gte=_month(start))
    if end:
        wipe &= Q(month__lt=end)
    SalesMonth.objects.filter(wipe).delete()
    CustomerSalesMonth.objects.filter(wipe).delete()
    ProductSalesMonth.objects.filter(wipe).delete()
    days, lines = SalesDay.objects.all(), ProductSalesDay.objects.all()
    if start:
        days, lines = days.filter(day__gte=_month(start)), lines.filter(day__gte=_month(start))
    if end:
        nxt = end if end.day == 1 else _next_month(end)
        days, lines = days.filter(day__lt=nxt), lines.filter(day__lt=nxt)
    months = SalesMonth.objects.bulk_create(_sales_months(days), batch_size=5000)
    customers = CustomerSalesMonth.objects.bulk_create(_customer_months(days), batch_size=5000)
    products = ProductSalesMonth.objects.bulk_create([
        ProductSalesMonth(month=r["m"], product_id=r["product_id"], n_lines=r["n"], quantity=r["q"], net=r["net"],
                          cost=r["cost"])
        for r in (lines.annotate(m=TruncMonth("day")).values("m", "product_id").order_by()
                  .annotate(n=Sum("n_lines"), q=Sum("quantity"), net=Sum("net"), cost=Sum("cost")))],
        batch_size=5000)
    return len(months) + len(customers) + len(products)


def queue_refresh(*orders):
    """Queue the refresh of the slices of `orders` (instances, or (order date, customer id) pairs) once per
    transaction, after commit (`hardware_erp.core.outbox.enqueue_batched`)."""
    slices = set()
    for o in orders:
        if isinstance(o, SalesOrder):
            if o.kind == "order" and o.order_date and o.customer_id:
                slices.add((o.order_date.isoformat(), o.customer_id))
        else:
            slices.add((o[0].isoformat() if isinstance(o[0], date) else o[0], o[1]))
    enqueue_batched(TASK, slices)
