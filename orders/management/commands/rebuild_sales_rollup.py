"""Recompute the daily sales rollups the analytics read from the orders (after a bulk load or a restore)."""

import time

from django.core.management.base import BaseCommand
from django.db import connection

from orders.rollups import rebuild


class Command(BaseCommand):
    help = ("Recompute the sales rollups (orders.SalesDay, ProductSalesDay and the monthly SalesMonth, "
            "ProductSalesMonth) from the sold orders.")

    def add_arguments(self, parser):
        parser.add_argument("--start", help="first order date (YYYY-MM-DD); default: the first sale")
        parser.add_argument("--end", help="order dates before this one (YYYY-MM-DD); default: all")

    def handle(self, *args, start=None, end=None, verbosity=1, **options):
        began = time.monotonic()
        say = self.stdout.write if verbosity > 1 else None
        rows = rebuild(start=start, end=end, log_to=say)
        if connection.vendor == "postgresql":  # the planner's statistics of the rewritten tables (a stale row count
            with connection.cursor() as cur:  # of a few hundred made it sort 40,000 rows on disk)
                for table in ("orders_salesday", "orders_productsalesday", "orders_salesmonth",
                              "orders_customersalesmonth", "orders_productsalesmonth"):
                    cur.execute(f"ANALYZE {table}")
        if verbosity:
            self.stdout.write(f"sales rollup: {rows} rows in {time.monotonic() - began:.1f} s")
