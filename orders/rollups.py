"""Keeping the daily sales rollups (`orders.models.rollups`) equal to the orders they sum.

    queue_refresh(order)            # in a service, for an order whose figures may have changed
    refresh([(day, customer_id)])   # the task: recompute those slices from the orders
    rebuild()                       # every day (manage.py rebuild_sales_rollup)

A slice is every row of one order date and one customer: recomputing it (two grouped queries over that
customer's sold orders of that day, on the `orders_customer_date` index) is idempotent and stays right whatever
changed in the orders (status, amounts, returns, shipment dates, salesperson, warehouse). The slices an
order touches are queued once per transaction, after commit, through the outbox; a customer merge queues the
slices of both customers.
"""

import logging
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum

from hardware_erp.core.outbox import enqueue_batched

from .choices import SOLD_STATES
from .models import OrderLine, ProductSalesDay, SalesDay, SalesOrder

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


@transaction.atomic
def refresh(slices) -> int:
    """Recompute the rollup rows of the (day, customer id) `slices` from the orders. Returns rows written."""
    slices = {(d if isinstance(d, date) else date.fromisoformat(d), int(c)) for d, c in slices}
    if not slices:
        return 0
    _lock(slices)
    SalesDay.objects.filter(_slice_filter(slices, "day")).delete()
    ProductSalesDay.objects.filter(_slice_filter(slices, "day")).delete()
    orders = _sold().filter(_slice_filter(slices, "order_date"))
    lines = OrderLine.objects.filter(order__in=orders)
    days, products = _rows(orders, lines)
    SalesDay.objects.bulk_create(days, batch_size=2000)
    ProductSalesDay.objects.bulk_create(products, batch_size=2000)
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
    return written


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
