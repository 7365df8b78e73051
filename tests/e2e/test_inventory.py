"""Browser test: a stocktake counted by typing scans into the count page, then approved by a second manager."""

from decimal import Decimal

import pytest

from tests.e2e.conftest import login, shot

PASSWORD = "correct-horse-battery"


@pytest.fixture
def count_setup(transactional_db):
    from hardware_erp.core.management.commands.sync_roles import sync_roles
    from inventory import services, stocktakes
    from inventory.choices import MovementKind
    from tests.factories import UserFactory
    from tests.factories.inventory import LocationFactory, ProductFactory, WarehouseFactory

    sync_roles()
    clerk = UserFactory.with_role("warehouse_clerk", username="clerk9")
    opener = UserFactory.with_role("general_manager", username="gm8")
    UserFactory.with_role("general_manager", username="gm9")
    wh = WarehouseFactory(code="SH", name_zh="上海总仓", name_en="Shanghai main")
    loc = LocationFactory(warehouse=wh, code="A-01-01")
    bolt = ProductFactory(sku="GB5782-M8X30", name_zh="六角头螺栓 M8×30", name_en="Hex bolt M8×30",
                          barcode="6901234567892", barcode_kind="ean13")
    nut = ProductFactory(sku="GB6170-M8", name_zh="六角螺母 M8", name_en="Hex nut M8", thread="M8",
                         length_mm=None, standard="GB/T 6170")
    services.post_movement(product=bolt, quantity=12, to_location=loc, kind=MovementKind.RECEIPT, actor=clerk,
                           unit_cost=Decimal("0.50"))
    services.post_movement(product=nut, quantity=3, to_location=loc, kind=MovementKind.RECEIPT, actor=clerk,
                           unit_cost=Decimal("0.10"))
    st = stocktakes.open_stocktake(warehouse=wh, actor=opener)
    return {"st": st, "bolt": bolt, "nut": nut, "loc": loc}


def test_stocktake_by_scanning_and_approval(new_page, count_setup):
    from inventory.models import StockLevel, StockMovement

    st, bolt, nut = count_setup["st"], count_setup["bolt"], count_setup["nut"]
    page = new_page()
    login(page, "clerk9", PASSWORD)
    page.goto(f"{page.base}/inventory/stocktakes/{st.pk}/count/")
    scan = page.get_by_test_id("scan-input")
    assert page.evaluate("document.activeElement.id") == "code"
    # a burst of ten scans of the bolt, typed as a scanner does (code + Enter)
    for _ in range(10):
        scan.type(bolt.barcode, delay=0)
        scan.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#log li').length >= 10")
    page.wait_for_function("() => document.querySelector('[data-testid=running-count]') && "
                           "document.querySelector('#last').textContent.includes('10')")
    # the input kept the focus all along
    assert page.evaluate("document.activeElement.id") == "code"
    # an unknown code warns
    scan.type("0000000000000")
    scan.press("Enter")
    page.wait_for_selector("#last.alert-danger")
    assert "Unknown code" in page.locator("#last").inner_text()
    # the nuts: typed with a quantity
    page.locator("label[for=mode-qty]").click()
    scan.fill(nut.sku)
    page.locator("#qty").fill("3")
    page.locator("#qty").press("Enter")
    page.wait_for_function("() => document.querySelector('#last').textContent.includes('GB6170-M8')")
    shot(page, "inventory-stocktake-count")

    # a second manager approves the variance (−2 bolts)
    page2 = new_page()
    login(page2, "gm9", PASSWORD)
    page2.goto(f"{page2.base}/inventory/stocktakes/{st.pk}/")
    assert page2.get_by_test_id("counted-lines").inner_text().strip() == "2 / 2"
    shot(page2, "inventory-stocktake-report")
    page2.on("dialog", lambda d: d.accept())
    page2.get_by_test_id("approve").click()
    page2.wait_for_selector("[data-testid=stocktake-status]:has-text('Approved')")
    shot(page2, "inventory-stocktake-approved")
    assert StockLevel.objects.get(product=bolt).on_hand == Decimal("10")
    assert StockLevel.objects.get(product=nut).on_hand == Decimal("3")
    assert StockMovement.objects.filter(kind="stocktake").count() == 1
