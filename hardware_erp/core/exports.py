"""The one way out of the system into a spreadsheet: CSV and XLSX through tablib.

Every cell goes through `safe_cell`: markup is stripped (a page's `<span class="text-danger">-1</span>` is `-1`),
numbers stay numbers (a real `-5` too), and text that a spreadsheet would run as a formula (beginning with
`=`, `+`, `-`, `@`, tab or carriage return; OWASP's CSV-injection guidance) is prefixed with `'`.
List pages export through `table_rows` (ERPListView): the values django-tables2's own export gives
(`SafeTableExport`, kept as the reference), without its per-cell machinery (1.6 ms a row at 100k customers): the
columns are compiled to one `values_list` read in chunks with `.iterator()` and formatted from the value (no
model instance, no accessor resolution, no template per cell); only computed columns call their value function
with a record (see `table_rows`). Small exports answer at once (`export_response`); past
`settings.EXPORT_SYNC_MAX_ROWS` rows the list queues a background job (`hardware_erp.core.export_jobs`) that
streams the same rows to a file with `write_export`; the file and the synchronous answer are equal. Reports
build rows and call `export_response`.
"""

import csv
import html
import re
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from operator import itemgetter

import tablib
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, FieldError
from django.db import DatabaseError, connections, models
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.http import HttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.html import strip_tags
from django_tables2.columns import BooleanColumn, Column, DateColumn, DateTimeColumn
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.columns.manytomanycolumn import ManyToManyColumn
from django_tables2.export import TableExport
from django_tables2.rows import BoundRow
from django_tables2.utils import A, signature

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class Text(str):
    """A value that must stay text in the spreadsheet although it looks like a number (a tax code, a taxpayer ID,
    a bank account: as numbers they would lose digits)."""


def safe_cell(value):
    """A value fit for a spreadsheet cell (see the module's docstring)."""
    if type(value) is str:  # noqa: E721 (the common case first; a Text is a str that stays text)
        text = value
    elif value is None:
        return ""
    elif isinstance(value, Text):
        text = str(value).strip()
        return "'" + text if text.startswith(FORMULA_PREFIXES) else text
    elif isinstance(value, bool | int | float | Decimal):
        return value
    elif isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    elif isinstance(value, date):
        return value
    else:
        text = str(value)
    if "<" in text or "&" in text:
        text = html.unescape(strip_tags(text))
    text = " ".join(text.split()) if "\n" in text else text.strip()
    if NUMBER.fullmatch(text):
        return Decimal(text)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def dataset(headers, rows, *, title="", caption=()) -> tablib.Dataset:
    """`rows` under `headers`; a `caption` (a title line such as the report's name and period) goes above the
    headers, which are then an ordinary first row, and every row is padded to the widest."""
    data = tablib.Dataset(title=str(title)[:31] or "Export")
    heads = [str(safe_cell(h)) for h in headers]
    if not caption:
        data.headers = heads
        for row in rows:
            data.append([safe_cell(v) for v in row])
        return data
    lines = [[safe_cell(c) for c in caption], heads, *([safe_cell(v) for v in row] for row in rows)]
    width = max(len(line) for line in lines)
    for line in lines:
        data.append(line + [""] * (width - len(line)))
    return data


def export_response(headers, rows, *, filename: str, fmt: str = "xlsx", title="", caption=()) -> HttpResponse:
    """A download of `rows` under `headers` as CSV (UTF-8 with BOM, Excel opens it in Chinese) or XLSX."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown export format {fmt!r}")
    data = dataset(headers, rows, title=title, caption=caption)
    body = data.export(fmt)
    if fmt == "csv":
        body = "\ufeff" + body
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


CHUNK_ROWS = 2000


class _ColumnReader:
    """One exported column's value for a record, as `BoundRow.get_cell_value` computes it (choices shown by their
    label, empty values as None, the column's or table's `value_<name>` called with the arguments it names), with
    everything that does not depend on the record worked out once."""

    def __init__(self, bound_column, model):
        self.bound_column = bound_column
        self.column = bound_column.column
        self.accessor = A(bound_column.accessor)
        self.path, _, self.remainder = self.accessor.rpartition(self.accessor.SEPARATOR)
        self.path = A(self.path)
        field = self.accessor.get_field(model) if model is not None else None
        self.choices = bool(getattr(field, "choices", ()))
        self.empty = self.column.empty_values
        self.fn = bound_column.value
        self.args, self.catch_all = signature(self.fn)
        self.wants_row = self.catch_all or "bound_row" in self.args
        self.link_text = isinstance(self.column, BaseLinkColumn) and self.column.text is not None
        self.many = isinstance(self.column, ManyToManyColumn)

    def __call__(self, record, table):
        value = None
        remainder = self.remainder
        if self.choices:
            penultimate = self.path.resolve(record, quiet=True)
            display = getattr(penultimate, f"get_{remainder}_display", None) \
                if isinstance(penultimate, models.Model) else None
            if display is not None:
                value, remainder = display(), None
        if remainder:
            try:
                value = self.accessor.resolve(record)
            except Exception:  # a column that is not a field (django-tables2 answers the same way)
                if self.link_text:
                    return self._call(None, record, table)
        if value in self.empty or (self.many and not value.exists()):
            return None
        return self._call(value, record, table)

    def _call(self, value, record, table):
        given = {"value": value, "record": record, "column": self.column, "bound_column": self.bound_column,
                 "table": table}
        if self.wants_row:
            given["bound_row"] = BoundRow(record, table=table)
        if not self.catch_all:
            if any(arg not in given for arg in self.args):
                return None
            given = {k: given[k] for k in self.args}
        return self.fn(**given)


def table_records(table, chunk_size=CHUNK_ROWS):
    """The table's records in its order: a queryset read in chunks (`whole_result`), anything else as it is."""
    data = getattr(table.data, "data", table.data)
    if isinstance(data, QuerySet):
        return whole_result(data, chunk_size)
    return iter(data)


def whole_result(queryset, chunk_size=CHUNK_ROWS):
    """`queryset.iterator(chunk_size)`, planned for reading every row. On PostgreSQL `.iterator()` reads through a
    cursor, which the planner plans for its first tenth (`cursor_tuple_fraction`): with stale statistics it chose a
    nested loop joining every product to every row of the grouped stock view, minutes where the hash join takes
    a second (50,000 products). An export reads every row (and outside a transaction Django's cursor is `WITH
    HOLD`: the whole result is computed before the first row anyway), so its cursor is planned for all of them."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        yield from queryset.iterator(chunk_size=chunk_size)
        return
    with connection.cursor() as cursor:
        cursor.execute("SET cursor_tuple_fraction = 1.0")
    try:
        yield from queryset.iterator(chunk_size=chunk_size)
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET cursor_tuple_fraction")
        except DatabaseError:  # an aborted transaction (the error that stopped the export is the one to see)
            pass


def table_headers(table, exclude_columns=()):
    columns = [c for c in table.columns.iterall()
               if not (c.column.exclude_from_export or c.name in exclude_columns)]
    return columns, [force_str(c.header, strings_only=True) for c in columns]


VALUE_ONLY = frozenset({"value", "column", "bound_column", "table"})  # arguments that do not depend on the record


def _field_path(model, accessor, annotations):
    """(ORM path, final field, related model) when `accessor` names a chain of forward fields of `model` (or one
    of the queryset's annotations), the related model being the final field's target when it is a relation (the
    cell's value is then an instance of it); None when it names anything else (a property, a method, a reverse or
    many-to-many relation)."""
    bits = list(accessor.bits)
    if len(bits) == 1 and bits[0] in annotations:
        return bits[0], None, None
    current, field = model, None
    for i, bit in enumerate(bits):
        if current is None:
            return None
        try:
            field = current._meta.pk if bit == "pk" else current._meta.get_field(bit)
        except FieldDoesNotExist:
            return None
        if not getattr(field, "concrete", False) or field.many_to_many or field.one_to_many:
            return None
        relation = field.is_relation and bit == field.name  # "owner": the instance; "owner_id": the key
        current = field.related_model if relation else None
        if bits[i] == "pk":
            bits[i] = field.name
    return "__".join(bits), field, current


def _plain_value(bound_column, field):
    """The column's export formatting as a function of the cell's value alone (without the record), or None when
    it needs the record. Covers django-tables2's own columns whose export does not use the record
    (`Column`, dates, booleans, links without text) and `value_<name>`/`render_<name>`/`value()` taking only
    the value (and the column or table)."""
    column, fn = bound_column.column, bound_column.value
    cls = type(column)
    if getattr(fn, "__self__", None) is column:  # the column's own value()
        if cls in (DateTimeColumn, DateColumn) and not column.extra_context:
            return _DateValue(bound_column, datetime if cls is DateTimeColumn else date)
        if cls.value is BooleanColumn.value:
            return None if getattr(field, "choices", None) else lambda value: str(bool(value))
        if cls.value is BaseLinkColumn.value:
            return (lambda value: value) if column.text is None else None
        if cls.value is Column.value:
            fn = column.render
    args, catch_all = signature(fn)
    if catch_all or not set(args) <= VALUE_ONLY:
        return None
    given = {"column": column, "bound_column": bound_column, "table": bound_column._table}
    fixed = {k: given[k] for k in args if k != "value"}
    if "value" not in args:
        return lambda value: fn(**fixed)
    if not fixed:
        return lambda value: fn(value=value)
    return lambda value: fn(value=value, **fixed)


class _DateValue:
    """`DateTimeColumn`/`DateColumn`'s export: a date in ISO format; anything else (an empty cell) through the
    column's template, rendered once per distinct value instead of once per cell."""

    def __init__(self, bound_column, kind):
        self.kind = kind
        self.reader = _ColumnReader(bound_column, None)
        self.seen = {}

    def __call__(self, value):
        if isinstance(value, self.kind):
            return value.isoformat(sep=" ") if self.kind is datetime else value.isoformat()
        try:
            return self.seen[value]
        except KeyError:
            self.seen[value] = result = self.reader._call(value, None, self.reader.bound_column._table)
            return result
        except TypeError:  # unhashable
            return self.reader._call(value, None, self.reader.bound_column._table)


class _Cell:
    """One exported column compiled for the fast path: the ORM path of its value (read with `values_list`), the
    choices' labels, the related model whose instance the value is, and the formatting of the value; or, for a
    column that needs its record, the reader called with a record (`plain` False)."""

    def __init__(self, bound_column, model, annotations):
        self.bound_column = bound_column
        self.empty = bound_column.column.empty_values
        self.many = isinstance(bound_column.column, ManyToManyColumn)
        found = None if model is None or self.many else _field_path(model, A(bound_column.accessor), annotations)
        self.path, self.field, self.related = found or (None, None, None)
        field = self.field
        self.related_key = field.remote_field.field_name if self.related is not None else None
        self.labels = None
        if self.path and getattr(field, "choices", None) and self.related is None:
            self.labels = {k: force_str(v, strings_only=True) for k, v in field.flatchoices}
        self.format = _plain_value(bound_column, field) if self.path or model is not None else None
        self.plain = self.format is not None and self.path is not None
        self.reader = _ColumnReader(bound_column, model)
        if self.format is not None and self.path is None and not self.many:  # a property or method of the record
            accessor = A(bound_column.accessor)
            self.reader = lambda record, table: self.value(accessor.resolve(record, quiet=True))

    def value(self, raw):
        """The exported value of a raw field value (a related instance for a relation)."""
        if self.labels is not None:
            try:  # noqa: SIM105 (cheaper than suppress() per cell)
                raw = self.labels.get(raw, raw)
            except TypeError:
                pass
        if raw in self.empty:
            return None
        return self.format(raw)


class _Related:
    """Instances of a related model by key, loaded a chunk's missing keys at a time (`in_bulk`) and kept."""

    LIMIT = 100_000  # instances kept at most: past it, the cache starts again with the next chunk's

    def __init__(self, model, key, using):
        self.model, self.key, self.using, self.cache = model, key, using, {}

    def load(self, keys):
        keys = {k for k in keys if k is not None}
        if len(self.cache) > self.LIMIT:
            self.cache.clear()
        missing = [k for k in keys if k not in self.cache]
        if missing:
            self.cache.update(self.model._base_manager.using(self.using).in_bulk(missing, field_name=self.key))


def _chunks(iterable, size):
    it = iter(iterable)
    while chunk := list(islice(it, size)):
        yield chunk


def table_rows(table, exclude_columns=(), *, safe=False):
    """Yield the header row, then each record's exported values: the rows `table.as_values()` gives (with
    `safe=True`, every value already through `safe_cell`: what `write_export(..., safe=True)` writes).

    A queryset's columns are compiled (`_Cell`): a column whose accessor is a model field, a chain of forward
    relations or an annotation, and whose export formatting needs only the value, is read with `values_list`
    and formatted without django-tables2's per-cell machinery (no model instance, no accessor resolution, no
    template per cell). A column that needs its record is read by its value function with a record: when the
    table lists the fields it reads (`export_reads = {column name: (field, ...)}`), a model instance holding
    only those fields built from the same `values_list` row; otherwise every record is loaded as a model
    instance (`table_records`), the compiled columns read from it by attribute.

    On the `values_list` path the rows are formatted a chunk at a time, column by column, and a column whose
    values repeat (a choice, an owner, a region, a price: a model field whose equal values always print the
    same) formats each distinct value once (`_Column`): the cell is a function of the value (or, for a column
    in `export_reads`, of the fields it lists)."""
    columns, headers = table_headers(table, exclude_columns)
    yield headers
    finish = _finisher(safe)
    data = getattr(table.data, "data", table.data)
    # a queryset of model instances (not one of dicts or tuples: `values()` rows are read as they are)
    model = data.model if isinstance(data, QuerySet) and data._iterable_class is ModelIterable else None
    if model is None:
        readers = [_ColumnReader(c, None) for c in columns]
        for record in table_records(table):
            yield [finish(read(record, table)) for read in readers]
        return
    cells = [_Cell(c, model, data.query.annotations) for c in columns]
    rows = _values_rows(table, data, model, cells, finish)
    if rows is None:
        rows = _record_rows(table, data, cells, finish)
    yield from rows


def _finisher(safe):
    """The last step of every cell: a string (or a number, a date) as `as_values()` gives it, and, with `safe`,
    through `safe_cell`."""
    if safe:
        def finish(value):
            return safe_cell(value if type(value) is str else force_str(value, strings_only=True))  # noqa: E721
    else:
        def finish(value):
            return value if type(value) is str else force_str(value, strings_only=True)  # noqa: E721
    return finish


MEMO_LIMIT = 5000  # distinct values a column formats once and keeps; past it, the column formats every cell
# model fields whose equal values, as the database gives them, always print the same (a numeric column has one
# scale; a text, a number, a date, a flag, a key): a cell of one of them is formatted once per distinct value.
# Not a timestamp (equal instants in different zones print differently), a float (0.0 and -0.0) or an annotation
MEMO_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.DecimalField,
               models.UUIDField, models.DateField)


def _memo_field(field) -> bool:
    if field is None or isinstance(field, models.DateTimeField):
        return False
    if field.is_relation:
        return _memo_field(field.target_field)
    return isinstance(field, MEMO_FIELDS)


class _Memo(dict):
    """Cells by value: a missing value is formatted once and kept."""

    def __init__(self, compute):
        super().__init__()
        self.compute = compute

    def __missing__(self, key):
        self[key] = cell = self.compute(key)
        return cell


class _Column:
    """One exported column on the `values_list` path: `key(row)` picks its value (or the tuple of the fields a
    computed column reads), `compute(key)` makes the cell; `cells(chunk)` gives a chunk's cells, formatting each
    distinct value once while the column's values repeat (at most `MEMO_LIMIT` kept), then every cell."""

    def __init__(self, key, compute, *, memo, instances=None):
        self.key, self.compute, self.instances = key, compute, instances
        self.memo = _Memo(compute) if memo else None
        self.none = _Memo(compute)  # the empty value's cell, once

    def cells(self, chunk):
        keys = list(map(self.key, chunk))
        memo = self.memo
        if memo is not None:
            try:
                if self.instances is not None:
                    self.instances.load(k for k in set(keys) if k not in memo)
                cells = list(map(memo.__getitem__, keys))
            except TypeError:  # a value that cannot be a key (a list): every cell formatted
                self.memo = None
            else:
                if len(memo) > MEMO_LIMIT:  # the values hardly repeat (names, phones): no use keeping them
                    self.memo = None
                return cells
        if self.instances is not None:
            self.instances.load(keys)
        compute = self.compute
        if None not in keys:
            return list(map(compute, keys))
        none = self.none[None]
        return [none if k is None else compute(k) for k in keys]


def _plain_compute(cell, instances, finish):
    """A compiled column's cell from its raw value (a related model's key when `instances` is given)."""
    labels, empty, fmt = cell.labels, cell.empty, cell.format

    def compute(raw):
        if instances is not None and raw is not None:
            raw = instances.cache.get(raw)
        if labels is not None:
            try:  # noqa: SIM105 (cheaper than suppress() per value)
                raw = labels.get(raw, raw)
            except TypeError:
                pass
        if raw in empty:
            return finish(None)
        return finish(fmt(raw))
    return compute


def _values_rows(table, data, model, cells, finish):
    """The rows read with `values_list` (see `table_rows`), or None when a column needs whole records."""
    reads = getattr(table, "export_reads", {})
    if any(not c.plain and c.bound_column.name not in reads for c in cells):
        return None
    paths = []

    def index(path):
        if path not in paths:
            paths.append(path)
        return paths.index(path)

    db = data.db
    related = {}
    columns = []
    for cell in cells:
        if cell.plain:
            instances = None
            if cell.related is not None:
                key = (cell.related, cell.related_key)
                instances = related.setdefault(key, _Related(cell.related, cell.related_key, db))
            at, compute = index(cell.path), _plain_compute(cell, instances, finish)
            if cell.path in data.query.annotations:  # a figure computed by the query: no scale of its own
                columns.append(_annotation_column(at, compute, data.query.annotations[cell.path]))
            else:
                columns.append(_Column(itemgetter(at), compute, memo=_memo_field(cell.field), instances=instances))
        else:
            fields = [model._meta.get_field(name) for name in reads[cell.bound_column.name]]
            fields = [f for f in model._meta.concrete_fields if f in fields]  # in the model's order (from_db)
            at = [index(f.attname) for f in fields]
            columns.append(_Column(_tuple_getter(at), _record_compute(cell.reader, table, model, db, fields, finish),
                                   memo=all(_memo_field(f) for f in fields)))
    query = data.values_list(*paths)
    try:
        query.query.get_compiler(using=query.db).as_sql()
    except EmptyResultSet:  # a filter that matches nothing (e.g. an id list that is empty): no rows to read
        pass
    except FieldError:
        return None
    return _values_iter(query, columns)


def _annotation_column(at, compute, annotation):
    """A column of an annotation. Its values are formatted once each too, but a number computed by the query
    has no scale of its own (`COALESCE(SUM(on_hand), 0)` gives 0 and 5.000, and `Decimal("0") ==
    Decimal("0.000")`): a decimal is kept by its text, which tells them apart."""
    try:
        output = annotation.output_field
    except FieldError:
        output = None
    if isinstance(output, models.DecimalField):
        def key(row):
            value = row[at]
            return value if value is None else str(value)

        def from_text(text):
            return compute(text if text is None else Decimal(text))
        return _Column(key, from_text, memo=True)
    # an integer, a text, a date (the database's one type for the column; a count comes back as int)
    return _Column(itemgetter(at), compute, memo=_memo_field(output))


def _tuple_getter(at):
    if len(at) == 1:
        (only,) = at
        return lambda row: (row[only],)
    return itemgetter(*at)


def _record_compute(read, table, model, db, fields, finish):
    """A computed column's cell from the tuple of the fields it reads: its value function called with a record
    holding only those fields."""
    names = [f.attname for f in fields]

    def compute(values):
        return finish(read(model.from_db(db, names, values), table))
    return compute


def _values_iter(query, columns):
    for chunk in _chunks(whole_result(query, CHUNK_ROWS), CHUNK_ROWS):
        if columns:
            yield from zip(*[column.cells(chunk) for column in columns], strict=True)
        else:  # every column left out: an empty row a record
            yield from ([] for _ in chunk)


def _record_rows(table, data, cells, finish):
    """The rows of model instances: compiled columns read by attribute, the others by their reader."""
    getters = []
    for cell in cells:
        if cell.plain:
            bits = cell.path.split("__")
            getters.append(lambda record, bits=bits, cell=cell: cell.value(_attrs(record, bits)))
        else:
            getters.append(lambda record, read=cell.reader: read(record, table))
    for record in table_records(table):
        yield [finish(get(record)) for get in getters]


def _attrs(record, bits):
    for bit in bits:
        record = getattr(record, bit)
        if record is None:
            return None
    return record


def count_at_most(table, limit: int) -> int:
    """How many rows the table holds, counted no further than `limit + 1` (a bounded count)."""
    data = getattr(table.data, "data", table.data)
    if isinstance(data, QuerySet):
        return data.order_by()[:limit + 1].count()
    return len(data)


def write_export(path, headers, rows, *, fmt: str, title="", progress=None, every=CHUNK_ROWS, safe=False) -> int:
    """Stream `rows` under `headers` to the file at `path` (CSV or XLSX), every cell through `safe_cell` (`safe`:
    the rows' cells have been through it already, as `table_rows(..., safe=True)` gives them): the same file
    `export_response` answers with (CSV byte for byte, XLSX cell for cell), without holding it in memory.
    `progress(n)` is called every `every` rows. Returns the number of rows written."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown export format {fmt!r}")
    header = [str(safe_cell(h)) for h in headers]
    done = 0
    if fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write("\ufeff")
            writer = csv.writer(fh)
            writer.writerow(header)
            for chunk in _chunks(rows, every):  # written a chunk at a time
                writer.writerows(chunk if safe else [[safe_cell(v) for v in row] for row in chunk])
                done += len(chunk)
                if progress and len(chunk) == every:
                    progress(done)
    else:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        book = Workbook(write_only=True)
        sheet = book.create_sheet(tablib.formats._xlsx.safe_xlsx_sheet_title(str(title)[:31] or "Export"))
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        cells = []
        for h in header:
            cell = WriteOnlyCell(sheet, value=h)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        for row in rows:
            values = row if safe else [safe_cell(v) for v in row]
            try:
                sheet.append(values)
            except ValueError:  # a character a sheet cannot hold: as text, as tablib does
                sheet.append([str(v) if isinstance(v, str) else v for v in values])
            done += 1
            if progress and done % every == 0:
                progress(done)
        book.save(path)
    if progress:
        progress(done)
    return done


def export_title(table) -> str:
    """The sheet's title: the table's model's plural name (as `SafeTableExport` names it)."""
    meta = getattr(getattr(table.Meta, "model", None), "_meta", None)
    return str(meta.verbose_name_plural) if meta else ""


class SafeTableExport(TableExport):
    """django-tables2's export with every cell through `safe_cell`."""

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        values = iter(table.as_values(exclude_columns=exclude_columns))
        headers = next(values, [])
        title = (dataset_kwargs or {}).get("title") or getattr(getattr(table.Meta, "model", None), "_meta", None)
        title = title.verbose_name_plural if hasattr(title, "verbose_name_plural") else title
        return dataset(headers, values, title=title or "")

    def export(self):
        body = super().export()
        return "\ufeff" + body if self.format == "csv" and isinstance(body, str) else body


def export_book_response(sheets, *, filename: str) -> HttpResponse:
    """An XLSX download of several sheets: `sheets` is [(title, headers, rows), ...], every cell as in
    `export_response`."""
    book = tablib.Databook([dataset(headers, rows, title=title) for title, headers, rows in sheets])
    response = HttpResponse(book.export("xlsx"), content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
