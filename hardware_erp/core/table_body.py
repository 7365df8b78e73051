"""The rows of a list page's table, rendered without django-tables2's per-cell machinery (issue 19).

django-tables2 renders each cell through `BoundRow._call_render`: `inspect.signature` of the column's render method,
the accessor tried as a dict key before an attribute, the model field looked up again for a choices display, the
cell's attributes (`BoundColumn.attrs`: five dicts and a sort) built and turned into HTML, and a template loop around
it all — the same work for each of 250 cells of a page, 60 % of a list request. Here each column is compiled once per
table into a `_Cell` (its render method's arguments, its `<td>` attributes, its accessor's path) and the rows are
written by plain Python. What a cell shows is unchanged: the same render methods (`render_FOO`, the column's own),
the same links (`linkify`), choices' labels, defaults for empty values, localisation and escaping as the template's
`{{ cell }}`; anything the compiled path does not cover the same way (a dict row, a failing lookup, a callable `td`
attribute, a pinned row) is rendered by django-tables2's own code for that cell or row.
`tests/core/test_table_body.py` renders every list page both ways and compares them.
"""

from functools import partialmethod

from django.db import models
from django.template import Context, Template
from django.template.base import render_value_in_context
from django.templatetags.l10n import localize as localize_filter
from django.templatetags.l10n import unlocalize as unlocalize_filter
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.safestring import SafeString, mark_safe
from django_tables2 import Column, TemplateColumn
from django_tables2.columns.manytomanycolumn import ManyToManyColumn
from django_tables2.rows import BoundPinnedRow
from django_tables2.utils import A, signature

CELL_ARGUMENTS = frozenset({"value", "record", "column", "bound_column", "bound_row", "table"})
_ROW_CLASS = {False: 'class="even"', True: 'class="odd"'}  # BoundRow.get_even_odd_css_class, as_html


class _Fallback(Exception):
    """This cell is not one the compiled path renders exactly as django-tables2: let django-tables2 render it."""


def _has_callable(attrs) -> bool:
    return any(callable(v) or (isinstance(v, dict) and _has_callable(v)) for v in attrs.values())


def _default_display_field(cls, name):
    """The field whose `get_FOO_display` Django made for `cls` (None when the model defines its own)."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            attr = klass.__dict__[name]
            if isinstance(attr, partialmethod) and attr.func is models.Model._get_FIELD_display:
                return attr.keywords.get("field")
            return None
    return None


def _walk(obj, bits):
    """Accessor.resolve over model instances: attribute by attribute, callables called, stopping at None."""
    for bit in bits:
        if not isinstance(obj, models.Model):
            raise _Fallback  # a dict, a list, a plain object: Accessor.resolve's own order of lookups
        obj = getattr(obj, bit)
        if callable(obj):
            if getattr(obj, "alters_data", False):
                raise _Fallback
            if not getattr(obj, "do_not_call_in_templates", False):
                obj = obj()
        if obj is None:
            return None
    return obj


class _Cell:
    """One bound column, compiled for the rows of one table."""

    def __init__(self, table, bound_column):
        column = bound_column.column
        self.table = table
        self.bound_column = bound_column
        self.name = bound_column.name
        self.column = column
        accessor = A(bound_column.accessor)
        self.accessor = accessor
        self.bits = tuple(accessor.bits)
        path, _, self.remainder = accessor.rpartition(accessor.SEPARATOR)
        self.path_bits = tuple(A(path).bits)
        self.display_name = f"get_{self.remainder}_display"
        self.choices = {}  # record class -> whether the accessed field has choices (a label is shown)
        self.labels = {}  # model class -> (field, {value: label}) of Django's own get_FOO_display, built once
        self.empty_values = column.empty_values
        self.default = bound_column.default
        self.is_m2m = isinstance(column, ManyToManyColumn)
        self.link = bound_column.link
        self.render = bound_column.render
        self.plain = getattr(self.render, "__func__", None) is Column.render  # returns the value as it is
        # a TemplateColumn with inline code (DateColumn, DateTimeColumn): its template parsed once, not per cell
        self.template = Template(column.template_code) if (
            getattr(self.render, "__func__", None) is TemplateColumn.render and column.template_code) else None
        args, catch_all = signature(self.render)
        self.args = None if catch_all else args
        self.callable_ok = catch_all is not None or all(a in CELL_ARGUMENTS for a in args)
        self.localize = column.localize
        raw = dict(table.attrs)
        raw.update(dict(column.attrs))
        td = raw.get("td", raw.get("cell", {}))
        self.td_html = None if _has_callable(td) else bound_column.attrs["td"].as_html()

    def _has_choices(self, record) -> bool:
        kind = type(record)
        known = self.choices.get(kind)
        if known is None:
            field = self.accessor.get_field(record)
            known = self.choices[kind] = bool(getattr(field, "choices", ()))
        return known

    def value(self, record):
        """BoundRow._get_and_render_with's value: a choice's label, else the accessor's target. A lookup that
        fails (django-tables2 then shows the default, or a link column its text) is left to django-tables2."""
        if not self.remainder:
            raise _Fallback
        try:
            return self._value(record)
        except _Fallback:
            raise
        except Exception as exc:
            raise _Fallback from exc

    def _value(self, record):
        if self._has_choices(record):
            penultimate = _walk(record, self.path_bits)
            if isinstance(penultimate, models.Model):
                return self._label(penultimate)
        return _walk(record, self.bits)

    def _label(self, obj):
        """`obj.get_FOO_display()`; Django's own method with the choices' dict built once for the table instead
        of at every call (its labels still translated at each use, as Django does)."""
        kind = type(obj)
        known = self.labels.get(kind)
        if known is None:
            field = _default_display_field(kind, self.display_name)
            known = self.labels[kind] = (field, dict(make_hashable(field.flatchoices)) if field else None)
        field, labels = known
        if field is None:
            display = getattr(obj, self.display_name, None)
            if not display:
                raise _Fallback
            return display()
        value = getattr(obj, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)

    def _render_template(self, row, record, value):
        """TemplateColumn.render with the parsed template."""
        table, column = self.table, self.column
        parent = getattr(table, "context", Context())
        data = column.get_context_data(record=record, table=table, value=value, bound_column=self.bound_column,
                                       bound_row=row)
        with parent.update(data):
            parent["request"] = getattr(table, "request", None)
            return self.template.render(parent)

    def content(self, row, record):
        """What `row.get_cell(name)` gives: the default for an empty value, else the render method's answer,
        linked when the column links."""
        value = self.value(record)
        if value in self.empty_values or (self.is_m2m and not value.exists()):
            return self.default
        if self.plain and not self.link:
            return value
        kwargs = {"value": value, "record": record, "column": self.column, "bound_column": self.bound_column,
                  "bound_row": row, "table": self.table}
        if self.plain:
            content = value
        elif self.template is not None:
            content = self._render_template(row, record, value)
        elif self.args is None:
            content = self.render(**kwargs)
        elif self.callable_ok:
            content = self.render(**{a: kwargs[a] for a in self.args})
        else:
            content = None  # call_with_appropriate: an argument it cannot give, no call
        return self.link(content, **kwargs) if self.link else content

    def html(self, content, context) -> str:
        """The template's `{% if column.localize == None %}{{ cell }}{% else %}…{% endif %}`."""
        if callable(content) and not getattr(content, "do_not_call_in_templates", False):
            if getattr(content, "alters_data", False):
                return ""
            content = content()
        if self.localize is not None:
            content = localize_filter(content) if self.localize else unlocalize_filter(content)
        if type(content) is SafeString:
            return content
        return render_value_in_context(content, context)

    def td(self, row, content) -> str:
        if self.td_html is not None:
            return self.td_html
        bound_column = self.bound_column
        bound_column.current_value, bound_column.current_record = content, row.record
        return bound_column.attrs["td"].as_html()


def render_rows(table, context) -> SafeString:
    """The `<tr>`s of the table's current page (`table.paginated_rows`), as django-tables2's `table.tbody.row`
    block renders them; an empty string when there is no row."""
    cells = [_Cell(table, bc) for bc in table.columns]
    static_rows = not table.row_attrs
    out = []
    last = None
    for row in table.paginated_rows:
        record = row.record
        if isinstance(row, BoundPinnedRow):
            tds = [(cell, content) for cell, (_bc, content) in zip(cells, row.items(), strict=True)]
            out.append(f"<tr {row.attrs.as_html()}>")
        else:
            tds = []
            for cell in cells:
                try:
                    content = cell.content(row, record)
                except _Fallback:
                    content = row.get_cell(cell.name)
                tds.append((cell, content))
            out.append(f"<tr {_ROW_CLASS[bool(row.row_counter % 2)] if static_rows else row.attrs.as_html()}>")
        for cell, content in tds:
            out.append(f"<td {cell.td(row, content)}>{cell.html(content, context)}</td>")
        out.append("</tr>")
        last = (record, tds)
    if last is not None:  # as BoundRow.items leaves them: a callable `tf` attribute sees the last row
        for cell, content in last[1]:
            cell.bound_column.current_value, cell.bound_column.current_record = content, last[0]
    return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703 (every cell escaped above, as the template does)
