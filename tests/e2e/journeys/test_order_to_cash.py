"""Quote to cash, as the roles who do it: a rep quotes and orders, the sales manager and Finance each review the
reason that is theirs, the warehouse picks and ships part with a tracking number, the back-order is cancelled,
Finance gets the VAT invoice request and the payment (double-clicked, recorded once), a return leaves a credit that
Finance refunds; the customer's status link follows every state.

The order: 10 boxes (of 50) at ¥150.00 less 20 % = ¥120.00 a box, for a customer with a ¥1,000 credit limit:
a discount reason (the sales manager's) and a credit reason (Finance's). Stock: 1,000 pieces in SH.
"""

import re
from decimal import Decimal

import pytest

from . import data
from .conftest import number, shot, t

STATUS = {  # the order statuses as the glossary names them
    "submitted": ("Submitted", "待审核"), "approved": ("Approved", "已审核"),
    "part_shipped": ("Partially shipped", "部分发货"), "shipped": ("Shipped", "已发货"),
    "delivered": ("Delivered", "已签收"), "paid": ("Paid", "已收款"),
}


def status_label(page, key):
    en, zh = STATUS[key]
    return t(page, en, zh)


def step_status(page, role) -> str:
    """A review step's state on the order page: pending, approved or rejected."""
    return page.locator(f"[data-testid=step-{role}]").get_attribute("data-step-status")


def order_status(page) -> str:
    return page.locator("[data-testid=order-status] [data-status]").get_attribute("data-status")


def public_status(page, url, key, lang):
    page.goto(url)
    shown = page.locator("[data-testid=public-status]").inner_text().strip()
    en, zh = STATUS[key]
    assert shown == (zh if lang == "zh" else en), (key, shown)


def stock_in(page, product, warehouse="SH"):
    """(on hand, reserved, available) of a product in a warehouse, as the product page shows them."""
    page.goto(page.base + f"/inventory/products/{product.pk}/")
    row = page.locator("[data-testid=stock-by-warehouse] tbody tr", has_text=warehouse)
    cells = row.locator("td")
    return tuple(number(cells.nth(i).inner_text()) for i in (1, 2, 3))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_quote_to_cash(as_role, new_page, lang):
    from inventory.models import UnitOfMeasure
    from orders.models import Payment

    code = data.unique(f"JNY-O{lang.upper()}")
    product, _bin = data.stocked_product(sku=code, on_hand=1000, list_price="3.00", cost="1.20")
    customer = data.customer_of("rep1", name=f"旅程五金店{code}", credit_limit="1000")

    # ---- the rep quotes 10 boxes at 20 % off, converts the quotation and submits the order
    rep = as_role("rep1", lang)
    rep.goto(rep.base + f"/orders/quotations/new/?customer={customer.pk}")
    first = rep.locator("#lines tbody tr").first
    first.locator(".ts-control").click()
    first.locator(".ts-control input").fill(code)
    rep.locator(f".ts-dropdown .option:has-text('{code}')").first.click()
    # the unit list is refreshed for the product picked (its own units, each with its factor): choose the box
    first.locator("select[name$='-unit']").select_option(value=str(UnitOfMeasure.objects.get(code="box50").pk))
    first.locator("input[name$='-quantity']").fill("10")
    first.locator("input[name$='-discount_percent']").fill("20")
    rep.select_option("select[name=warehouse]", str(data.warehouse("SH").pk))
    rep.click("[data-testid=save-order]")
    rep.wait_for_selector("[data-testid=order-number]")
    assert number(rep.inner_text("[data-testid=total]")) == Decimal("1356.00")  # 10 × 120.00 + 13 % VAT
    shot(rep, f"j1-{lang}-01-quotation")
    rep.click("[data-testid=convert]")
    rep.wait_for_url(re.compile(r".*/orders/\d+/$"))
    order_url = rep.url
    order_no = rep.inner_text("[data-testid=order-number]").split()[-1]
    rep.click("[data-testid=to-submitted]")
    rep.wait_for_selector("[data-testid=review-steps]")
    assert order_status(rep) == "submitted"
    assert rep.locator("[data-testid=order-status]").inner_text().strip() == status_label(rep, "submitted")
    steps = rep.inner_text("[data-testid=review-steps]")  # one step per reason's role, both waiting
    assert code in steps  # the discount above the threshold names the product
    assert re.search(r"1,?000\.00", steps)  # the credit limit
    assert step_status(rep, "sales") == "pending" and step_status(rep, "finance") == "pending"
    status_url = rep.locator("[data-testid=status-url]").input_value()
    shot(rep, f"j1-{lang}-02-submitted")

    customer_page = new_page(locale="zh-CN" if lang == "zh" else "en-US")
    public_status(customer_page, status_url, "submitted", lang)

    # ---- the sales manager approves the discount step: the order still waits for Finance's credit step
    mgr = as_role("salesmgr", lang)
    mgr.goto(mgr.base + "/orders/review/")
    assert order_no in mgr.inner_text("main"), "the sales manager does not see the order with a discount reason"
    mgr.click(f"text={order_no}")
    assert mgr.locator("[data-testid=approve-finance]").count() == 0  # not the sales manager's step
    mgr.click("[data-testid=approve-sales]")
    mgr.wait_for_selector("[data-testid=step-sales][data-step-status=approved]")
    assert order_status(mgr) == "submitted", "one approval of two must not approve the order"
    assert step_status(mgr, "finance") == "pending"
    assert data.display_name("salesmgr") in mgr.inner_text("[data-testid=step-sales]")
    shot(mgr, f"j1-{lang}-03-manager-approved-discount")
    public_status(customer_page, status_url, "submitted", lang)

    # ---- Finance approves the credit step: now the order is approved and the stock reserved
    fin = as_role("finance", lang)
    fin.goto(fin.base + "/orders/review/")
    assert order_no in fin.inner_text("main")
    fin.click(f"text={order_no}")
    fin.click("[data-testid=approve-finance]")
    fin.wait_for_selector("[data-testid=order-status] [data-status=approved]")
    assert step_status(fin, "sales") == "approved" and step_status(fin, "finance") == "approved"
    assert data.display_name("finance") in fin.inner_text("[data-testid=step-finance]")
    assert data.display_name("salesmgr") in fin.inner_text("[data-testid=step-sales]")  # both steps stay shown
    shot(fin, f"j1-{lang}-04-finance-approved")
    public_status(customer_page, status_url, "approved", lang)

    # ---- the warehouse: the order is on the picking list; the clerk ships 6 boxes (300 pieces) with SF
    clerk = as_role("clerk", lang)
    assert stock_in(clerk, product) == (Decimal("1000"), Decimal("500"), Decimal("500"))
    clerk.goto(clerk.base + "/orders/picking/")
    assert "SH" in clerk.inner_text("main")
    clerk.goto(order_url)
    clerk.click("[data-testid=ship]")
    qty_box = clerk.locator(f"[data-testid=qty-{code}]")
    assert number(qty_box.input_value()) == Decimal("500")  # what is left to ship and reserved
    qty_box.fill("300")
    clerk.select_option("select[name=carrier]", label="顺丰速运")  # the demo's carriers have Chinese names
    tracking = f"SF{code[-8:].replace('-', '')}0000"[:15]
    clerk.fill("input[name=tracking_number]", tracking)
    shot(clerk, f"j1-{lang}-05-ship-form")
    clerk.click("[data-testid=confirm-ship]")
    clerk.wait_for_selector("[data-testid=order-status] [data-status=part_shipped]")
    assert tracking in clerk.inner_text("[data-testid=shipments]")
    shot(clerk, f"j1-{lang}-06-part-shipped")
    assert stock_in(clerk, product) == (Decimal("700"), Decimal("200"), Decimal("500"))
    public_status(customer_page, status_url, "part_shipped", lang)
    assert tracking in customer_page.inner_text("[data-testid=public-shipment]")
    shot(customer_page, f"j1-{lang}-07-status-page-part-shipped")

    # ---- the rep cancels the back-order: the line keeps its box and its price; nothing stays reserved
    rep.goto(order_url)
    rep.click("[data-testid=to-backorder]")
    rep.fill("#note-backorder", t(rep, "Customer buys the rest locally", "客户剩余部分就近采购"))
    rep.click("[data-testid=confirm-backorder]")
    rep.wait_for_selector("[data-testid=order-status] [data-status=shipped]")
    line = rep.locator(f"[data-testid=line-{code}]").inner_text()
    assert t(rep, "box of 50", "盒(50个)") in line, line  # still in boxes
    assert "¥120.00" in line, line  # still ¥120.00 a box
    assert number(rep.inner_text("[data-testid=total]")) == Decimal("813.60")  # 6 × 120.00 + 13 % VAT
    assert number(rep.inner_text("[data-testid=balance]")) == Decimal("813.60")
    shot(rep, f"j1-{lang}-08-backorder-cancelled")
    assert stock_in(clerk, product) == (Decimal("700"), Decimal("0"), Decimal("700"))
    public_status(customer_page, status_url, "shipped", lang)

    # ---- the driver's receipt comes back: the clerk marks the shipment delivered
    clerk.goto(order_url)
    clerk.locator("[data-testid=shipment] a").first.click()
    clerk.click("[data-testid=mark-delivered]")
    clerk.goto(order_url)
    assert order_status(clerk) == "delivered"
    public_status(customer_page, status_url, "delivered", lang)

    # ---- the rep requests the VAT invoice; it reaches Finance's invoice queue
    rep.goto(order_url)
    rep.click("[data-testid=invoice-request]")
    rep.locator("main form button[type=submit]").last.click()  # the request's own Save button
    rep.wait_for_url(order_url)
    requested = rep.inner_text("[data-testid=money]")  # the e-invoice type as the tax bureau names it
    assert t(rep, "Digital invoice (ordinary invoice)", "数电票（普通发票）") in requested and "¥813.60" in requested
    fin.goto(fin.base + "/orders/invoices/")
    request = fin.locator("[data-testid=invoice-request]", has_text=order_no)
    assert request.count() == 1 and "¥813.60" in request.inner_text()
    shot(fin, f"j1-{lang}-09-invoice-queue")

    # ---- Finance records the payment; an impatient double click records it once
    fin.goto(order_url)
    fin.click("[data-testid=record-payment]")
    assert number(fin.locator(f"[data-testid=alloc-{order_no}]").input_value()) == Decimal("813.60")
    fin.fill("input[name=amount]", "813.60")
    fin.select_option("select[name=method]", "bank")
    fin.fill("input[name=reference]", f"BANK-{code}")
    shot(fin, f"j1-{lang}-10-payment-form")
    fin.dblclick("[data-testid=confirm-payment]")
    fin.wait_for_url(re.compile(r".*/orders/payments/\d+/$"))
    fin.goto(order_url)
    assert order_status(fin) == "paid"
    assert number(fin.inner_text("[data-testid=balance]")) == Decimal("0")
    assert fin.locator("[data-testid=money] a[href*='/orders/payments/']").count() == 1
    assert Payment.objects.filter(customer=customer).count() == 1
    shot(fin, f"j1-{lang}-11-paid")
    public_status(customer_page, status_url, "paid", lang)

    # ---- 1 box comes back: ¥135.60 (50 × 2.40 + VAT) is credited; the order was paid, so the customer holds a credit
    mgr.goto(order_url)
    mgr.click("[data-testid=return]")
    mgr.fill(f"[data-testid=qty-{code}]", "50")
    mgr.fill("input[name=reason]", t(mgr, "One box of the wrong grade", "一盒强度等级不对"))
    mgr.click("[data-testid=confirm-return]")
    mgr.wait_for_url(order_url)
    assert abs(number(mgr.inner_text("[data-testid=credited]"))) == Decimal("135.60")
    assert number(mgr.inner_text("[data-testid=balance]")) == Decimal("0")  # no negative balance: a credit
    assert "135.60" in mgr.inner_text("[data-testid=credit-made]")
    assert stock_in(clerk, product) == (Decimal("750"), Decimal("0"), Decimal("750"))
    shot(mgr, f"j1-{lang}-12-returned")

    # ---- Finance requests the refund of the credit, the general manager approves it
    fin.goto(fin.base + "/orders/credits/")
    credit = fin.locator("[data-testid=credits] tbody tr", has_text=customer.name)
    assert "135.60" in credit.inner_text()
    credit.locator("a[data-testid^=refund-]").click()
    assert number(fin.input_value("input[name=amount]")) == Decimal("135.60")
    fin.select_option("select[name=method]", "bank")
    fin.fill("input[name=reference]", f"REFUND-{code}")
    fin.locator("main form button[type=submit]").first.click()
    fin.wait_for_url("**/orders/credits/")
    refund = fin.locator("[data-testid=refunds] tbody tr", has_text=customer.name)
    assert refund.get_attribute("data-status") == "requested"
    assert fin.locator("[data-testid=refunds] tbody tr", has_text=customer.name).locator(
        "button[data-testid^=approve-]").count() == 0  # Finance does not approve its own request
    shot(fin, f"j1-{lang}-13-refund-requested")
    gm = as_role("gm", lang)
    gm.goto(gm.base + "/orders/credits/")
    gm.on("dialog", lambda d: d.accept())
    gm.locator("[data-testid=refunds] tbody tr", has_text=customer.name).locator(
        "button[data-testid^=approve-]").click()
    gm.wait_for_selector(f"[data-testid=refunds] tbody tr[data-status=paid]:has-text('{customer.name}')")

    # ---- the customer statement: the return, the credit used up by the refund, nothing owed either way
    fin.goto(fin.base + f"/orders/receivables/statement/{customer.pk}/")
    assert number(fin.inner_text("[data-testid=credit-left]")) == Decimal("0")
    assert number(fin.inner_text("[data-testid=net-owed]")) == Decimal("0")
    assert "135.60" in fin.inner_text("[data-testid=statement-returns]")
    assert "135.60" in fin.inner_text("[data-testid=statement-refunds]")
    shot(fin, f"j1-{lang}-14-statement")
