"""Browser test: a bin label printed on a thermal label is decoded (zxing-cpp, 203 dpi) and its text typed into the
count page as a scanner types it: the page switches to that bin and the next scans count there. A label printed
before bin labels encoded the bin code as printed (LOC:<warehouse>:<bin>) still switches too."""

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from tests.e2e.conftest import login, shot

PASSWORD = "correct-horse-battery"


@pytest.fixture
def bins(transactional_db):
    from hardware_erp.core.management.commands.sync_roles import sync_roles
    from inventory import services, stocktakes
    from inventory.choices import MovementKind
    from tests.factories import UserFactory
    from tests.factories.inventory import LocationFactory, ProductFactory, WarehouseFactory

    sync_roles()
    clerk = UserFactory.with_role("warehouse_clerk", username="clerk7")
    opener = UserFactory.with_role("general_manager", username="gm7")
    wh = WarehouseFactory(code="COLD", name_zh="冷库", name_en="Cold store")
    first = LocationFactory(warehouse=wh, code="A-01-01")
    cold = LocationFactory(warehouse=wh, code="COLDSTORE-AISLE12-RACK03-S04")
    bolt = ProductFactory(sku="GB5782-M8X30", name_zh="六角头螺栓 M8×30", barcode="6901234567892",
                          barcode_kind="ean13")
    for loc in (first, cold):
        services.post_movement(product=bolt, quantity=5, to_location=loc, kind=MovementKind.RECEIPT, actor=clerk,
                               unit_cost=Decimal("0.50"))
    st = stocktakes.open_stocktake(warehouse=wh, actor=opener)
    return {"st": st, "bolt": bolt, "first": first, "cold": cold}


def decoded_label(location, tmp_path) -> str:
    from inventory.labels import LabelSize
    from inventory.pdf import location_labels_pdf

    pdf = Path(tmp_path) / "bin.pdf"
    pdf.write_bytes(location_labels_pdf([location], LabelSize.T50X30, 203))
    subprocess.run(["pdftoppm", "-r", "203", "-png", str(pdf), str(tmp_path / "bin")], check=True)
    [result] = zxingcpp.read_barcodes(Image.open(next(Path(tmp_path).glob("bin*.png"))))
    return result.text


def test_a_scanned_bin_label_switches_the_count_to_that_bin(new_page, bins, tmp_path):
    from inventory.models import StocktakeLine

    st, bolt, cold = bins["st"], bins["bolt"], bins["cold"]
    text = decoded_label(cold, tmp_path)
    assert text == "COLDSTORE-AISLE12-RACK03-S04"  # what the label prints, nothing else
    page = new_page()
    login(page, "clerk7", PASSWORD)
    page.goto(f"{page.base}/inventory/stocktakes/{st.pk}/count/")
    scan = page.get_by_test_id("scan-input")
    assert page.locator("#loc").input_value() == "A-01-01"
    scan.type(text.lower(), delay=0)  # a scanner in lower-case mode
    scan.press("Enter")
    page.wait_for_function("() => document.getElementById('loc').value === 'COLDSTORE-AISLE12-RACK03-S04'")
    for _ in range(3):
        scan.type(bolt.barcode, delay=0)
        scan.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#log li').length >= 4")
    page.wait_for_function("() => document.querySelector('#last').textContent.includes('COLDSTORE')")
    shot(page, "inventory-count-bin-label")
    line = StocktakeLine.objects.get(stocktake=st, location=cold, product=bolt)
    assert line.counted == Decimal("3")
    assert not StocktakeLine.objects.filter(stocktake=st, location=bins["first"], counted__gt=0).exists()
    # an old label (LOC:<warehouse>:<bin>) still switches
    scan.type("LOC:COLD:A-01-01", delay=0)
    scan.press("Enter")
    page.wait_for_function("() => document.getElementById('loc').value === 'A-01-01'")
