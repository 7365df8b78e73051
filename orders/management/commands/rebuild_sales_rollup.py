"""Recompute the daily sales rollups the analytics read from the orders (after a bulk load or a restore)."""

import time

from django.core.management.base import BaseCommand

from orders.rollups import rebuild


class Command(BaseCommand):
    help = "Recompute the daily sales rollups (orders.SalesDay, orders.ProductSalesDay) from the sold orders."

    def add_arguments(self, parser):
        parser.add_argument("--start", help="first order date (YYYY-MM-DD); default: the first sale")
        parser.add_argument("--end", help="order dates before this one (YYYY-MM-DD); default: all")

    def handle(self, *args, start=None, end=None, verbosity=1, **options):
        began = time.monotonic()
        say = self.stdout.write if verbosity > 1 else None
        rows = rebuild(start=start, end=end, log_to=say)
        if verbosity:
            self.stdout.write(f"sales rollup: {rows} rows in {time.monotonic() - began:.1f} s")
