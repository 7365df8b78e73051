"""Issue 19, item 1: every list page's export, read in chunks with each column's value function called directly
(`table_rows`), gives the cells django-tables2's own per-cell export gives (`SafeTableExport`), over the demo data."""

import tempfile
from decimal import Decimal
from pathlib import Path

import django_tables2 as tables
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from crm.models import Customer
from hardware_erp.core.export_jobs import list_table
from hardware_erp.core.exports import (
    SafeTableExport,
    export_response,
    export_title,
    table_rows,
    whole_result,
    write_export,
)
from hardware_erp.core.models import ExportJob
from tests.perf import querycount

pytestmark = pytest.mark.django_db


def both(user, url, query=""):
    """(django-tables2's per-cell export, the fast export) of a list as CSV text; the worker's file (the rows
    neutralised as they are read, `safe=True`) is checked equal to the fast export on the way."""
    job = ExportJob(user=user, path=url, query=query, fmt="csv", filename="x.csv")
    table, exclude = list_table(job)
    reference = SafeTableExport("csv", table, exclude_columns=exclude).export()
    table, exclude = list_table(job)
    values = table_rows(table, exclude_columns=exclude)
    fast = export_response(next(values), values, filename="x.csv", fmt="csv", title=export_title(table))
    fast = fast.content.decode("utf-8")
    table, exclude = list_table(job)
    values = table_rows(table, exclude_columns=exclude, safe=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.csv"
        write_export(path, next(values), values, fmt="csv", safe=True)
        assert path.read_bytes().decode("utf-8") == fast, url  # the worker's file
    return reference, fast


def test_every_list_exports_the_cells_django_tables2_gives(settings):
    settings.SLOW_REQUEST_MS = 10**9
    call_command("seed_demo", verbosity=0)
    user = get_user_model().objects.create_superuser("exporter", password=None)
    pages = querycount.list_pages()
    assert len(pages) >= 30
    compared = 0
    for name, view in pages:
        if not view.export_formats:
            continue
        url = reverse(name)
        reference, fast = both(user, url)
        assert fast == reference, name
        compared += reference.count("\n") > 1
    assert compared >= 25  # most lists have demo rows to compare


def test_a_filtered_sorted_list_as_a_rep():
    call_command("seed_demo", verbosity=0, only=["inventory", "crm"])
    rep = get_user_model().objects.get(username="rep1")
    rep.user_permissions.add(Permission.objects.get(codename="export_customer"))
    rep = get_user_model().objects.get(pk=rep.pk)
    reference, fast = both(rep, reverse("crm:customer_list"), "sort=-last_contact_at&customer_type=retailer")
    mine = Customer.objects.for_user(rep).filter(customer_type="retailer").count()
    assert fast == reference and reference.count("\n") == mine + 1 and mine >= 1


def test_customer_and_product_lists_are_read_as_values_not_records():
    """The two lists exported at a year's size take the compiled path: one `values_list` query of the columns'
    fields (the customer's encrypted bank account, never exported, is not read), every cell as django-tables2
    gives it, text a spreadsheet would run as a formula neutralised and real negative numbers kept."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories.crm import CustomerFactory
    from tests.factories.inventory import ProductFactory

    user = get_user_model().objects.create_superuser("exporter", password=None)
    for name in ("=HYPERLINK(\"x\")", "-5", "@SUM(A1)", "+86 五金", "普通五金店"):
        CustomerFactory(name=name, owner=user, level="a", bank_account="6222020200112233")
    CustomerFactory(name="无地区", owner=None, province="", city="", district="", level="vip")
    ProductFactory(name_zh="=1+1", specification="M8")
    for url, model_table, unexported in (("/crm/customers/", "crm_customer", "bank_account"),
                                         ("/inventory/products/", "inventory_product", "barcode")):
        with CaptureQueriesContext(connection) as queries:
            reference, fast = both(user, url)
        assert fast == reference and reference.count("\n") > 1, url
        reads = [q["sql"] for q in queries.captured_queries if f'FROM "{model_table}"' in q["sql"]
                 and "COUNT(" not in q["sql"]]
        assert reads and f'"{unexported}"' in reads[0] and f'"{unexported}"' not in reads[-1], url
    job = ExportJob(user=user, path="/crm/customers/", query="", fmt="csv", filename="x.csv")
    table, exclude = list_table(job)
    values = table_rows(table, exclude_columns=exclude)
    text = export_response(next(values), values, filename="x.csv", fmt="csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text and "'+86 五金" in text
    assert "\n-5," in text  # a real negative number stays a number


def test_related_objects_are_loaded_a_chunk_at_a_time(monkeypatch):
    """Owners (a relation) read by key a chunk at a time, the kept ones bounded: the cells stay django-tables2's."""
    from hardware_erp.core import exports
    from tests.factories.crm import CustomerFactory

    monkeypatch.setattr(exports, "CHUNK_ROWS", 2)
    monkeypatch.setattr(exports._Related, "LIMIT", 1)
    user = get_user_model().objects.create_superuser("exporter", password=None)
    for i in range(7):
        CustomerFactory(name=f"客户{i}", owner=None if i == 3 else
                        get_user_model().objects.create_user(f"rep-x{i}", password=None, last_name=f"李{i}"))
    reference, fast = both(user, "/crm/customers/")
    assert fast == reference and reference.count("\n") == 8 and "李6" in fast


def test_a_filter_the_form_refuses_exports_the_header_only():
    """An invalid filter gives the list's empty queryset (`none()`), whose SQL cannot be compiled: the export is
    the header row, as django-tables2's own, not a server error."""
    user = get_user_model().objects.create_superuser("exporter", password=None)
    reference, fast = both(user, reverse("crm:customer_list"), "owner=not-a-number&credit_limit_min=NaN")
    assert fast == reference and fast.count("\n") == 1


def test_repeated_values_are_formatted_once_each_and_keep_their_scale(monkeypatch):
    """Values that repeat (an owner, a level, a figure) are formatted once each, a column whose values hardly
    repeat stops keeping them, and a computed decimal keeps its own scale: 0 and 0.00 are equal numbers but
    different cells."""
    from django.db.models import Case, DecimalField, F, Value, When

    from hardware_erp.core import exports
    from tests.factories.crm import CustomerFactory

    monkeypatch.setattr(exports, "CHUNK_ROWS", 3)
    monkeypatch.setattr(exports, "MEMO_LIMIT", 4)
    user = get_user_model().objects.create_superuser("exporter", password=None)
    for i in range(11):
        CustomerFactory(name=f"客户{i:02d}", owner=user, level="a" if i % 2 else "b", credit_limit=Decimal(0))

    class FigureTable(tables.Table):
        name = tables.Column()
        level = tables.Column()
        owner = tables.Column()
        figure = tables.Column()

    rows = Customer.objects.annotate(figure=Case(
        When(level="a", then=F("credit_limit")), default=Value(Decimal("0")),
        output_field=DecimalField(max_digits=14, decimal_places=2))).order_by("name")
    reference = list(FigureTable(rows).as_values())
    fast = [list(row) for row in table_rows(FigureTable(rows))]
    assert fast == reference and len(fast) == 12
    if connection.vendor == "postgresql":  # SQLite gives a computed decimal without its scale (on both paths)
        assert {str(row[-1]) for row in fast[1:]} == {"0", "0.00"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner setting")
def test_an_export_cursor_is_planned_for_every_row():
    """`.iterator()` reads through a cursor that PostgreSQL plans for its first tenth of rows; an export reads them
    all (a fast-start plan took minutes for 50,000 products): the setting holds while the rows are read, then goes
    back to what it was."""
    from django.db import connection

    from tests.factories.crm import CustomerFactory

    for i in range(5):
        CustomerFactory(name=f"客户{i}")

    def fraction():
        with connection.cursor() as cursor:
            cursor.execute("SHOW cursor_tuple_fraction")
            return float(cursor.fetchone()[0])

    before = fraction()
    rows = whole_result(Customer.objects.values_list("pk", flat=True), 2)
    first = next(rows)
    assert fraction() == 1.0
    assert len([first, *rows]) == 5
    assert fraction() == before < 1.0
