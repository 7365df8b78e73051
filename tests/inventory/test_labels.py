"""Labels must scan: render the PDF to an image and decode every code with an independent decoder."""

import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from inventory.pdf import location_labels_pdf, product_labels_pdf
from tests.factories.inventory import LocationFactory, ProductFactory

pytestmark = pytest.mark.django_db


def decode_pdf(content, tmp_path) -> list[tuple[str, str]]:
    pdf = Path(tmp_path) / "labels.pdf"
    pdf.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(pdf), str(tmp_path / "page")], check=True)
    found = []
    for png in sorted(Path(tmp_path).glob("page*.png")):
        for r in zxingcpp.read_barcodes(Image.open(png)):
            found.append((r.format.name, r.text))
    return found


def test_product_labels_scan(tmp_path):
    ean = ProductFactory(name_zh="膨胀螺栓 M10×80", barcode="6901234567892", barcode_kind="ean13")
    internal = [ProductFactory(barcode=None) for _ in range(4)]
    content = product_labels_pdf([ean, *internal])
    found = decode_pdf(content, tmp_path)
    assert sorted(text for _, text in found) == sorted([ean.barcode] + [p.barcode for p in internal])
    assert ("EAN13", "6901234567892") in found
    assert {fmt for fmt, text in found if text.startswith("HW")} == {"Code128"}


def test_location_labels_scan(tmp_path):
    locations = [LocationFactory() for _ in range(5)]
    found = decode_pdf(location_labels_pdf(locations), tmp_path)
    assert sorted(found) == sorted(("QRCode", loc.qr_value) for loc in locations)


@pytest.mark.django_db
def test_labels_follow_every_filter_of_the_list(client_as, monkeypatch):
    """Issue 14 item 10: the Labels button printed the whole catalogue after a search made in the filter bar."""
    import re

    from django.urls import reverse

    from inventory import pdf as inventory_pdf
    from tests.factories.inventory import ProductFactory

    wanted = ProductFactory(sku="LBL-ONE", material="brass")
    ProductFactory(sku="LBL-TWO", material="steel")
    ProductFactory.create_batch(5)
    printed = []
    monkeypatch.setattr(inventory_pdf, "product_labels_pdf", lambda products: printed.extend(products) or b"%PDF")
    client = client_as("warehouse_clerk")
    page = client.get(reverse("inventory:product_list"), {"q": "LBL", "material": "brass"}).content.decode()
    form = page[page.index('id="labels-form"'):]
    form = form[:form.index("</form>")]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)" data-filter-copy>', form))
    assert fields == {"q": "LBL", "material": "brass"}
    response = client.post(reverse("inventory:product_labels"), fields)
    assert response.status_code == 200
    assert printed == [wanted]
