"""A rep creates an order, a manager approves and ships it, Finance records a payment, and the customer
opens the status link in a fresh browser without signing in."""

from decimal import Decimal

import pytest

from orders.models import ReviewSettings, SalesOrder
from tests.factories import UserFactory
from tests.factories.orders import make_world

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-horse-battery"  # noqa: S105 - the test factories' password


def _user(role, username):
    return UserFactory.with_role(role, username=username)


def test_order_from_entry_to_customer_status_page(new_page):
    world = make_world(lambda role: _user(role, "e2erep"))
    _user("sales_manager", "e2emgr")
    _user("finance_clerk", "e2efin")
    row = ReviewSettings.current()
    row.min_margin_percent = Decimal("60")  # this order needs a manager
    row.save()
    sku = world.products[0].sku

    rep = new_page()
    login(rep, "e2erep", PASSWORD)
    rep.goto(rep.base + f"/orders/new/?customer={world.customer.pk}")
    first = rep.locator("#lines tbody tr").first
    first.locator(".ts-control").click()
    first.locator(".ts-control input").fill(sku)
    rep.locator(f".ts-dropdown .option:has-text('{sku}')").first.click()
    first.locator("input[name$='-quantity']").fill("120")
    rep.select_option("select[name=warehouse]", str(world.warehouse.pk))
    rep.fill("input[name=contact_phone]", "13800138000")
    shot(rep, "orders-form")
    rep.click("[data-testid=save-order]")
    rep.wait_for_selector("[data-testid=order-number]")
    order = SalesOrder.objects.get()
    assert order.total == Decimal("271.20")
    rep.click("[data-testid=to-submitted]")
    rep.wait_for_selector("[data-testid=review-steps]")
    assert SalesOrder.objects.get().status == "submitted"

    mgr = new_page()
    login(mgr, "e2emgr", PASSWORD)
    mgr.goto(mgr.base + "/orders/review/")
    mgr.click(f"text={order.number}")
    mgr.click("[data-testid=approve-sales]")
    mgr.wait_for_selector("[data-status=approved]")
    assert world.reserved(world.products[0]) == Decimal("120")
    mgr.click("[data-testid=ship]")
    mgr.fill(f"[data-testid=qty-{sku}]", "100")
    mgr.fill("input[name=tracking_number]", "SF1234567890")
    mgr.click("[data-testid=confirm-ship]")
    mgr.wait_for_selector("[data-status=part_shipped]")
    assert world.on_hand(world.products[0]) == Decimal("400")
    assert world.reserved(world.products[0]) == Decimal("20")
    shot(mgr, "orders-order-partly-shipped")

    fin = new_page()
    login(fin, "e2efin", PASSWORD)
    fin.goto(fin.base + f"/orders/{order.pk}/")
    fin.click("[data-testid=record-payment]")
    fin.fill(f"[data-testid=alloc-{order.number}]", "100")
    fin.fill("input[name=amount]", "100")
    fin.select_option("select[name=method]", "wechat")
    fin.click("[data-testid=confirm-payment]")
    fin.wait_for_selector("[data-testid=amount]")
    order.refresh_from_db()
    assert order.paid_amount == Decimal("100.00") and order.balance == Decimal("171.20")

    rep.goto(rep.base + f"/orders/{order.pk}/")
    link = rep.locator("[data-testid=status-url]").input_value()
    customer = new_page(locale="zh-CN")
    customer.set_viewport_size({"width": 390, "height": 800})
    customer.goto(link)
    assert customer.locator("[data-testid=public-status]").inner_text().strip() == "部分发货"
    assert "SF1234567890" in customer.locator("[data-testid=public-shipment]").inner_text()
    assert "e2erep" not in customer.content()
    shot(customer, "orders-status-page-mobile")
    customer.goto(link[:-6] + "AAAAA/")
    assert customer.locator("[data-testid=status-invalid]").is_visible()
