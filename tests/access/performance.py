"""Access rows of the performance app (its engineers add a row for each URL they add)."""

from . import Row, module

ROWS = [
    Row("performance:index", expect=module("performance")),
]
