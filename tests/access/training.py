"""Access rows of the training app (its engineers add a row for each URL they add)."""

from . import Row, module

ROWS = [
    Row("training:index", expect=module("training")),
]
