"""Key data through approval: a rep raises a customer's credit limit and the purchaser a product's list price; each
change is held pending (the page shows the old value in force and the request), a manager approves it from the
approval queue, and only then does the page show the new value."""

import re
from decimal import Decimal

import pytest

from . import data
from .conftest import number, shot, t


def profile_value(page, label_en, label_zh) -> Decimal:
    label = t(page, label_en, label_zh)
    return number(page.locator(f"dt:text-is('{label}') + dd").first.inner_text())


def approve_from_queue(page, record_text):
    page.goto(page.base + "/governance/changes/")
    page.locator("main table tbody tr", has_text=record_text).first.locator("a").first.click()
    page.wait_for_selector("[data-testid=cr-diff]")
    page.fill("textarea[name=comment]", t(page, "Checked against the contract", "已核对合同"))
    page.locator("button[name=decision][value=approve]").click()
    page.wait_for_load_state()
    assert record_text in page.inner_text(".alert-success")  # "The change of … is approved and saved."


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_credit_limit_held_until_approved(as_role, lang):
    code = data.unique(f"JNY-K{lang.upper()}")
    customer = data.customer_of("rep1", name=f"信用额度测试五金{code}", credit_limit="50000")

    rep = as_role("rep1", lang)
    rep.goto(rep.base + f"/crm/customers/{customer.pk}/")
    assert profile_value(rep, "credit limit", "信用额度") == Decimal("50000")
    rep.click("[data-testid=edit-customer]")
    rep.fill("input[name=credit_limit]", "80000")
    rep.fill("input[name=reason]", t(rep, "Yearly contract signed", "已签年度合同"))
    rep.click("[data-testid=save]")
    rep.wait_for_selector("[data-testid=pending-approval]")
    pending = rep.inner_text("[data-testid=pending-approval]")
    assert re.search(r"50,?000\.00\D+80,?000\.00", pending), pending  # old → new
    assert profile_value(rep, "credit limit", "信用额度") == Decimal("50000")  # the old limit is in force
    shot(rep, f"j4-{lang}-01-credit-limit-pending")

    mgr = as_role("salesmgr", lang)
    approve_from_queue(mgr, customer.name)
    shot(mgr, f"j4-{lang}-02-credit-limit-approved")

    rep.reload()
    assert profile_value(rep, "credit limit", "信用额度") == Decimal("80000")
    assert rep.locator("[data-testid=pending-approval]").count() == 0
    shot(rep, f"j4-{lang}-03-credit-limit-in-force")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_product_price_held_until_approved(as_role, lang):
    code = data.unique(f"JNY-L{lang.upper()}")
    product, _bin = data.stocked_product(sku=code, on_hand=0, list_price="3.00", box_unit=None)

    buyer = as_role("purchaser", lang)
    buyer.goto(buyer.base + f"/inventory/products/{product.pk}/edit/")
    buyer.fill("input[name=list_price]", "3.50")
    if buyer.locator("[name=reason]").count():
        buyer.fill("[name=reason]", t(buyer, "Supplier raised prices", "供应商涨价"))
    buyer.locator("main form button[type=submit]").first.click()
    buyer.wait_for_url(re.compile(rf".*/inventory/products/{product.pk}/$"))
    assert profile_value(buyer, "List price", "标价") == Decimal("3.00"), "the new price is in force unapproved"
    pending = buyer.inner_text("[data-testid=pending-approval]")
    assert re.search(r"3\.00\D+3\.50", pending), pending
    shot(buyer, f"j4-{lang}-04-price-pending")

    gm = as_role("gm", lang)
    approve_from_queue(gm, code)
    shot(gm, f"j4-{lang}-05-price-approved")
    buyer.reload()
    assert profile_value(buyer, "List price", "标价") == Decimal("3.50")
    assert buyer.locator("[data-testid=pending-approval]").count() == 0
