"""Issue 14 items 8 and 11: a blind count hides what its counters would copy (expected quantities and variances) on
every page and download until it is closed; no inventory export holds markup or more decimals than the page."""

import io
import re
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from inventory import services, stocktakes
from inventory.choices import MovementKind
from tests.factories.inventory import ProductFactory

pytestmark = pytest.mark.django_db

HIDDEN_HEADERS = {"Expected at opening", "Moved during count", "Expected now", "Variance", "Value"}


def _sheet(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def _page(response):
    """The page's HTML with the whitespace around tags removed (table headers are indented in their cells)."""
    return re.sub(r">\s+", ">", re.sub(r"\s+<", "<", response.content.decode()))


def _pdf_text(response, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture
def blind(product, loc, clerk, make_user):
    services.post_movement(product=product, quantity=37, to_location=loc, kind=MovementKind.RECEIPT, actor=clerk)
    st = stocktakes.open_stocktake(warehouse=loc.warehouse, actor=make_user("warehouse_manager"), blind=True)
    stocktakes.record_count(stocktake=st, location=loc, actor=clerk, code=product.sku, quantity="36",
                            method="typed")
    return st


def test_blind_count_counter_sees_no_expected_quantity_anywhere(client_as, blind, tmp_path):
    client = client_as("warehouse_clerk")
    page = _page(client.get(reverse("inventory:stocktake", args=[blind.pk])))
    assert 'data-testid="blind-note"' in page
    for header in HIDDEN_HEADERS:
        assert f">{header}<" not in page
    # neither the expected quantity nor the variance, as a cell or a total
    assert not re.search(r">(37|-1|¥-?[\d,.]+)<", page), re.findall(r">(37|-1|¥-?[\d,.]+)<", page)
    assert ">36<" in page
    rows = _sheet(client.get(reverse("inventory:stocktake_report", args=[blind.pk, "xlsx"])))
    assert not HIDDEN_HEADERS & set(rows[0]) and "Counted" in rows[0]
    assert not any(c in (37, -1, Decimal(37), Decimal(-1)) for row in rows[1:] for c in row)
    text = _pdf_text(client.get(reverse("inventory:stocktake_report", args=[blind.pk, "pdf"])), tmp_path)
    body = text.replace("Variance report", "")
    assert "Expected" not in body and "Variance" not in body and "Value" not in body and re.search(r"\b36\b", body)


def test_blind_count_approver_sees_them_and_counters_once_approved(client_as, blind, tmp_path):
    manager = client_as("warehouse_manager")
    page = _page(manager.get(reverse("inventory:stocktake", args=[blind.pk])))
    assert ">Expected at opening<" in page and 'data-testid="blind-note"' not in page
    stocktakes.approve_stocktake(blind, actor=manager.user)
    clerk = client_as("warehouse_clerk")
    page = _page(clerk.get(reverse("inventory:stocktake", args=[blind.pk])))
    assert ">Expected at opening<" in page
    rows = _sheet(clerk.get(reverse("inventory:stocktake_report", args=[blind.pk, "xlsx"])))
    assert "Variance" in rows[0]


DECIMALS = re.compile(r"\.(\d+)")


def _places(value):
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        text = format(Decimal(str(value)), "f")
        return len(text.split(".")[1].rstrip("0")) if "." in text else 0
    return 0


def test_stocktake_excel_has_no_markup_and_is_rounded_as_on_screen(client_as, product, loc, loc2, clerk):
    """-1 showed as <span class="text-danger">-1</span>, a value as -298.9479."""
    cheap = ProductFactory()
    services.post_movement(product=product, quantity=10, to_location=loc, kind=MovementKind.RECEIPT, actor=clerk,
                           unit_cost=Decimal("298.9479"))
    services.post_movement(product=cheap, quantity="2.5", to_location=loc2, kind=MovementKind.RECEIPT, actor=clerk,
                           unit_cost=Decimal("0.3333"))
    manager = client_as("warehouse_manager")
    st = stocktakes.open_stocktake(warehouse=loc.warehouse, actor=manager.user)
    stocktakes.record_count(stocktake=st, location=loc, actor=clerk, code=product.sku, quantity="9", method="typed")
    stocktakes.record_count(stocktake=st, location=loc2, actor=clerk, code=cheap.sku, quantity="1.125",
                            method="typed")
    rows = _sheet(manager.get(reverse("inventory:stocktake_report", args=[st.pk, "xlsx"])))
    header = rows[0]
    cells = [c for row in rows[1:] for c in row]
    assert not any(isinstance(c, str) and "<" in c for c in cells)
    value = header.index("Value")
    assert sorted(row[value] for row in rows[1:]) == [Decimal("-298.95"), Decimal("-0.46")] or \
        sorted(float(row[value]) for row in rows[1:]) == [-298.95, -0.46]
    variance = header.index("Variance")
    assert sorted(float(row[variance]) for row in rows[1:]) == [-1.375, -1.0]
    assert max(_places(row[value]) for row in rows[1:]) <= 2
    assert max(_places(c) for c in cells) <= 3


LISTS = ["inventory:product_list", "inventory:stock_list", "inventory:movement_list", "inventory:valuation",
         "inventory:no_movement", "inventory:alert_list", "inventory:warehouse_list", "inventory:location_list",
         "inventory:supplier_list", "inventory:purchaseorder_list", "inventory:suggestion_list",
         "inventory:stocktake_list"]


@pytest.mark.parametrize("name", LISTS)
def test_no_inventory_list_export_holds_markup_or_unrounded_numbers(client_as, product, loc, clerk, name):
    services.post_movement(product=product, quantity="3.3333", to_location=loc, kind=MovementKind.RECEIPT,
                           actor=clerk, unit_cost=Decimal("1.2345"))
    rows = _sheet(client_as("general_manager").get(reverse(name), {"_export": "xlsx"}))
    cells = [c for row in rows for c in row]
    assert not any(isinstance(c, str) and re.search(r"<\w", c) for c in cells)
    # quantities to 3 places, amounts to 2, unit prices and costs to 4 (1.2345 stays 1.2345): nothing unrounded
    assert max((_places(c) for c in cells), default=0) <= 4


def test_product_export_goes_through_the_kernel_helper(client_as, product):
    product.list_price = Decimal("12.5")
    product.specification = "=HYPERLINK(1)"
    product.save()
    rows = _sheet(client_as("general_manager").get(reverse("inventory:product_export")))
    assert "'=HYPERLINK(1)" in [c for row in rows for c in row]


def test_the_movements_list_and_its_export_name_who_posted_by_their_name(client_as, product, loc, make_user):
    """The movements list showed the clerk's user name ("clerk") where every other page names people (陈强)."""
    clerk = make_user("warehouse_clerk", username="clerk7", first_name="强", last_name="陈")
    services.post_movement(product=product, quantity="3", to_location=loc, kind=MovementKind.RECEIPT, actor=clerk)
    manager = client_as("general_manager")
    page = _page(manager.get(reverse("inventory:movement_list")))
    assert "陈强" in page or "强 陈" in page
    assert ">clerk7<" not in page
    rows = _sheet(manager.get(reverse("inventory:movement_list"), {"_export": "xlsx"}))
    posted_by = [row[rows[0].index("Posted by")] for row in rows[1:]]
    assert posted_by == [clerk.get_full_name()]
