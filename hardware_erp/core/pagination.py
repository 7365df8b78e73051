"""List pages count their rows no further than `settings.LIST_EXACT_COUNT_MAX`: past it the page says "about N",
N being PostgreSQL's planner estimate, instead of a COUNT over every matching row (1.9 s at p95 for a
search over 100k customers, issue 19).

A deep page (past `DEFERRED_JOIN_FROM` rows) is read by a deferred join: the page's primary keys first, in the
list's order (`OFFSET` over the ids alone, from an index on the sort when there is one, without the joined
tables' columns), then those rows by primary key, put back in that order.

A list sorted by a column of a few related rows (customers by their owner's user name: `sort_by_few`) is paged one
group at a time: the related rows in that column's order, each one's first rows from the list's index on the
foreign key and the list's own order (`(owner_id, name, id)`), merged in one query (`grouped_page_ids`), instead
of every matching row joined to its owner and sorted (200 ms at 100,000 customers).

A list filtered by `pk__in=AnyOf(...)` (the rows that meet any of several conditions, each served by an index of its
own: the customer search's lookups) is paged and counted part by part on PostgreSQL (`split_by_parts`): a page is
read from each part's first rows in the list's order, merged (`first_by_parts`), and the count from each part's
first `LIST_EXACT_COUNT_MAX + 1` rows (`count_by_parts`), instead of reading every row of the union to sort or count
it (a broad search term: a tenth of 100,000 customers)."""

import json

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import BooleanField, F, IntegerField, QuerySet, Value
from django.db.models.expressions import OrderBy, RawSQL
from django.db.models.lookups import In
from django.db.models.sql.where import AND
from django.utils.functional import cached_property
from django_tables2.rows import BoundRows

DEFERRED_JOIN_FROM = 500  # rows skipped from which a page's ids are read first
GROUPED_FROM = 5_000  # rows listed from which a sort by a few related rows' column is paged group by group
GROUPS_MAX = 100  # related rows (owners) a sort by their column is paged over one by one, at most
GROUPED_ROWS_MAX = 50_000  # rows the groups' first rows may add up to (groups × the page's last row), at most


def sort_then(queryset, fields, unique, is_descending: bool):
    """A table's `order_FOO`: `queryset` sorted by `fields`, then by the `unique` columns, all one way, and True
    (django-tables2's "sorted"). Rows equal on `fields` (many products have no stock, customers share a name) keep
    one order, so each is on exactly one page; and an index on all of them, read either way, gives a page in order."""
    sign = "-" if is_descending else ""
    return queryset.order_by(*(f"{sign}{f}" for f in (*fields, *unique))), True


def sort_by_few(table, field: str, key: str):
    """Say that `table`'s rows are being sorted by `field`'s related `key` (unique: the owner's user name), and then
    by columns of their own that an index holds after `field` (name, id): few related rows, so the paginator reads
    each one's first rows from that index (`grouped_page_ids`) instead of sorting every row. Called by the table's
    `order_FOO` method; the paginator checks that the rows are indeed sorted so."""
    table.sorted_by_few = (field, key)


def grouped_page_ids(rows, field: str, key: str, bottom: int, top: int) -> list | None:
    """The primary keys of rows[bottom:top] of `rows`, a queryset sorted by `field__key`, then by its own columns:
    one query over the related rows in `key`'s order (the database's collation), then one `UNION ALL` of each
    one's first `top` rows in the rest of the order (an index on `field` and those columns reads each in order),
    sorted by the group's place and the rest, sliced. The same rows in the same order as the plain ORDER BY (a
    nullable `field`'s rows without one last, or first sorted down, as PostgreSQL puts NULLs). None when this does
    not apply: another database (SQLite cannot slice inside a UNION), another order, a non-unique key, too many
    groups or rows."""
    order = rows.query.order_by
    connection = connections[rows.db]
    if (connection.vendor != "postgresql" or not connection.features.supports_slicing_ordering_in_compound
            or not order or not all(isinstance(o, str) for o in order)
            or order[0].lstrip("-") != f"{field}__{key}" or top > GROUPED_ROWS_MAX):
        return None
    descending = order[0].startswith("-")
    rest = order[1:]
    fk = rows.model._meta.get_field(field)
    related = fk.related_model
    if not related._meta.get_field(key).unique or any(o.lstrip("-") in ("_group", "_pk") for o in rest):
        return None
    groups = list(related._base_manager.using(rows.db).order_by(f"-{key}" if descending else key)
                  .values_list("pk", flat=True)[:GROUPS_MAX + 1])
    if fk.null:  # the rows without one: NULL sorts last going up, first going down
        groups = [None, *groups] if descending else [*groups, None]
    if len(groups) > GROUPS_MAX or len(groups) * top > GROUPED_ROWS_MAX:
        return None
    columns = [o.lstrip("-") for o in rest]
    parts = [rows.filter(**{f"{fk.attname}__isnull" if pk is None else fk.attname: True if pk is None else pk})
             .annotate(_group=Value(place, output_field=IntegerField()), _pk=F("pk"))
             .order_by(*rest).values_list("_group", *columns, "_pk")[:top]
             for place, pk in enumerate(groups)]
    merged = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return [row[-1] for row in merged.order_by("_group", *rest)[bottom:top]]


class AnyOf(RawSQL):
    """The primary keys of the rows that meet any of `parts`, as `sql` (with `params`) selects them (a UNION of one
    indexed lookup per part): `queryset.filter(pk__in=AnyOf(sql, params, parts))`. Each part is (condition on a row
    of the queryset's table, its columns qualified by the table's name; params); the conditions' OR must be exactly
    `sql`'s rows. The paginator then reads a page and the count part by part (`split_by_parts`)."""

    def __init__(self, sql, params, parts):
        super().__init__(sql, params)
        self.parts = parts


def split_by_parts(rows):
    """(`rows` without its `pk__in=AnyOf(...)` filter, the parts) when `rows` is so filtered at its top level (ANDed
    with its other filters), on PostgreSQL (SQLite cannot slice inside a UNION), and sorted in a total order (the
    last key the primary key: the first rows of each part are then exactly those of the whole); else None."""
    connection = connections[rows.db]
    query = rows.query
    where = query.where
    if (connection.vendor != "postgresql" or where.connector != AND or where.negated or query.distinct
            or query.combinator or query.is_sliced or query.extra_order_by or not _totally_ordered(rows)):
        return None
    pk = rows.model._meta.pk
    hits = [i for i, node in enumerate(where.children) if isinstance(node, In) and isinstance(node.rhs, AnyOf)
            and getattr(node.lhs, "target", None) == pk and getattr(node.lhs, "alias", None) == query.base_table]
    if len(hits) != 1:
        return None
    rest = rows.all()
    del rest.query.where.children[hits[0]]
    return rest, where.children[hits[0]].rhs.parts


def _totally_ordered(rows) -> bool:
    order = rows.query.order_by or (rows.query.default_ordering and rows.model._meta.ordering) or ()
    if not order:
        return False
    last, pk = order[-1], rows.model._meta.pk
    if isinstance(last, OrderBy) and isinstance(last.expression, F):
        last = last.expression.name
    return isinstance(last, str) and last.lstrip("-") in ("pk", pk.name, pk.attname)


def _meeting(rest, part):
    condition, params = part
    return rest.filter(RawSQL(condition, params, output_field=BooleanField()))  # noqa: S611  # nosec B611 (the caller's compiled condition, values bound)


def _parts_sql(rest, parts, shape) -> tuple[str, list]:
    """The UNION of `shape(rest meeting the part)` over `parts`, compiled for `rest`'s database."""
    sqls, params = [], []
    for part in parts:
        part = shape(_meeting(rest, part))
        sql, part_params = part.query.get_compiler(using=rest.db).as_sql()
        sqls.append(f"({sql})")
        params += part_params
    return " UNION ".join(sqls), params


def ids_by_parts(rest, parts, limit: int) -> list[list]:
    """The primary keys of `rest`'s rows meeting each part, at most `limit + 1` of each, in one query: a part with
    `limit + 1` has more (then the rows meeting any part are more than `limit`), one with fewer has them all."""
    sqls, params = [], []
    for place, part in enumerate(parts):
        part = (_meeting(rest, part).order_by()
                .annotate(_part=Value(place, output_field=IntegerField())).values_list("_part", "pk")[:limit + 1])
        sql, part_params = part.query.get_compiler(using=rest.db).as_sql()
        sqls.append(f"({sql})")
        params += part_params
    found = [[] for _part in parts]
    with connections[rest.db].cursor() as cur:
        cur.execute(" UNION ALL ".join(sqls), params)
        for place, pk in cur.fetchall():
            found[place].append(pk)
    return found


def first_by_parts(rest, parts, top: int, known=()):
    """`rest`'s rows that are among the first `top` rows of a part in `rest`'s order (a total one), or in `known`
    (primary keys: every row of the other parts, when they have few), in that order: its first `top` rows are those
    of `rest` meeting any part. A row among the first `top` of the whole meets some part, and in that part fewer
    rows sort before it than in the whole, so that part's first `top` hold it. Each part reads at most `top` rows:
    from an index on the sort, testing the part's condition on each row, or from the part's own index, sorting its
    matches (the planner chooses by their number)."""
    sql, params = _parts_sql(rest, parts, lambda part: part.values("pk")[:top]) if parts else ("", [])
    if known:
        sql = " UNION ".join(x for x in (sql, f"SELECT unnest(%s::{_pk_array(rest)})") if x)
        params = [*params, list(known)]
    return rest.filter(pk__in=RawSQL(sql, params))  # noqa: S611  # nosec B611 (compiled by the ORM, values bound)


def _pk_array(rows) -> str:
    return f"{rows.model._meta.pk.db_type(connections[rows.db])}[]".replace("serial", "integer")


def rows_by_ids(queryset, ids) -> list:
    """The rows of `queryset` with primary keys `ids`, in that order (one query)."""
    found = {obj.pk: obj for obj in queryset.order_by().filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


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
    def split(self):
        """(the rows without their `AnyOf` filter, its parts) when they are paged and counted part by part."""
        rows = getattr(getattr(self.object_list, "data", None), "data", None)
        return split_by_parts(rows) if isinstance(rows, QuerySet) else None

    @cached_property
    def count(self):
        rows = self.object_list
        # django-tables2 pages its BoundRows: the queryset is their table data's
        rows = getattr(getattr(rows, "data", None), "data", rows)
        if not isinstance(rows, QuerySet):
            return len(self.object_list)
        limit = settings.LIST_EXACT_COUNT_MAX
        if self.split:
            # each part's first rows: the count when every part has few, and those parts' rows for the page
            limit = self.part_limit = min(limit, settings.LIST_PARTS_EXACT_COUNT_MAX)
            try:
                self.part_ids = ids_by_parts(*self.split, limit)
            except EmptyResultSet:  # a part that can match nothing
                self.split = None
            else:
                exact = len(set().union(*self.part_ids)) if all(len(ids) <= limit for ids in self.part_ids) \
                    else limit + 1
        if not self.split:
            exact = rows.order_by()[:limit + 1].count()
        if exact <= limit:
            return exact
        self.estimated = True
        return max(limit + 1, planner_estimate(rows) or 0)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list
        data = getattr(getattr(rows, "data", None), "data", None)
        if self.split and isinstance(rows, BoundRows):
            # the parts that have few rows (all read by the count) and the first rows of those that have more
            rest, parts = self.split
            limit = self.part_limit  # the count's: a part with more ids than that has more rows than were read
            top = bottom + self.per_page
            if top + self.orphans >= self.count and not self.estimated:
                top = self.count
            known = {pk for ids in self.part_ids if len(ids) <= limit for pk in ids}
            many = [part for part, ids in zip(parts, self.part_ids, strict=True) if len(ids) > limit]
            if not known and not many:
                records = []
            elif many:
                records = list(first_by_parts(rest, many, top, known)[bottom:top])
            else:
                records = list(rest.filter(pk__in=known)[bottom:top])
            return self._get_page(BoundRows(data=records, table=rows.table, pinned_data=rows.pinned_data), number,
                                  self)
        # fewer rows (a narrow filter) are sorted faster whole than walked group by group on the index
        few = getattr(getattr(rows, "table", None), "sorted_by_few", None) if self.count >= GROUPED_FROM else None
        if ((bottom < DEFERRED_JOIN_FROM and not few) or not isinstance(rows, BoundRows)
                or not isinstance(data, QuerySet) or data.query.distinct or data.query.combinator or not data.ordered):
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = grouped_page_ids(data, *few, bottom, top) if few else None
        if ids is None:
            if bottom < DEFERRED_JOIN_FROM:
                return super().page(number)
            ids = list(data.values_list("pk", flat=True)[bottom:top])
        records = rows_by_ids(data, ids)
        return self._get_page(BoundRows(data=records, table=rows.table, pinned_data=rows.pinned_data), number, self)
