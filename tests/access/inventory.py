"""Access rows of the inventory app (its engineers add a row for each URL they add)."""

from . import Row, module

ROWS = [
    Row("inventory:index", expect=module("inventory")),
]
