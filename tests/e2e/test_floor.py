"""The warehouse floor on a 360×640 handheld (issue 17 items 2–4): picking an order by scanning refuses a wrong item
and a wrong bin with a message, and ships what was scanned; receiving a purchase order by scanning posts into the
product's own bin; the scan pages (pick, receive, stock lookup, stocktake count) have no horizontal scroll at 360 px.
Screenshots at handheld size under var/screenshots/floor-*.png."""

from decimal import Decimal

import pytest

from inventory import purchasing, stocktakes
from inventory import services as stock
from inventory.models import PurchaseOrder, StockLevel
from orders import services
from orders.choices import OrderStatus
from orders.models import SalesOrder
from tests.factories import UserFactory
from tests.factories.inventory import LocationFactory, ProductFactory, SupplierProductFactory
from tests.factories.orders import make_world

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-horse-battery"  # noqa: S105 - the test factories' password
HANDHELD = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}


def handheld(new_page, username, locale="en-US"):
    page = new_page(locale=locale, **HANDHELD)
    page.set_viewport_size(HANDHELD["viewport"])
    login(page, username, PASSWORD)
    # every beep of the scan queue is recorded: ok (short, high) or refused (long, low)
    page.add_init_script("window.__beeps = []; document.addEventListener('erp:beep', "
                         "function (e) { window.__beeps.push(e.detail.ok); });")
    return page


def scan(page, code):
    """What a wedge scanner does: the code typed into the focused field, then Enter; waits for the queue."""
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.body.dataset.scanPending === '0'")


def no_horizontal_scroll(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def approved_order(world, lines):
    """The rep's order of `lines`, submitted and approved (by the general manager when it needs a review)."""
    order = services.submit_order(world.order(lines), actor=world.rep)
    order.refresh_from_db()
    if order.status == OrderStatus.SUBMITTED:
        services.transition(order, OrderStatus.APPROVED, actor=UserFactory.with_role("general_manager"))
    return order


def last_beep(page):
    return page.evaluate("() => window.__beeps[window.__beeps.length - 1]")


def test_pick_by_scanning_refuses_a_wrong_item_and_ships_what_was_scanned(new_page):
    world = make_world(lambda role: UserFactory.with_role(role, username="flrep"), stock_qty=(40, 20))
    UserFactory.with_role("warehouse_clerk", username="flclerk")
    p0, p1 = world.products
    stranger = ProductFactory()  # on no order
    order = approved_order(world, [{"product": p0, "quantity": Decimal("3")},
                                   {"product": p1, "quantity": Decimal("2")}])

    page = handheld(new_page, "flclerk")
    page.goto(page.base + f"/orders/{order.pk}/pick/")
    assert page.evaluate("() => document.activeElement.id") == "code"  # the scan field has the focus
    scan(page, "A-01-01")  # a bin label holds the bin code as printed (old labels: LOC:…, scanned below)
    assert page.inner_text("[data-testid=current-bin]") == "A-01-01"

    scan(page, stranger.sku)  # a wrong item: refused, nothing counted
    assert page.get_attribute("[data-testid=scan-result]", "data-ok") == "0"
    assert "not on this order" in page.inner_text("[data-testid=scan-result]")
    assert last_beep(page) is False

    for code in (p0.sku, p0.sku, p0.sku, p1.sku, p1.sku):  # a burst, faster than the server answers
        page.keyboard.type(code)
        page.keyboard.press("Enter")
    page.wait_for_function("() => document.body.dataset.scanPending === '0'")
    assert page.inner_text(f"[data-testid=picked-{p0.sku}]") == "3"
    assert page.inner_text(f"[data-testid=picked-{p1.sku}]") == "2"
    assert last_beep(page) is True

    scan(page, p1.sku)  # one more than ordered: refused
    assert page.get_attribute("[data-testid=scan-result]", "data-ok") == "0"
    assert "picked already" in page.inner_text("[data-testid=scan-result]")
    assert no_horizontal_scroll(page)
    shot(page, "floor-pick-360")

    page.click("[data-testid=confirm-ship]")
    page.wait_for_url(f"**/orders/{order.pk}/")
    order = SalesOrder.objects.get(pk=order.pk)
    assert order.status == OrderStatus.SHIPPED
    assert {ln.product_id: ln.shipped_quantity for ln in order.lines.all()} == {p0.pk: Decimal("3"),
                                                                                p1.pk: Decimal("2")}
    # the stock went out of the bin that was scanned (A-01-01 held half of each product)
    a01 = world.bins[0]
    assert StockLevel.objects.get(product=p0, location=a01).on_hand == Decimal("17")
    assert StockLevel.objects.get(product=p1, location=a01).on_hand == Decimal("8")


def test_pick_refuses_an_item_from_the_wrong_bin(new_page):
    world = make_world(lambda role: UserFactory.with_role(role, username="flrep2"), stock_qty=(4, 20))
    UserFactory.with_role("warehouse_clerk", username="flclerk2")
    p0, p1 = world.products
    LocationFactory(warehouse=world.warehouse, code="C-09-09")
    # p1 is only in B-01-01 now; p0's 2 come from A-01-01 (the plan takes bins in order)
    stock.post_movement(product=p1, quantity=Decimal("10"), from_location=world.bins[0], kind="issue",
                        actor=world.clerk)
    order = approved_order(world, [{"product": p0, "quantity": Decimal("2")},
                                   {"product": p1, "quantity": Decimal("1")}])

    page = handheld(new_page, "flclerk2", locale="zh-CN")
    page.goto(page.base + f"/orders/{order.pk}/pick/")
    scan(page, "LOC:C-09-09")  # no line of this order is picked there
    assert page.get_attribute("[data-testid=scan-result]", "data-ok") == "0"
    scan(page, "LOC:B-01-01")
    scan(page, p0.sku)  # p0 is not in B-01-01
    assert page.get_attribute("[data-testid=scan-result]", "data-ok") == "0"
    assert "A-01-01" in page.inner_text("[data-testid=scan-result]")
    assert page.inner_text(f"[data-testid=picked-{p0.sku}]") == "0"
    shot(page, "floor-pick-wrong-bin-360-zh")




def test_a_burst_of_scans_across_bins_confirms_every_line(new_page):
    """A scanner sends a bin label, its items, the next bin label and its items faster than the server answers:
    each item is checked against the bin scanned just before it, not against the last bin scanned."""
    world = make_world(lambda role: UserFactory.with_role(role, username="flrep3"), stock_qty=(20, 20))
    UserFactory.with_role("sales_manager", username="flboss3")  # may ship: picks without the inventory module
    p0, p1 = world.products
    stock.post_movement(product=p1, quantity=Decimal("10"), from_location=world.bins[0], kind="issue",
                        actor=world.clerk)  # p1 only in B-01-01 now
    order = approved_order(world, [{"product": p0, "quantity": Decimal("2")},
                                   {"product": p1, "quantity": Decimal("3")}])

    page = handheld(new_page, "flboss3", locale="zh-CN")
    page.goto(page.base + f"/orders/{order.pk}/pick/")
    for code in ("A-01-01", p0.sku, p0.sku, "B-01-01", p1.sku, p1.sku, p1.sku):  # no wait between scans
        page.keyboard.type(code)
        page.keyboard.press("Enter")
    page.wait_for_function("() => document.body.dataset.scanPending === '0'")
    assert page.evaluate("() => window.__beeps") == [True] * 7  # two bins and five items, none refused
    assert page.inner_text(f"[data-testid=picked-{p0.sku}]") == "2"
    assert page.inner_text(f"[data-testid=picked-{p1.sku}]") == "3"
    assert page.locator("[data-line].done").count() == 2
    page.click("[data-testid=confirm-ship]")
    page.wait_for_url(f"**/orders/{order.pk}/")
    assert SalesOrder.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
def test_receive_a_purchase_order_by_scanning_into_the_home_bin(new_page):
    buyer, boss = UserFactory.with_role("purchaser"), UserFactory.with_role("general_manager")
    UserFactory.with_role("warehouse_clerk", username="flrecv")
    sp1 = SupplierProductFactory()
    sp2 = SupplierProductFactory(supplier=sp1.supplier)
    wh_bin = LocationFactory(code="R-02-03")
    other_bin = LocationFactory(warehouse=wh_bin.warehouse, code="R-00-01")
    stock.post_movement(product=sp1.product, quantity=Decimal("5"), to_location=wh_bin, kind="receipt", actor=boss,
                        unit_cost=Decimal("1"))  # sp1's home bin: where it was last received
    po = purchasing.create_purchase_order(supplier=sp1.supplier, warehouse=wh_bin.warehouse, actor=buyer,
                                          lines=[(sp1.product, 3, None), (sp2.product, 2, None)])
    purchasing.transition(po, "approved", actor=boss)
    purchasing.transition(po, "sent", actor=buyer)
    stranger = ProductFactory()

    page = handheld(new_page, "flrecv")
    page.goto(page.base + f"/inventory/purchase-orders/{po.pk}/receive/")
    page.click("[data-testid=scan-input]")
    scan(page, stranger.sku)
    assert page.get_attribute("[data-testid=scan-result]", "data-ok") == "0"
    assert "not on this purchase order" in page.inner_text("[data-testid=scan-result]")
    for _i in range(3):
        scan(page, sp1.product.sku)
    scan(page, sp1.product.sku)  # a fourth: more than ordered, refused
    assert page.get_attribute("[data-testid=scan-result]", "data-ok") == "0"
    scan(page, "R-00-01")  # sp2 goes where the clerk scanned (a bin label: the bin code as printed)
    scan(page, sp2.product.sku)
    assert no_horizontal_scroll(page)
    shot(page, "floor-receive-360")
    page.click("[data-testid=post-receipts]")
    page.wait_for_url(f"**/inventory/purchase-orders/{po.pk}/")
    po = PurchaseOrder.objects.get(pk=po.pk)
    assert {ln.product_id: ln.received_quantity for ln in po.lines.all()} == {sp1.product_id: Decimal("3"),
                                                                             sp2.product_id: Decimal("1")}
    assert po.status == "partial"
    assert StockLevel.objects.get(product=sp1.product, location=wh_bin).on_hand == Decimal("8")
    assert StockLevel.objects.get(product=sp2.product, location=other_bin).on_hand == Decimal("1")


def test_handheld_pages_have_no_horizontal_scroll(new_page):
    world = make_world(lambda role: UserFactory.with_role(role, username="flrep3"))
    manager = UserFactory.with_role("warehouse_manager", username="flmgr")
    st = stocktakes.open_stocktake(warehouse=world.warehouse, actor=manager)
    page = handheld(new_page, "flmgr")
    for url, name in ((f"/inventory/stocktakes/{st.pk}/count/", "floor-count-360"),
                      ("/inventory/scan/stock/", "floor-stock-lookup-360")):
        page.goto(page.base + url)
        assert page.evaluate("() => document.activeElement.id") == "code"
        if "scan/stock" in url:
            scan(page, world.products[0].sku)
            assert "A-01-01" in page.inner_text("[data-testid=lookup-bins]")
        else:
            scan(page, "LOC:A-01-01")
            scan(page, world.products[0].sku)
            assert page.inner_text("[data-testid=running-count]") == "1"
        page.mouse.click(180, 600)  # a tap elsewhere gives the focus back to the scan field
        assert page.evaluate("() => document.activeElement.id") == "code"
        assert no_horizontal_scroll(page), url
        shot(page, name)


def test_notifications_people_read_and_the_sidebar_reaches_the_bottom(new_page):
    """Item 5: repeats grouped, mark all read, the person's e-mail choice; the dark sidebar strip reaches the
    bottom of a long page."""
    from hardware_erp.core.models import Notification
    from hardware_erp.core.services import notify

    clerk = UserFactory.with_role("warehouse_clerk", username="flnote")
    for i in range(12):
        notify(clerk, f"HW-{i:05d} is below its minimum", "/inventory/alerts/", key=f"stock-alert:{i}")
    notify(clerk, "Count ST000001 is open", "/inventory/stocktakes/")
    page = new_page()
    login(page, "flnote", PASSWORD)
    page.goto(page.base + "/notifications/")
    assert page.locator("[data-testid=notification-group]").count() == 2  # twelve alerts are one line
    assert "12 stock alerts" in page.inner_text("[data-testid=notification-group] >> nth=1")
    page.click("[data-testid=notification-settings]")
    page.uncheck("input[name=email]")
    page.click("[data-testid=save]")
    page.wait_for_url("**/notifications/")
    clerk.employee.refresh_from_db()
    assert clerk.employee.email_notifications is False
    page.click("[data-testid=mark-all-read]")
    page.wait_for_selector(".alert-success")
    assert not Notification.objects.filter(recipient=clerk, read_at__isnull=True).exists()
    assert notify(clerk, "x")[0].email_status == Notification.EmailStatus.SKIPPED

    page.set_viewport_size({"width": 1366, "height": 500})
    page.goto(page.base + "/notifications/")
    for _i in range(40):
        notify(clerk, f"line {_i}", f"/x/{_i}")
    page.reload()
    fills = page.evaluate("""() => {
        const shell = document.querySelector('.app-shell');
        const y = document.documentElement.scrollHeight - 5;
        window.scrollTo(0, y);
        return {shell: shell.getBoundingClientRect().height >= document.documentElement.scrollHeight - 1,
                strip: getComputedStyle(shell).backgroundImage.includes('linear-gradient'),
                long: document.documentElement.scrollHeight > 2 * window.innerHeight};
    }""")
    assert fills == {"shell": True, "strip": True, "long": True}
    shot(page, "floor-sidebar-long-page")
