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
    from inventory.models import Product

    if not Product.objects.exists():
        seed_demo(1, "inventory")


def ensure_customers(n: int) -> int:
    """At least n customers (the CRM demo makes 1,000 x scale above scale 1)."""
    from crm.models import Customer

    if Customer.objects.count() < n:
        seed_demo(max(2, math.ceil(n / 1000)), "crm")
    return Customer.objects.count()


def ensure_order_lines(n: int) -> int:
    """About n order lines of twelve months of history (the orders demo makes ~1,900 lines per scale); the
    catalogue and 2,000 customers first. Returns the number of lines."""
    from orders.models import OrderLine

    ensure_catalogue()
    ensure_customers(2000)
    if not OrderLine.objects.exists():
        seed_demo(max(1, math.ceil(n / 1900)), "orders")
    return OrderLine.objects.count()
