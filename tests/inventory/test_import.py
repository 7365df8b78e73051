import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory.models import Product
from tests.factories.inventory import CategoryFactory, ProductFactory, UnitFactory

pytestmark = pytest.mark.django_db
HEAD = ["sku", "name_zh", "name_en", "category", "base_unit", "barcode", "standard_cost", "list_price", "active"]


def upload(rows, name="p.csv"):
    ds = tablib.Dataset(headers=HEAD)
    for r in rows:
        ds.append(r)
    return SimpleUploadedFile(name, ds.export("csv").encode("utf-8"), content_type="text/csv")


@pytest.fixture
def refs(db):
    return CategoryFactory(code="bolts"), UnitFactory(code="pcs")


def test_dry_run_shows_every_bad_row_and_writes_nothing(client_as, refs):
    client = client_as("purchaser")
    f = upload([["GB5782-M6X20", "六角头螺栓 M6×20", "Hex bolt", "bolts", "pcs", "", "0.1", "0.2", "1"],
                ["BAD-1", "坏行", "", "nosuch", "pcs", "", "0.1", "0.2", "1"],
                ["BAD-2", "坏条码", "", "bolts", "pcs", "6901234567891", "0.1", "0.2", "1"],
                ["BAD-3", "坏价格", "", "bolts", "pcs", "", "abc", "0.2", "1"]])
    response = client.post(reverse("inventory:product_import"), {"file": f})
    preview = response.context["preview"]
    assert [bool(r["errors"]) for r in preview] == [False, True, True, True]
    assert not response.context["ok"]
    assert Product.objects.count() == 0
    assert "EAN-13" in response.content.decode()


def test_good_file_previews_then_imports(client_as, refs):
    existing = ProductFactory(sku="DIN933-M8X30", category=refs[0], base_unit=refs[1], name_zh="旧名")
    client = client_as("purchaser")
    f = upload([["GB5782-M6X20", "六角头螺栓 M6×20", "Hex bolt", "bolts", "pcs", "6901234567892", "0.1", "0.2", "1"],
                ["DIN933-M8X30", "外六角螺栓 M8×30", "Hex screw", "bolts", "pcs", existing.barcode, "0.2", "0.3",
                 "1"]])
    response = client.post(reverse("inventory:product_import"), {"file": f})
    assert response.context["ok"] and response.context["counts"] == {"new": 1, "update": 1}
    assert Product.objects.count() == 1
    response = client.post(reverse("inventory:product_import_confirm"))
    assert response.status_code == 302
    assert Product.objects.get(sku="GB5782-M6X20").barcode_kind == "ean13"
    assert Product.objects.get(sku="DIN933-M8X30").name_zh == "外六角螺栓 M8×30"


def test_export_in_import_format(client_as, refs):
    ProductFactory.create_batch(3, category=refs[0], base_unit=refs[1])
    response = client_as("purchaser").get(reverse("inventory:product_export"))
    ds = tablib.Dataset().load(response.content, format="xlsx")
    assert ds.headers[:3] == ["sku", "name_zh", "name_en"] and len(ds) == 3


def test_not_a_spreadsheet(client_as, refs):
    f = SimpleUploadedFile("x.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client_as("purchaser").post(reverse("inventory:product_import"), {"file": f})
    assert "xlsx" in response.content.decode() and Product.objects.count() == 0
