"""A blind count, from opening to the ledger: the general manager opens a blind count of one bin, the clerk scans
it with a USB-wedge scanner (code + Enter at keyboard speed, in bursts) and never sees what the books expect, the
warehouse manager approves, and the adjustments are in the stock ledger: the stock figure moves by the variance.

The bin holds 37 bolts and 13 nuts on the books; the clerk finds 35 bolts and 14 nuts (−2 and +1).
"""

import re
from decimal import Decimal

import pytest

from . import data
from .conftest import number, scan, shot, t

BOOKS = {"bolt": 37, "nut": 13}
FOUND = {"bolt": 35, "nut": 14}


def ean13(stem12: str) -> str:
    digits = [int(c) for c in stem12]
    check = (10 - (sum(digits[0::2]) + 3 * sum(digits[1::2])) % 10) % 10
    return stem12 + str(check)


def on_hand(page, product, warehouse="SH") -> Decimal:
    page.goto(page.base + f"/inventory/products/{product.pk}/")
    row = page.locator("[data-testid=stock-by-warehouse] tbody tr", has_text=warehouse)
    return number(row.locator("td").nth(1).inner_text())


def shows_number(text: str, value: int) -> bool:
    return re.search(rf"(?<![\d.,]){value}(?![\d,]|\.\d)", text) is not None


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_blind_count_to_ledger(as_role, lang):
    from inventory.models import Location

    code = data.unique(f"JNY-S{lang.upper()}")
    serial = int(re.sub(r"\D", "", code)) % 10**9
    bolt, _ = data.stocked_product(sku=f"{code}-B", on_hand=0, barcode=ean13(f"691{serial:09d}"), box_unit=None)
    nut, _ = data.stocked_product(sku=f"{code}-N", on_hand=0, barcode=ean13(f"692{serial:09d}"), box_unit=None)
    wh_bin = Location.objects.create(warehouse=data.warehouse("SH"), code=f"J-{code[-6:]}")
    from inventory import services as stock
    for product, qty in ((bolt, BOOKS["bolt"]), (nut, BOOKS["nut"])):
        stock.post_movement(product=product, quantity=Decimal(qty), to_location=wh_bin, kind="receipt",
                            actor=data.user("clerk"), unit_cost=Decimal("1.20"), reference=f"INIT-{code}")

    # ---- the general manager opens a blind count of the bin
    gm = as_role("gm", lang)
    gm.goto(gm.base + "/inventory/stocktakes/new/")
    gm.select_option("select[name=warehouse]", str(data.warehouse("SH").pk))
    gm.select_option("select[name=locations]", str(wh_bin.pk))
    gm.check("input[name=blind]")
    gm.locator("main").get_by_role("button", name=t(gm, "Open the count", "开始盘点")).click()
    gm.wait_for_url(re.compile(r".*/inventory/stocktakes/\d+/$"))
    count_url = gm.url
    number_ = gm.inner_text("h1").split()[1]
    assert t(gm, "Blind count", "盲盘") in gm.inner_text("h1")
    shot(gm, f"j2-{lang}-01-opened")

    # ---- the clerk scans: bolts in bursts of 5, the nuts after them; the page never says what is expected
    clerk = as_role("clerk", lang)
    clerk.goto(clerk.base + "/inventory/stocktakes/")
    clerk.click(f"text={number_}")
    clerk.get_by_role("link", name=t(clerk, "Count (scan)", "盘点（扫码）")).click()
    clerk.wait_for_selector("[data-testid=scan-input]")
    clerk.select_option("#loc", wh_bin.code)
    scan(clerk, "[data-testid=scan-input]", [bolt.barcode] * FOUND["bolt"], burst=5)
    clerk.wait_for_function(f"() => document.querySelector('#last').textContent.includes('{bolt.sku}') && "
                            f"document.querySelector('[data-testid=running-count]').textContent.trim() === "
                            f"'{FOUND['bolt']}'")
    scan(clerk, "[data-testid=scan-input]", [nut.barcode] * FOUND["nut"], burst=7)
    clerk.wait_for_function(f"() => document.querySelector('#last').textContent.includes('{nut.sku}') && "
                            f"document.querySelector('[data-testid=running-count]').textContent.trim() === "
                            f"'{FOUND['nut']}'")
    assert clerk.evaluate("document.activeElement.id") == "code"  # the scanner's input kept the focus
    log = clerk.inner_text("[data-testid=scan-log]").lower()  # the running counts, never the books
    assert not any(word in log for word in ("expected", "账面", "预计")), log
    shot(clerk, f"j2-{lang}-02-scanning")

    # the variance report, as the clerk sees it while the count is open: counts, no expected quantity
    clerk.goto(count_url)
    headers = " ".join(clerk.locator("main table th").all_inner_texts())
    assert t(clerk, "Expected", "账面数") not in headers, "the clerk sees an expected column in a blind count"
    for key, product in (("bolt", bolt), ("nut", nut)):
        row = clerk.locator("[data-testid=variance-row]", has_text=product.sku).inner_text()
        assert shows_number(row, FOUND[key]), row
        assert not shows_number(row, BOOKS[key]), f"expected quantity shown to the counter: {row}"
    excel = clerk.request.get(f"{count_url}report.xlsx")
    assert excel.ok
    assert not _xlsx_mentions(excel.body(), BOOKS["bolt"], "expected", "账面"), "the Excel report shows expected"
    shot(clerk, f"j2-{lang}-03-clerk-report")

    # ---- the warehouse manager approves; the variances become stock adjustments
    whmgr = as_role("whmgr", lang)
    whmgr.goto(count_url)
    assert whmgr.inner_text("[data-testid=counted-lines]").strip() == "2 / 2"
    row = whmgr.locator("[data-testid=variance-row]", has_text=bolt.sku).inner_text()
    assert shows_number(row, BOOKS["bolt"])  # the approver sees the books and the variance
    shot(whmgr, f"j2-{lang}-04-approver-report")
    whmgr.on("dialog", lambda d: d.accept())
    whmgr.get_by_test_id("approve").click()
    whmgr.wait_for_selector(f"[data-testid=stocktake-status]:has-text('{t(whmgr, 'Approved', '已审核')}')")
    shot(whmgr, f"j2-{lang}-05-approved")

    # ---- the ledger: one stocktake correction per product, and the stock figure moved by the variance
    whmgr.goto(whmgr.base + f"/inventory/movements/?q={code}")
    ledger = whmgr.locator("main table tbody tr")
    corrections = ledger.filter(has_text=t(whmgr, "Stocktake correction", "盘点调整"))
    assert corrections.count() == 2, whmgr.inner_text("main table")
    out = corrections.filter(has_text=bolt.sku).locator("td")  # posted, kind, product, from, to, quantity
    assert wh_bin.code in out.nth(3).inner_text() and number(out.nth(5).inner_text()) == 2  # 2 bolts out of the bin
    into = corrections.filter(has_text=nut.sku).locator("td")
    assert wh_bin.code in into.nth(4).inner_text() and number(into.nth(5).inner_text()) == 1  # 1 nut into it
    shot(whmgr, f"j2-{lang}-06-ledger")
    assert on_hand(whmgr, bolt) == FOUND["bolt"]  # 37 − 2
    assert on_hand(whmgr, nut) == FOUND["nut"]  # 13 + 1


def _xlsx_mentions(body: bytes, value: int, *words) -> bool:
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = " ".join(str(c) for c in rows[0] if c is not None).lower() if rows else ""
    if any(w.lower() in header for w in words):
        return True
    return any(c is not None and str(c) in (str(value), f"{value}.000", f"{value}.0") for r in rows[1:] for c in r)
