"""Benchmark data through the demo seeders (`seed_demo --scale N --only app`), loaded only when missing, so that
the benchmarks of one `make bench` run share it."""

import io
import math
import time

from .common import log


def seed_demo(scale: int, *apps: str) -> float:
    """Run `seed_demo --scale scale --only apps` (its report goes to the log, not stdout); returns seconds."""
    from django.core.management import call_command

    out = io.StringIO()
    t0 = time.monotonic()
    call_command("seed_demo", scale=scale, only=list(apps), stdout=out)
    took = time.monotonic() - t0
    for line in out.getvalue().split("Demo sign-ins")[0].splitlines():
        log(f"seed_demo: {line.strip()}")
    log(f"seed_demo --scale {scale} --only {' '.join(apps)}: {took:.0f}s")
    return took


def ensure_catalogue() -> None:
    """The demo catalogue, warehouses and stock (inventory at scale 1: a few hundred products)."""
    from inventory.models import Warehouse

    if not Warehouse.objects.filter(code="SH").exists():  # what the inventory demo looks for (other benchmarks
        seed_demo(1, "inventory")                          # may have made products of their own)


def ensure_customers(n: int) -> int:
    """At least n customers (the CRM demo makes 1,000 x scale above scale 1)."""
    from crm.models import Customer

    if Customer.objects.count() < n:
        seed_demo(max(2, math.ceil(n / 1000)), "crm")
    return Customer.objects.count()


def ensure_order_lines(n: int) -> int:
    """About n order lines of twelve months of history (the orders demo makes ~1,600 lines per scale); the
    catalogue and 2,000 customers first. Returns the number of lines."""
    from orders.models import OrderLine

    ensure_catalogue()
    ensure_customers(2000)
    if not OrderLine.objects.exists():
        seed_demo(max(1, math.ceil(n / 1600)), "orders")
    return OrderLine.objects.count()


def multiply_orders(target_lines: int, base_scale: int = 10) -> int:
    """At least target_lines order lines: the orders demo at base_scale (its twelve months of history, states
    and seasonality), then copies of its orders and lines made inside PostgreSQL (new ids and numbers, same
    dates, customers and products) until the target is reached. Returns the number of lines."""
    from django.db import connection, transaction

    from orders.models import OrderLine, SalesOrder

    ensure_order_lines(base_scale * 1600)
    have = OrderLine.objects.count()
    if have >= target_lines:
        return have

    def columns(model, skip):
        return [f.column for f in model._meta.concrete_fields if f.column not in skip]

    order_cols = columns(SalesOrder, {"id", "number", "status_token"})
    line_cols = columns(OrderLine, {"id", "order_id"})
    t0 = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM orders_salesorder")
        top = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM orders_orderline WHERE order_id <= %s", [top])
        base = cur.fetchone()[0]
        copies = math.ceil((target_lines - have) / base)
        for k in range(1, copies + 1):
            with transaction.atomic():
                cur.execute(
                    f"INSERT INTO orders_salesorder (id, number, status_token, {', '.join(order_cols)}) "
                    f"SELECT id + %s, number || '-' || %s, gen_random_uuid(), {', '.join(order_cols)} "
                    f"FROM orders_salesorder WHERE id <= %s", [k * top, k, top])
                cur.execute(
                    f"INSERT INTO orders_orderline (order_id, {', '.join(line_cols)}) "
                    f"SELECT order_id + %s, {', '.join(line_cols)} FROM orders_orderline WHERE order_id <= %s",
                    [k * top, top])
            if k % 10 == 0:
                log(f"orders copied {k}/{copies}")
        for table in ("orders_salesorder", "orders_orderline"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            cur.execute(f"ANALYZE {table}")
    lines = OrderLine.objects.count()
    log(f"{copies} copies of {base} order lines in {time.monotonic() - t0:.0f}s: {lines} lines")
    return lines
