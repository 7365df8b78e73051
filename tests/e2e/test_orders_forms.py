"""Orders forms saved through the browser (issue 14 items 1, 2, 4, 6): a manager saves a new carrier and the
review thresholds; Finance picks the customer on "Record a payment" and double-clicks the button (one payment);
the warehouse clerk ships what the ship page offers. Screenshots in English and Chinese."""

from decimal import Decimal

import pytest

from orders import services
from orders.models import Carrier, Payment, ReviewSettings, SalesOrder
from tests.factories import UserFactory
from tests.factories.orders import make_world

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-horse-battery"  # noqa: S105 - the test factories' password


def _user(role, username):
    return UserFactory.with_role(role, username=username)


def test_orders_forms_save_in_the_browser(new_page):
    world = make_world(lambda role: _user(role, "e2frep"), stock_qty=(2000, 300))
    _user("sales_manager", "e2fmgr")
    _user("finance_clerk", "e2ffin")
    _user("warehouse_clerk", "e2fclerk")
    ReviewSettings.objects.update_or_create(pk=ReviewSettings.current().pk, defaults={"check_stock": False})
    p0, p1 = world.products
    order = services.submit_order(world.order([{"product": p0, "quantity": Decimal("1000")},
                                               {"product": p1, "quantity": Decimal("1000")}],
                                              contact_phone="13812345678"), actor=world.rep)

    mgr = new_page()
    login(mgr, "e2fmgr", PASSWORD)
    mgr.goto(mgr.base + "/orders/carriers/new/")
    mgr.fill("input[name=name]", "中通快递")
    mgr.fill("input[name=code]", "zhongtong")
    mgr.select_option("select[name=adapter]", "kuaidi100")
    shot(mgr, "orders-carrier-form")
    mgr.click("[data-testid=save]")
    mgr.wait_for_url("**/orders/carriers/")
    assert Carrier.objects.get(name="中通快递").code == "zhongtong"
    mgr.goto(mgr.base + "/orders/review/settings/")
    mgr.fill("input[name=max_discount_percent]", "18")
    mgr.click("[data-testid=save]")
    mgr.wait_for_selector(".alert-success")
    assert ReviewSettings.current().max_discount_percent == Decimal("18")

    clerk = new_page(locale="zh-CN")
    login(clerk, "e2fclerk", PASSWORD)
    clerk.goto(clerk.base + f"/orders/{order.pk}/ship/")
    assert clerk.input_value(f"[data-testid=qty-{p0.sku}]") == "1000"
    assert clerk.input_value(f"[data-testid=qty-{p1.sku}]") == "300"
    shot(clerk, "orders-ship-form-zh")
    clerk.click("[data-testid=confirm-ship]")
    clerk.wait_for_selector("[data-status=part_shipped]")
    shot(clerk, "orders-order-warehouse-zh")
    assert "¥" not in clerk.locator("main").inner_text()

    fin = new_page()
    login(fin, "e2ffin", PASSWORD)
    fin.goto(fin.base + "/orders/payments/new/")
    fin.locator("[data-testid=choose-customer] .ts-control").click()
    fin.locator("[data-testid=choose-customer] .ts-control input").fill(world.customer.name[:4])
    fin.locator(f".ts-dropdown .option:has-text('{world.customer.name}')").first.click()
    fin.click("[data-testid=choose-customer] button")
    fin.fill(f"[data-testid=alloc-{order.number}]", "100")
    fin.fill("input[name=amount]", "100")
    fin.fill("input[name=reference]", "BK20261206001")
    shot(fin, "orders-payment-form")
    fin.dblclick("[data-testid=confirm-payment]")
    fin.wait_for_selector("[data-testid=amount]")
    assert Payment.objects.filter(reference="BK20261206001").count() == 1
    fin.goto(fin.base + f"/orders/{order.pk}/")
    assert "138****5678" in fin.locator("[data-testid=contact-phone]").inner_text()
    assert SalesOrder.objects.get(pk=order.pk).paid_amount == Decimal("100.00")
