"""Suggestion to receipt: stock has fallen below the minimum, the purchaser recomputes the suggestions and orders the
line, the general manager approves the purchase order, the purchaser sends it, the clerk receives part of it and the
stock goes up by exactly what was received (the rest stays on order)."""

import re
from decimal import Decimal

import pytest

from . import data
from .conftest import number, shot, t


def stock_row(page, product, warehouse="SH"):
    page.goto(page.base + f"/inventory/products/{product.pk}/")
    cells = page.locator("[data-testid=stock-by-warehouse] tbody tr", has_text=warehouse).locator("td")
    return number(cells.nth(1).inner_text())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_suggestion_to_partial_receipt(as_role, lang):
    from inventory.models import StockThreshold, Supplier, SupplierProduct, Warehouse

    code = data.unique(f"JNY-P{lang.upper()}")
    product, _bin = data.stocked_product(sku=code, on_hand=10, box_unit=None)
    sh = Warehouse.objects.get(code="SH")
    StockThreshold.objects.create(product=product, warehouse=sh, minimum=Decimal("100"), maximum=Decimal("300"))
    supplier = Supplier.objects.filter(active=True).order_by("code").first()
    SupplierProduct.objects.create(supplier=supplier, product=product, price=Decimal("0.95"), lead_time_days=7,
                                   pack_size=Decimal("50"), moq=Decimal("0"), preferred=True)

    clerk = as_role("clerk", lang)
    before = stock_row(clerk, product)
    assert before == Decimal("10")

    # ---- the purchaser recomputes, finds the line, orders it
    buyer = as_role("purchaser", lang)
    buyer.goto(buyer.base + "/inventory/suggestions/")
    buyer.click("form[action$='/suggestions/recompute/'] button")
    buyer.wait_for_url(re.compile(r".*/inventory/suggestions/$"))
    buyer.goto(buyer.base + f"/inventory/suggestions/?q={code}")
    row = buyer.locator("#list-table tbody tr, main table tbody tr", has_text=code).first
    suggested = number(row.locator("td").nth(9).inner_text())  # "Suggested"
    assert suggested > 0 and suggested % 50 == 0, row.inner_text()  # whole packs of 50
    assert t(buyer, supplier.name_en, supplier.name_zh) in row.inner_text()  # its preferred supplier
    shot(buyer, f"j3-{lang}-01-suggestion")
    row.locator("input[name=ids]").check()
    buyer.click("[data-testid=order-selected]")
    buyer.wait_for_url(re.compile(r".*/inventory/purchase-orders/$"))
    po_number = re.search(r"PO[-\w]+", buyer.inner_text(".alert-success, [data-testid=messages]")).group(0)
    buyer.locator("main table a").get_by_text(po_number, exact=True).click()
    po_url = buyer.url
    assert code in buyer.inner_text("main")
    assert buyer.locator("[data-testid=po-status]").inner_text().strip() == t(buyer, "Draft", "草稿")
    shot(buyer, f"j3-{lang}-02-po-draft")

    # ---- the general manager approves it; the purchaser sends it to the supplier
    gm = as_role("gm", lang)
    gm.goto(po_url)
    gm.locator("form[action$='/transition/']", has=gm.locator("input[value=approved]")).locator("button").click()
    assert gm.locator("[data-testid=po-status]").inner_text().strip() == t(gm, "Approved", "已审核")
    buyer.goto(po_url)
    buyer.locator("form[action$='/transition/']", has=buyer.locator("input[value=sent]")).locator("button").click()
    assert buyer.locator("[data-testid=po-status]").inner_text().strip() == t(buyer, "Sent", "已发送")
    shot(buyer, f"j3-{lang}-03-po-sent")

    # ---- the clerk receives 60 now; stock goes up by exactly 60, the rest stays on order
    received = Decimal("60")
    clerk.goto(po_url)
    clerk.locator("main").get_by_role("link", name=re.compile(t(clerk, "Receive", "收货|入库"))).click()
    clerk.fill("input[name^=qty_]", str(received))
    clerk.select_option("select[name^=loc_]", index=1)
    shot(clerk, f"j3-{lang}-04-receive")
    with clerk.expect_navigation():
        clerk.click("main form button[type=submit]")
    assert clerk.url == po_url, clerk.inner_text("main")[:600]  # a refused receipt stays on its page, saying why
    assert clerk.locator("[data-testid=po-status]").inner_text().strip() == t(clerk, "Partially received", "部分到货")
    shot(clerk, f"j3-{lang}-05-partly-received")
    assert stock_row(clerk, product) == before + received
    incoming = clerk.locator("main table tbody tr").filter(  # the product page's "Incoming on purchase orders"
        has=clerk.locator(f"a:text-is('{po_number}')")).locator("td").last
    assert number(incoming.inner_text()) == suggested - received  # the rest is still on order
