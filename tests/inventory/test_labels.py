"""Labels must scan and fit: every label of every size is rendered at the printer's resolution (pdftoppm) and
decoded with an independent decoder (zxing-cpp); the words' boxes (pdftotext -bbox) stay inside their label."""

import re
import subprocess
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from hardware_erp.core import pdf as core_pdf
from inventory.labels import ELLIPSIS, SHEETS, LabelSize, fit_text, plan_code
from inventory.models import Location, Product
from inventory.pdf import location_labels_pdf, product_labels_pdf
from tests.factories.inventory import LocationFactory, ProductFactory, WarehouseFactory
from tests.pdffonts import assert_all_embedded

pytestmark = pytest.mark.django_db

COMBINATIONS = [(size, dpi) for size in LabelSize.values for dpi in (203, 300)]
PT_PER_MM = mm


def _max(model, field):
    return model._meta.get_field(field).max_length


def render(content, tmp_path, name, dpi):
    path = Path(tmp_path) / f"{name}.pdf"
    path.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(tmp_path / name)], check=True)
    return path


def decode(tmp_path, name) -> list[list[tuple[str, str]]]:
    """The codes found on each page, page by page."""
    return [[(r.format.name, r.text) for r in zxingcpp.read_barcodes(Image.open(png))]
            for png in sorted(Path(tmp_path).glob(f"{name}-*.png"))]


def words(path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words with their boxes in points (x0, y0 from the top-left, x1, y1)."""
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        pages.append([(float(a), float(b), float(c), float(d), unescape(w)) for a, b, c, d, w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page)])
    return pages


def cells(size, count):
    """The label boxes (x0, y0 from the top, x1, y1) of `count` labels, page by page."""
    sheet = SHEETS[size]
    page_w, page_h = sheet.page
    left = (page_w - sheet.cols * sheet.w) / 2
    top = (page_h - sheet.rows * sheet.h) / 2
    per_page = sheet.cols * sheet.rows
    out = []
    for i in range(count):
        n = i % per_page
        x, y = left + (n % sheet.cols) * sheet.w, top + (n // sheet.cols) * sheet.h
        out.append((i // per_page, (x, y, x + sheet.w, y + sheet.h)))
    return out


def assert_inside(path, size, count):
    """Every word lies inside one label's box (a word that runs into the next label, or off the roll, fails)."""
    boxes = cells(size, count)
    for page_no, page in enumerate(words(path)):
        mine = [box for p, box in boxes if p == page_no]
        for x0, y0, x1, y1, word in page:
            assert any(bx0 - 0.5 <= x0 and x1 <= bx1 + 0.5 and by0 - 0.5 <= y0 and y1 <= by1 + 0.5
                       for bx0, by0, bx1, by1 in mine), f"{word!r} at {x0:.1f},{y0:.1f}-{x1:.1f},{y1:.1f} overflows"


def label_text(path, size, count) -> list[str]:
    """The text of each label, words in reading order joined without spaces."""
    boxes = cells(size, count)
    texts = ["" for _ in range(count)]
    for page_no, page in enumerate(words(path)):
        for i, (p, (bx0, by0, bx1, by1)) in enumerate(boxes):
            if p == page_no:
                texts[i] = "".join(w for x0, y0, x1, y1, w in page if bx0 - 1 <= x0 and x1 <= bx1 + 1
                                   and by0 - 1 <= y0 and y1 <= by1 + 1)
    return texts


@pytest.fixture
def longest_products():
    """The longest values the fields allow next to everyday ones: a 40-character SKU and Code 128 barcode, 200
    characters of name in each language, every specification field full; an EAN-13 product; an internal code."""
    longest = ProductFactory(
        sku="S" * (_max(Product, "sku") - 1) + "9",
        barcode="".join(chr(33 + (i * 7) % 94) for i in range(_max(Product, "barcode"))).replace("<", "A")
        .replace("&", "B"),
        name_zh=("加长型不锈钢内六角圆柱头螺钉带弹垫平垫组合" * 20)[:200],
        name_en=("Stainless hex socket cap screw " * 7)[:200],
        thread="M" + "9" * (_max(Product, "thread") - 1), length_mm=Decimal("9999999.9"),
        material="不锈钢" * (_max(Product, "material") // 3), finish="达克罗" * (_max(Product, "finish") // 3),
        strength_grade="A" * _max(Product, "strength_grade"), standard="GB/T " + "5" * (_max(Product, "standard") - 5),
        specification="规格" * (_max(Product, "specification") // 2))
    assert len(longest.sku) == 40 and len(longest.barcode) == 40 and len(longest.name_zh) == 200
    ean = ProductFactory(sku="EAN-PRODUCT", name_zh="膨胀螺栓 M10×80", barcode="6901234567892", barcode_kind="ean13")
    internal = ProductFactory(sku="BLT-M8X30-ZN", name_zh="六角螺栓", name_en="Hex bolt", barcode=None)
    wide = ProductFactory(sku="M" * 40, name_zh="W" * 200, name_en="", barcode="W" * 40, specification="W" * 200)
    return [longest, ean, internal, wide]


@pytest.mark.parametrize(("size", "dpi"), COMBINATIONS)
def test_product_labels_decode_and_fit_at_every_size(size, dpi, longest_products, tmp_path):
    products = longest_products
    content = product_labels_pdf(products, size, dpi)
    assert_all_embedded(content, f"product labels {size} at {dpi} dpi")  # SKUs and codes too, not Helvetica
    path = render(content, tmp_path, "p", dpi)
    found = [code for page in decode(tmp_path, "p") for code in page]
    # every label's code decodes to exactly its value, once
    assert sorted(text for _, text in found) == sorted(p.barcode for p in products)
    kinds = {text: fmt for fmt, text in found}
    assert kinds["6901234567892"] == "EAN13"
    assert kinds[products[2].barcode] == "Code128"  # a short internal code stays linear
    assert kinds[products[0].barcode] == "QRCode"  # 40 characters of Code 128 do not fit at a readable module
    assert_inside(path, size, len(products))
    texts = label_text(path, size, len(products))
    for product, text in zip(products, texts, strict=True):
        # codes are printed whole (wrapped, never cut); the name is cut with an ellipsis only when it must be
        assert product.sku in text and product.barcode in text
    assert ELLIPSIS in texts[0] and "加长型不锈钢" in texts[0]
    assert "六角螺栓Hexbolt" in texts[2] and ELLIPSIS not in texts[2]


@pytest.mark.parametrize(("size", "dpi"), COMBINATIONS)
def test_bin_labels_encode_the_printed_code_at_every_size(size, dpi, tmp_path):
    warehouse = WarehouseFactory(code="COLD", name_zh="冷库一号仓（温州瓯海区南白象街道工业园区）" * 3)
    codes = ["A-01-01", "COLDSTORE-AISLE12-RACK03-S04", "W" * _max(Location, "code"),
             "-".join(["Z9"] * 10)[: _max(Location, "code")].rstrip("-")]
    locations = [LocationFactory(warehouse=warehouse, code=code, description="冷冻品货架顶层" * 8) for code in codes]
    content = location_labels_pdf(locations, size, dpi)
    assert_all_embedded(content, f"bin labels {size} at {dpi} dpi")
    path = render(content, tmp_path, "l", dpi)
    found = [code for page in decode(tmp_path, "l") for code in page]
    # the scanner reads exactly the bin code printed on the label (no LOC:<warehouse>: prefix)
    assert sorted(text for _, text in found) == sorted(codes)
    assert {t: f for f, t in found}["A-01-01"] == "Code128"
    assert {t: f for f, t in found}["COLDSTORE-AISLE12-RACK03-S04"] == "QRCode"
    assert_inside(path, size, len(locations))
    for code, text in zip(codes, label_text(path, size, len(locations)), strict=True):
        assert code in text  # printed whole (COLDSTORE-AISLE12-RACK03-S04 once printed as COLDSTORI)


def test_thermal_labels_are_one_per_page_of_the_label_size(longest_products, tmp_path):
    path = render(product_labels_pdf(longest_products, LabelSize.T60X40, 203), tmp_path, "t", 203)
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "9", str(path)], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+4$", info, re.M)
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert len(sizes) == 4
    assert all(abs(float(w) - 60 * mm) < 0.1 and abs(float(h) - 40 * mm) < 0.1 for w, h in sizes)


def test_text_wraps_then_shrinks_then_ends_in_an_ellipsis():
    core_pdf.register_fonts()
    font, width = core_pdf.CJK_FONT, 40 * mm  # 12 characters a line at 9 pt
    short = fit_text("六角螺栓", font, width, max_size=9)
    assert short.lines == ["六角螺栓"] and short.size == 9
    two = fit_text("六角螺栓" * 5, font, width, max_size=9)  # 20 characters: two lines, size kept
    assert len(two.lines) == 2 and two.size == 9 and "".join(two.lines) == "六角螺栓" * 5
    shrunk = fit_text("六角螺栓" * 7, font, width, max_size=9)  # too long for two lines at 9 pt: smaller
    assert len(shrunk.lines) == 2 and 6 <= shrunk.size < 9 and "".join(shrunk.lines) == "六角螺栓" * 7
    cut = fit_text("六角螺栓" * 50, font, width, max_size=9)  # even 6 pt is not enough: an ellipsis
    assert len(cut.lines) == 2 and cut.size == 6 and cut.lines[-1].endswith(ELLIPSIS)
    for fitted in (short, two, shrunk, cut):
        assert all(stringWidth(line, font, fitted.size) <= width for line in fitted.lines)
    # a code is never cut: it breaks after a dash rather than inside a part, and takes a third line if it must
    code = fit_text("COLDSTORE-AISLE12-RACK03-S04", "Helvetica-Bold", 25 * mm, max_size=16, max_lines=3,
                    ellipsis=False)
    assert "".join(code.lines) == "COLDSTORE-AISLE12-RACK03-S04"
    assert all(line.endswith("-") or line == code.lines[-1] for line in code.lines)


def test_module_is_whole_printer_dots_of_at_least_a_quarter_millimetre():
    for dpi, dots in ((203, 2), (300, 3)):
        code = plan_code("X" * 12, 50 * mm, dpi)  # 187 modules with the quiet zones: only the smallest module fits
        assert code is not None and code.symbology == "code128"
        assert code.dots == dots and abs(code.module - code.dots * 72 / dpi) < 1e-9
        assert code.module / mm >= 0.25 - 1e-9
        assert plan_code("X" * 40, 70 * mm, dpi) is None  # would need bars thinner than a quarter millimetre


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
    monkeypatch.setattr(inventory_pdf, "product_labels_pdf",
                        lambda products, *args: printed.extend(products) or b"%PDF")
    client = client_as("warehouse_clerk")
    page = client.get(reverse("inventory:product_list"), {"q": "LBL", "material": "brass"}).content.decode()
    form = page[page.index('id="labels-form"'):]
    form = form[:form.index("</form>")]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)" data-filter-copy>', form))
    assert fields == {"q": "LBL", "material": "brass"}
    response = client.post(reverse("inventory:product_labels"), fields)
    assert response.status_code == 200
    assert printed == [wanted]


def test_label_page_prints_the_chosen_size_and_offers_it_again(client_as, tmp_path):
    """The size and resolution are chosen next to the Labels button; the next visit offers the same choice."""
    from django.urls import reverse

    products = [ProductFactory(sku=f"CHOICE-{i}") for i in range(3)]
    client = client_as("warehouse_clerk")
    page = client.get(reverse("inventory:product_list")).content.decode()
    assert 'name="size"' in page and 'value="50x30"' in page and 'value="203"' in page
    response = client.post(reverse("inventory:product_labels"),
                           {"ids": ",".join(str(p.pk) for p in products), "size": "50x30", "dpi": "203"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = Path(tmp_path) / "labels.pdf"
    path.write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)
    info = subprocess.run(["pdfinfo", "-l", "9", str(path)], capture_output=True, text=True).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert len(sizes) == 3 and all(abs(float(w) - 50 * mm) < 0.1 and abs(float(h) - 30 * mm) < 0.1
                                   for w, h in sizes)
    again = client.get(reverse("inventory:location_list")).content.decode()
    assert '<option value="50x30" selected>' in again and '<option value="203" selected>' in again
