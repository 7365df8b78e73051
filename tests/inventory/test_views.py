from decimal import Decimal

import pytest
from django.urls import reverse

from inventory import services
from inventory.choices import MovementKind
from inventory.models import StockLevel, StockMovement
from tests.factories.inventory import LocationFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(wh, clerk):
    locs = [LocationFactory(warehouse=wh) for _ in range(3)]
    products = [ProductFactory() for _ in range(30)]
    for i, p in enumerate(products):
        services.post_movement(product=p, quantity=10 + i, to_location=locs[i % 3], kind=MovementKind.RECEIPT,
                               actor=clerk, unit_cost=Decimal("1.20"))
    return products, locs


LIST_PAGES = ["inventory:product_list", "inventory:stock_list", "inventory:movement_list", "inventory:valuation",
              "inventory:no_movement", "inventory:alert_list", "inventory:warehouse_list", "inventory:location_list"]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_render_with_bounded_queries(client_as, stocked, django_assert_max_num_queries, name):
    client = client_as("general_manager")
    with django_assert_max_num_queries(20):
        response = client.get(reverse(name))
    assert response.status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse(name), {"_export": "xlsx"}).status_code == 200


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_empty_state(client_as, name):
    response = client_as("general_manager").get(reverse(name))
    assert response.status_code == 200
    assert b'data-testid="empty-state"' in response.content


def test_product_search_and_filters(client_as, stocked):
    products, _ = stocked
    client = client_as("warehouse_clerk")
    response = client.get(reverse("inventory:product_list"), {"q": products[3].sku})
    assert [r.record.pk for r in response.context["table"].rows] == [products[3].pk]
    response = client.get(reverse("inventory:product_list"), {"thread": "m8", "standard": "5782"})
    assert response.context["table"].paginator.count == 30


def test_product_page(client_as, stocked, django_assert_max_num_queries):
    products, _ = stocked
    client = client_as("warehouse_clerk")
    with django_assert_max_num_queries(27):  # + the pending key-data changes (governance)
        response = client.get(reverse("inventory:product", args=[products[0].pk]))
    assert response.status_code == 200
    assert b'data-testid="movement-history"' in response.content


def test_receipt_form_posts_a_movement(client_as, product, loc):
    client = client_as("warehouse_clerk")
    url = reverse("inventory:receipt")
    key = client.get(url).context["form"].initial["idempotency_key"]
    data = {"product": product.pk, "quantity": "12", "to_location": loc.pk, "unit_cost": "0.5",
            "idempotency_key": key}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a double submission posts once
    assert StockMovement.objects.get().quantity == Decimal("12")
    assert StockLevel.objects.get().on_hand == Decimal("12")


def test_issue_form_refuses_negative_with_a_message(client_as, product, loc):
    client = client_as("warehouse_clerk")
    response = client.post(reverse("inventory:issue"), {"product": product.pk, "quantity": "5",
                                                         "from_location": loc.pk, "idempotency_key": "x1"})
    assert response.status_code == 200
    assert "cannot be taken out" in response.content.decode()
    assert not StockMovement.objects.exists()


def test_bad_quantity_message(client_as, product, loc):
    response = client_as("warehouse_clerk").post(reverse("inventory:receipt"), {
        "product": product.pk, "quantity": "abc", "to_location": loc.pk, "idempotency_key": "x2"})
    assert "is not a number" in response.content.decode()


def test_sales_rep_cannot_open_inventory(client_as):
    assert client_as("sales_rep").get(reverse("inventory:product_list")).status_code == 403


def test_clerk_cannot_create_products(client_as):
    assert client_as("warehouse_clerk").get(reverse("inventory:product_create")).status_code == 403


def test_product_create(client_as, db):
    from tests.factories.inventory import CategoryFactory, UnitFactory
    cat, unit = CategoryFactory(), UnitFactory()
    client = client_as("purchaser")
    data = {"sku": "DIN933-M10X40", "name_zh": "外六角螺栓 M10×40", "name_en": "Hex bolt M10×40",
            "category": cat.pk, "base_unit": unit.pk, "barcode_kind": "ean13", "barcode": "6901234567891",
            "standard_cost": "0.3", "list_price": "0.6", "active": "on"}
    response = client.post(reverse("inventory:product_create"), data)
    assert response.status_code == 200 and "not a valid EAN-13" in response.content.decode()
    data["barcode"] = "6901234567892"
    response = client.post(reverse("inventory:product_create"), data)
    assert response.status_code == 302


def test_set_and_clear_thresholds(client_as, product, wh):
    from inventory.models import StockAlert, StockThreshold

    client = client_as("purchaser")
    url = reverse("inventory:product_threshold", args=[product.pk])
    client.post(url, {"warehouse": wh.pk, "minimum": "10", "maximum": "5"})
    assert not StockThreshold.objects.exists()
    client.post(url, {"warehouse": wh.pk, "minimum": "10", "maximum": "50"})
    assert StockThreshold.objects.get().minimum == Decimal("10")
    assert StockAlert.objects.filter(kind="low").count() == 1  # nothing in stock: below the minimum at once
    client.post(url, {"warehouse": wh.pk, "minimum": "0", "maximum": "0"})
    assert not StockThreshold.objects.exists()
