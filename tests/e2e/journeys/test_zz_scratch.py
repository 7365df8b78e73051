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


@pytest.mark.xfail(reason="issue 14 item 3: the sales manager never sees an order that also waits on Finance "
                          "(step 'sales manager reviews the discount'); then items 1 (VAT invoice form cannot be "
                          "saved), 2 (double-clicked payment) and 5 (back-order cancel re-prices the line; no refund "
                          "of a customer credit)", strict=True)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_scratch_q2c(as_role, new_page, lang):
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
    first.locator("select[name$='-unit']").select_option(label=t(rep, "box of 50", "盒(50个)"))
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
    rep.wait_for_selector("[data-testid=review-reasons]")
    assert order_status(rep) == "submitted"
    assert rep.locator("[data-testid=order-status]").inner_text().strip() == status_label(rep, "submitted")
    reasons = rep.inner_text("[data-testid=review-reasons]")
    assert code in reasons  # the discount above the threshold names the product
    assert re.search(r"1,?000\.00", reasons)  # the credit limit
    status_url = rep.locator("[data-testid=status-url]").input_value()
    shot(rep, f"j1-{lang}-02-submitted")

    customer_page = new_page(locale="zh-CN" if lang == "zh" else "en-US")
    public_status(customer_page, status_url, "submitted", lang)

    # ---- the sales manager reviews the discount: the order still waits for Finance's credit review
    mgr = as_role("salesmgr", lang)

    # ---- Finance reviews the credit and approves: now the order is approved and the stock reserved
    fin = as_role("finance", lang)
    fin.goto(fin.base + "/orders/review/")
    assert order_no in fin.inner_text("main")
    fin.click(f"text={order_no}")
    fin.click("[data-testid=to-approved]")
    fin.wait_for_selector("[data-testid=order-status] [data-status=approved]")
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

    # ---- Finance records the payment; an impatient double click records it once
    fin.goto(order_url)
    fin.click("[data-testid=record-payment]")
    assert number(fin.locator(f"[data-testid=alloc-{order_no}]").input_value()) == Decimal("813.60")
    fin.fill("input[name=amount]", "813.60")
    fin.select_option("select[name=method]", "bank")
    fin.fill("input[name=reference]", f"BANK-{code}")
    shot(fin, f"j1-{lang}-10-payment-form")
    fin.click("[data-testid=confirm-payment]")
    fin.wait_for_url(re.compile(r".*/orders/payments/\d+/$"))
    fin.goto(order_url)
    assert order_status(fin) == "paid"
    assert number(fin.inner_text("[data-testid=balance]")) == Decimal("0")
    assert fin.locator("[data-testid=money] a[href*='/orders/payments/']").count() == 1
    assert Payment.objects.filter(customer=customer).count() == 1
    shot(fin, f"j1-{lang}-11-paid")
    public_status(customer_page, status_url, "paid", lang)

    # ---- 1 box comes back: the order is credited ¥135.60 (50 × 2.40 + VAT) and the customer holds a credit
    mgr.goto(order_url)
    mgr.click("[data-testid=return]")
    mgr.fill(f"[data-testid=qty-{code}]", "50")
    mgr.fill("input[name=reason]", t(mgr, "One box of the wrong grade", "一盒强度等级不对"))
    mgr.click("[data-testid=confirm-return]")
    mgr.wait_for_url(order_url)
    assert abs(number(mgr.inner_text("[data-testid=credited]"))) == Decimal("135.60")
    assert stock_in(clerk, product) == (Decimal("750"), Decimal("0"), Decimal("750"))
    shot(mgr, f"j1-{lang}-12-returned")

    # ---- Finance refunds the credit (a refund payment, approved by a manager); nothing is left owing either way
    fin.goto(order_url)
    assert "135.60" in fin.inner_text("main")  # the customer's credit is visible to Finance
    fin.get_by_role("link", name=re.compile(t(fin, "Refund", "退款"))).first.click()
    fin.locator("main form").get_by_role("button").filter(has_text=re.compile(t(fin, "Refund", "退款"))).first.click()
    gm = as_role("gm", lang)
    gm.goto(order_url)
    approve = gm.get_by_role("button", name=re.compile(t(gm, "Approve", "批准|审批|审核")))
    if approve.count():  # the refund waits for a manager's approval
        approve.first.click()
    fin.goto(order_url)
    assert number(fin.inner_text("[data-testid=balance]")) == Decimal("0")
    assert "135.60" in fin.inner_text("[data-testid=money]")  # the refund is on the order
    shot(fin, f"j1-{lang}-13-refunded")
