"""Access rows of the orders app (its engineers add a row for each URL they add)."""

from . import Row, module

ROWS = [
    Row("orders:index", expect=module("orders")),
]
