"""The one way out of the system into a spreadsheet: CSV and XLSX through tablib.

Every cell goes through `safe_cell`: markup is stripped (a page's `<span class="text-danger">-1</span>` is `-1`),
numbers stay numbers (a real `-5` too), and text that a spreadsheet would run as a formula (beginning with
`=`, `+`, `-`, `@`, tab or carriage return; OWASP's CSV-injection guidance) is prefixed with `'`.
List pages export through `SafeTableExport` (ERPListView); reports build rows and call `export_response`.
"""

import html
import re
from datetime import date, datetime
from decimal import Decimal

import tablib
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import strip_tags
from django_tables2.export import TableExport

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
