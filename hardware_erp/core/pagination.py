"""List pages count their rows no further than `settings.LIST_EXACT_COUNT_MAX`: past it the page says "about N",
N being PostgreSQL's planner estimate, instead of a COUNT over every matching row (1.9 s at p95 for a
search over 100k customers, issue 19)."""

import json

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property


def planner_estimate(queryset) -> int | None:
    """The number of rows PostgreSQL's planner expects `queryset` to give (no rows are read), or None."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    try:
        plan = json.loads(queryset.order_by().explain(format="json"))
    except Exception:  # a query EXPLAIN cannot take: no estimate
        return None
    return int(plan[0]["Plan"]["Plan Rows"])


class BoundedPaginator(Paginator):
    """A paginator whose count reads at most `LIST_EXACT_COUNT_MAX + 1` rows; `estimated` says when it guessed."""

    estimated = False

    @cached_property
    def count(self):
        rows = self.object_list
        # django-tables2 pages its BoundRows: the queryset is their table data's
        rows = getattr(getattr(rows, "data", None), "data", rows)
        if not isinstance(rows, QuerySet):
            return len(self.object_list)
        limit = settings.LIST_EXACT_COUNT_MAX
        exact = rows.order_by()[:limit + 1].count()
        if exact <= limit:
            return exact
        self.estimated = True
        return max(limit + 1, planner_estimate(rows) or 0)
