"""Access rows of the crm app (its engineers add a row for each URL they add)."""

from . import Row, module

ROWS = [
    Row("crm:index", expect=module("crm")),
]
