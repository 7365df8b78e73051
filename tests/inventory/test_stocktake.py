from decimal import Decimal

import pytest
from django.urls import reverse

from hardware_erp.core.errors import BusinessRuleError
from inventory import services, stocktakes
from inventory.choices import MovementKind
from inventory.models import CountEntry, StockLevel, StockMovement, StocktakeLine
from inventory.selectors import ledger_differences
from tests.factories.inventory import ProductFactory
from tests.pdffonts import assert_all_embedded

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def manager(make_user):
    return make_user("general_manager")


@pytest.fixture
def manager2(make_user):
    return make_user("general_manager")


@pytest.fixture
def counted(product, loc, loc2, clerk, manager):
    services.post_movement(product=product, quantity=10, to_location=loc, kind=MovementKind.RECEIPT, actor=clerk)
    services.post_movement(product=product, quantity=4, to_location=loc2, kind=MovementKind.RECEIPT, actor=clerk)
    return stocktakes.open_stocktake(warehouse=loc.warehouse, actor=manager)


def scan(st, loc, clerk, code, **kw):
    return stocktakes.record_count(stocktake=st, location=loc, actor=clerk, code=code, **kw)


def test_open_freezes_expected(counted, product, loc, loc2):
    assert sorted(counted.lines.values_list("location__code", "expected")) == [("A-01-01", D(10)), ("A-01-02", D(4))]


def test_scans_add_up_and_are_recorded(counted, product, loc, clerk):
    for _ in range(3):
        line = scan(counted, loc, clerk, product.barcode)
    assert line.counted == D(3)
    line = scan(counted, loc, clerk, product.sku, quantity="5", method="typed")
    assert line.counted == D(8)
    assert list(CountEntry.objects.filter(line=line).values_list("method", flat=True)).count("scan") == 3


def test_unknown_code_is_refused(counted, loc, clerk):
    with pytest.raises(BusinessRuleError, match="Unknown code"):
        scan(counted, loc, clerk, "999")
    assert not CountEntry.objects.exists()


def test_weight_counting(counted, product, loc, clerk):
    product.unit_weight_g = D("12.5")
    product.save()
    line = scan(counted, loc, clerk, product.sku, method="weight", gross="1262.5", tare="12.5")  # 1250 g / 12.5
    assert line.counted == D(100)


def test_found_product_adds_a_line(counted, loc, clerk):
    other = ProductFactory()
    line = scan(counted, loc, clerk, other.sku)
    assert (line.expected, line.counted, line.added_during_count) == (D(0), D(1), True)


def test_approval_posts_variances_and_keeps_the_ledger(counted, product, loc, loc2, clerk, manager, manager2):
    scan(counted, loc, clerk, product.sku, quantity="7", method="typed", replace=True)
    scan(counted, loc2, clerk, product.sku, quantity="4", method="typed", replace=True)
    # a movement during the count is taken into account: 2 more arrive at loc after opening
    services.post_movement(product=product, quantity=2, to_location=loc, kind=MovementKind.RECEIPT, actor=clerk)
    line = stocktakes.lines_with_variance(counted).get(location=loc)
    assert (line.expected_now, line.variance) == (D(12), D(-5))
    with pytest.raises(BusinessRuleError, match="another manager approves"):
        stocktakes.approve_stocktake(counted, actor=manager)  # the opener
    moves = stocktakes.approve_stocktake(counted, actor=manager2)
    assert [(m.kind, m.quantity, m.from_location_id, m.reference) for m in moves] == [
        ("stocktake", D(5), loc.pk, counted.number)]
    assert StockLevel.objects.get(product=product, location=loc).on_hand == D(7)
    with pytest.raises(BusinessRuleError, match="already"):
        stocktakes.approve_stocktake(counted, actor=manager2)
    assert ledger_differences() == []


def test_every_invalid_line_reported_at_once(counted, product, loc, clerk, manager2):
    ProductFactory()
    with pytest.raises(BusinessRuleError) as exc:
        stocktakes.approve_stocktake(counted, actor=manager2)
    assert len(exc.value.messages) == 2
    assert StockMovement.objects.filter(kind="stocktake").count() == 0


def test_recount_above_threshold(counted, product, loc, loc2, clerk, manager, manager2):
    scan(counted, loc, clerk, product.sku, quantity="9.8", method="typed", replace=True)   # 2 % off: fine
    scan(counted, loc2, clerk, product.sku, quantity="2", method="typed", replace=True)    # 50 % off: recount
    assert stocktakes.request_recounts(counted, actor=manager) == 1
    line = StocktakeLine.objects.get(location=loc2)
    assert (line.needs_recount, line.counted) == (True, None)
    with pytest.raises(BusinessRuleError, match="recount"):
        stocktakes.approve_stocktake(counted, actor=manager2)
    scan(counted, loc2, clerk, product.sku, quantity="3", method="typed", replace=True)
    stocktakes.approve_stocktake(counted, actor=manager2)
    assert StockLevel.objects.get(product=product, location=loc2).on_hand == D(3)


def test_bulk_approval_of_many_lines(wh, loc, clerk, manager, manager2, django_assert_max_num_queries):
    products = ProductFactory.create_batch(300)
    for p in products:
        services.post_movement(product=p, quantity=5, to_location=loc, kind=MovementKind.RECEIPT, actor=clerk)
    st = stocktakes.open_stocktake(warehouse=wh, actor=manager)
    StocktakeLine.objects.filter(stocktake=st).update(counted=D(4))
    with django_assert_max_num_queries(40):
        moves = stocktakes.approve_stocktake(st, actor=manager2)
    assert len(moves) == 300
    assert ledger_differences() == []


def test_scan_endpoint_and_pages(client_as, counted, product, loc, manager2, django_assert_max_num_queries):
    client = client_as("warehouse_clerk")
    url = reverse("inventory:stocktake_scan", args=[counted.pk])
    r = client.post(url, {"code": product.barcode, "location": loc.code})
    assert r.json()["counted"] == "1" and r.json()["expected"] == "10"
    r = client.post(url, {"code": "nope", "location": loc.code})
    assert r.status_code == 400 and "Unknown code" in r.json()["message"]
    assert client.get(reverse("inventory:stocktake_count", args=[counted.pk])).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("inventory:stocktake", args=[counted.pk])).status_code == 200
    assert client.get(reverse("inventory:stocktake_list")).status_code == 200
    pdf = client.get(reverse("inventory:stocktake_report", args=[counted.pk, "pdf"]))
    assert pdf.content.startswith(b"%PDF")
    assert_all_embedded(pdf.content, "variance report")
    xlsx = client.get(reverse("inventory:stocktake_report", args=[counted.pk, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_blind_count_hides_expected(client_as, product, loc, clerk, manager):
    services.post_movement(product=product, quantity=3, to_location=loc, kind=MovementKind.RECEIPT, actor=clerk)
    st = stocktakes.open_stocktake(warehouse=loc.warehouse, actor=manager, blind=True)
    r = client_as("warehouse_clerk").post(reverse("inventory:stocktake_scan", args=[st.pk]),
                                          {"code": product.sku, "location": loc.code})
    assert "expected" not in r.json()


def test_a_box_barcode_counts_the_box(counted, product, loc, clerk):
    from tests.factories.inventory import UnitFactory

    box = UnitFactory(code="box100", name_zh="盒(100个)", name_en="box of 100")
    product.units.create(unit=box, factor=100, barcode="16901234567899")
    line = scan(counted, loc, clerk, "16901234567899")
    assert line.counted == D(100)


def test_two_clerks_counting_the_same_item(counted, product, loc, clerk, make_user):
    other = make_user("warehouse_clerk")
    scan(counted, loc, clerk, product.sku)
    line = scan(counted, loc, other, product.sku)
    assert line.counted == D(2)
    assert set(CountEntry.objects.values_list("counted_by", flat=True)) == {clerk.pk, other.pk}
