"""Access rows of the support app (its engineers add a row for each URL they add)."""

from . import Row, module

ROWS = [
    Row("support:index", expect=module("support")),
]
