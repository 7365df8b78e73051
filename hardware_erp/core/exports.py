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

import tablib
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, FieldError
from django.db import models
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
    if value is None:
        return ""
    if isinstance(value, Text):
        text = str(value).strip()
        return "'" + text if text.startswith(FORMULA_PREFIXES) else text
    if isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value
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
    """The table's records in its order: a queryset read in chunks (`.iterator()`), anything else as it is."""
    data = getattr(table.data, "data", table.data)
    if isinstance(data, QuerySet):
        return data.iterator(chunk_size=chunk_size)
    return iter(data)


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
        self.path, field, self.related = found or (None, None, None)
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


def table_rows(table, exclude_columns=()):
    """Yield the header row, then each record's exported values: the rows `table.as_values()` gives.

    A queryset's columns are compiled (`_Cell`): a column whose accessor is a model field, a chain of forward
    relations or an annotation, and whose export formatting needs only the value, is read with `values_list`
    and formatted without django-tables2's per-cell machinery (no model instance, no accessor resolution, no
    template per cell). A column that needs its record is read by its value function with a record: when the
    table lists the fields it reads (`export_reads = {column name: (field, ...)}`), a model instance holding
    only those fields (and the key) built from the same `values_list` row; otherwise every record is loaded
    as a model instance (`table_records`), the compiled columns read from it by attribute."""
    columns, headers = table_headers(table, exclude_columns)
    yield headers
    data = getattr(table.data, "data", table.data)
    # a queryset of model instances (not one of dicts or tuples: `values()` rows are read as they are)
    model = data.model if isinstance(data, QuerySet) and data._iterable_class is ModelIterable else None
    if model is None:
        readers = [_ColumnReader(c, None) for c in columns]
        for record in table_records(table):
            yield [force_str(read(record, table), strings_only=True) for read in readers]
        return
    cells = [_Cell(c, model, data.query.annotations) for c in columns]
    rows = _values_rows(table, data, model, cells)
    if rows is None:
        rows = _record_rows(table, data, cells)
    yield from rows


def _values_rows(table, data, model, cells):
    """The rows read with `values_list` (see `table_rows`), or None when a column needs whole records."""
    reads = getattr(table, "export_reads", {})
    light = [c for c in cells if not c.plain]
    if any(c.bound_column.name not in reads for c in light):
        return None
    paths = []

    def index(path):
        if path not in paths:
            paths.append(path)
        return paths.index(path)

    for cell in cells:
        if cell.plain:
            cell.at = index(cell.path)
    record_fields = []
    if light:
        names = {model._meta.pk.attname}
        for cell in light:
            for name in reads[cell.bound_column.name]:
                field = model._meta.get_field(name)
                names.add(field.attname)
        record_fields = [(f.attname, index(f.attname)) for f in model._meta.concrete_fields if f.attname in names]
    query = data.values_list(*paths)
    try:
        query.query.get_compiler(using=query.db).as_sql()
    except EmptyResultSet:  # a filter that matches nothing (e.g. an id list that is empty): no rows to read
        pass
    except FieldError:
        return None
    return _values_iter(table, query, model, cells, light, record_fields)


def _values_iter(table, query, model, cells, light, record_fields):
    related = {}
    for cell in cells:
        if cell.plain and cell.related is not None:
            key = (cell.related, cell.related_key)
            cell.instances = related.setdefault(key, _Related(cell.related, cell.related_key, query.db))
    plain = [(c.at, c.value, getattr(c, "instances", None)) for c in cells if c.plain]
    order = [c.plain for c in cells]
    names = [name for name, _ in record_fields]
    places = [at for _, at in record_fields]
    lights = [c.reader for c in light]
    db = query.db
    for chunk in _chunks(query.iterator(chunk_size=CHUNK_ROWS), CHUNK_ROWS):
        for at, _, instances in plain:
            if instances is not None:
                instances.load({row[at] for row in chunk})
        for row in chunk:
            values = []
            for at, value, instances in plain:
                raw = row[at]
                if instances is not None and raw is not None:
                    raw = instances.cache.get(raw)
                values.append(value(raw))
            if lights:
                record = model.from_db(db, names, [row[at] for at in places])
                computed = iter([read(record, table) for read in lights])
                plain_values = iter(values)
                values = [next(plain_values) if p else next(computed) for p in order]
            yield [force_str(v, strings_only=True) for v in values]


def _record_rows(table, data, cells):
    """The rows of model instances: compiled columns read by attribute, the others by their reader."""
    getters = []
    for cell in cells:
        if cell.plain:
            bits = cell.path.split("__")
            getters.append(lambda record, bits=bits, cell=cell: cell.value(_attrs(record, bits)))
        else:
            getters.append(lambda record, read=cell.reader: read(record, table))
    for record in table_records(table):
        yield [force_str(get(record), strings_only=True) for get in getters]


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


def write_export(path, headers, rows, *, fmt: str, title="", progress=None, every=CHUNK_ROWS) -> int:
    """Stream `rows` under `headers` to the file at `path` (CSV or XLSX), every cell through `safe_cell`: the same
    file `export_response` answers with (CSV byte for byte, XLSX cell for cell), without holding it in memory.
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
                writer.writerows([[safe_cell(v) for v in row] for row in chunk])
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
            values = [safe_cell(v) for v in row]
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
