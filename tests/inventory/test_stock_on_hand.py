"""Issue 19, item 5: `with_stock(whole=True)` (one grouped pass over the view `inventory_productstock`) gives every
product the figures the per-product lookups give, over levels in several warehouses, active and released
reservations and purchase lines in every status; the product list sorted by stock reads it, in a number of queries
that does not grow with the catalogue."""

import random
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.choices import POStatus
from inventory.models import Product, PurchaseOrder, PurchaseOrderLine, Reservation, StockLevel
from inventory.selectors import sorts_by_stock, with_stock
from tests.factories.inventory import LocationFactory, ProductFactory, SupplierFactory, WarehouseFactory

pytestmark = pytest.mark.django_db
FIGURES = ("pk", "on_hand", "reserved", "on_order", "available")


def catalogue(n, user, seed=19):
    rng = random.Random(seed)
    warehouses = [WarehouseFactory(), WarehouseFactory()]
    bins = [LocationFactory(warehouse=w) for w in warehouses for _ in range(2)]
    products = [ProductFactory() for _ in range(n)]
    supplier = SupplierFactory()
    orders = {status: PurchaseOrder.objects.create(number=f"T{seed}{status}", supplier=supplier,
                                                   warehouse=warehouses[0], status=status, created_by=user)
              for status in POStatus.values}
    for i, p in enumerate(products):
        for b in rng.sample(bins, rng.randint(0, len(bins))):  # some products have no level at all
            StockLevel.objects.create(product=p, location=b, warehouse=b.warehouse, on_hand=D(rng.randint(0, 90)))
        for j in range(rng.randint(0, 2)):
            Reservation.objects.create(product=p, warehouse=rng.choice(warehouses), quantity=D(rng.randint(1, 9)),
                                       reference="SO", key=f"r{seed}-{i}-{j}", created_by=user,
                                       released_at=timezone.now() if rng.random() < 0.4 else None)
        for status in rng.sample(POStatus.values, rng.randint(0, 3)):
            qty = D(rng.randint(2, 50))
            PurchaseOrderLine.objects.create(order=orders[status], product=p, quantity=qty,
                                             received_quantity=qty / 2 if status == "partial" else 0, unit_price=1)
    return products


def figures(qs):
    return [tuple(getattr(p, f) for f in FIGURES) for p in qs]


def test_the_grouped_pass_equals_the_lookups_for_every_product(make_user):
    products = catalogue(30, make_user("general_manager"))
    ids = Product.objects.filter(pk__in=[p.pk for p in products])
    assert figures(with_stock(ids, whole=True).order_by("pk")) == figures(with_stock(ids).order_by("pk"))
    ranked = ("-on_hand", "available", "pk")
    assert figures(with_stock(ids, whole=True).order_by(*ranked)) == figures(with_stock(ids).order_by(*ranked))
    assert with_stock(ids, whole=True).filter(on_hand=0).count() == with_stock(ids).filter(on_hand=0).count() > 0
    # at least one figure of each kind is not zero: the comparison compared something
    assert all(any(row[i] for row in figures(with_stock(ids))) for i in range(1, 4))


def test_one_warehouse_keeps_the_lookups(make_user):
    products = catalogue(6, make_user("general_manager"))
    wh = StockLevel.objects.filter(product__in=products).first().warehouse
    qs = Product.objects.filter(pk__in=[p.pk for p in products])
    assert figures(with_stock(qs, wh, whole=True).order_by("pk")) == figures(with_stock(qs, wh).order_by("pk"))


def test_sorts_by_stock():
    assert sorts_by_stock("-on_hand") and sorts_by_stock("sku,available")
    assert not sorts_by_stock("sku") and not sorts_by_stock(None)


@pytest.mark.parametrize("sort", ["-on_hand", "available", "sku"])
def test_the_product_list_sorted_by_stock_in_constant_queries(client_as, make_user, sort):
    user = make_user("general_manager")
    client = client_as(user=user)
    url = reverse("inventory:product_list") + f"?sort={sort}"
    catalogue(3, user, seed=1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    catalogue(40, user, seed=2)
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.status_code == 200
    assert len(many) == len(few)
    if sort != "sku":
        first = with_stock(whole=True).order_by(sort, "sku").first()
        assert first.sku in page.content.decode()
