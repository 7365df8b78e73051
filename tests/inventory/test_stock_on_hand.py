"""Issue 19, item 5: `with_stock(whole=True)` (one grouped pass over the view `inventory_productstock`) gives every
product the figures the per-product lookups give, over levels in several warehouses, active and released
reservations and purchase lines in every status; the product list sorted by stock answers in a number of queries
that does not grow with the catalogue, and its export reads the grouped pass."""

import random
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.choices import POStatus
from inventory.models import Product, PurchaseOrder, PurchaseOrderLine, Reservation, StockLevel
from inventory.selectors import with_stock
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


def steady_count(client, url):
    """Queries of the request once repeated (a minute-long cache refreshed by one of them is not counted)."""
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as seen:
            assert client.get(url).status_code == 200
        counts.append(len(seen))
    return min(counts)


@pytest.mark.parametrize("sort", ["-on_hand", "available", "sku"])
def test_the_product_list_sorted_by_stock_in_constant_queries(client_as, make_user, sort):
    user = make_user("general_manager")
    client = client_as(user=user)
    url = reverse("inventory:product_list") + f"?sort={sort}"
    catalogue(3, user, seed=1)
    client.get(url)
    few = steady_count(client, url)
    catalogue(40, user, seed=2)
    many = steady_count(client, url)
    assert many == few
    if sort != "sku":
        first = with_stock(whole=True).order_by(sort, "sku").first()
        assert first.sku in client.get(url).content.decode()


def test_the_product_export_reads_the_grouped_pass(client_as, make_user):
    user = make_user("general_manager")
    client = client_as(user=user)
    catalogue(3, user, seed=3)
    with CaptureQueriesContext(connection) as exported:
        assert client.get(reverse("inventory:product_list") + "?sort=-on_hand&_export=csv").status_code == 200
    with CaptureQueriesContext(connection) as page:
        assert client.get(reverse("inventory:product_list") + "?sort=-on_hand").status_code == 200
    assert any("inventory_productstock" in q["sql"] for q in exported.captured_queries)
    assert not any("inventory_productstock" in q["sql"] for q in page.captured_queries)


@pytest.mark.parametrize("sort", ["on_hand", "-on_hand", "available", "-available"])
def test_products_of_equal_stock_are_each_on_exactly_one_page(client_as, make_user, sort):
    """Most products have the same stock (none): sorted by it, the SKU breaks the tie, so pages 1 and 2 share no
    product and together hold all of them, in SKU order (the SKU's way) among equals."""
    client = client_as(user=make_user("general_manager"))
    products = sorted(ProductFactory().sku for _ in range(30))
    url = reverse("inventory:product_list") + f"?sort={sort}"
    pages = [client.get(f"{url}&page={n}").content.decode() for n in (1, 2)]
    where = [[n for n, page in enumerate(pages) if f">{sku}<" in page] for sku in products]
    assert all(len(w) == 1 for w in where), where
    shown = [sku for page in pages for sku in sorted(products, key=page.find) if f">{sku}<" in page]
    assert shown == (products[::-1] if sort.startswith("-") else products)


def by_hand(products, warehouse=None):
    """Each product's figures summed in Python from its rows (in one warehouse: a purchase line's is its order's)."""
    def of(qs, wh_field):
        return qs.filter(**{wh_field: warehouse}) if warehouse else qs

    out = []
    for p in sorted(products, key=lambda p: p.pk):
        on_hand = sum((lv.on_hand for lv in of(StockLevel.objects.filter(product=p), "warehouse")), D(0))
        reserved = sum((r.quantity for r in of(Reservation.objects.active().filter(product=p), "warehouse")), D(0))
        on_order = sum((ln.quantity - ln.received_quantity for ln in of(PurchaseOrderLine.objects.filter(
            product=p, order__status__in=("approved", "sent", "partial")), "order__warehouse")), D(0))
        out.append((p.pk, on_hand, reserved, on_order, on_hand - reserved))
    return out


def test_the_lookups_equal_the_rows_summed_by_hand(make_user):
    """The lookups are fixed SQL around the outer product's column: right for all warehouses, for one, and when
    the annotated products are themselves read inside a subquery (where Django renames the outer table)."""
    products = catalogue(12, make_user("general_manager"), seed=23)
    ids = Product.objects.filter(pk__in=[p.pk for p in products])
    assert figures(with_stock(ids).order_by("pk")) == by_hand(products)
    for wh in {lv.warehouse for lv in StockLevel.objects.filter(product__in=products)}:
        assert figures(with_stock(ids, wh).order_by("pk")) == by_hand(products, wh)
        assert figures(with_stock(ids, wh.pk).order_by("pk")) == by_hand(products, wh)
    reserved = Product.objects.filter(pk__in=with_stock(ids).filter(reserved__gt=0).values("pk"))
    assert sorted(reserved.values_list("pk", flat=True)) == [row[0] for row in by_hand(products) if row[2] > 0] != []


def test_the_product_list_page_reads_its_columns_and_no_purchase_line(client_as, make_user):
    """The list shows on hand and available, not on order: a page of it reads no purchase line, and of a product
    its shown columns, not whole rows (the export reads the grouped figures, tested above)."""
    catalogue(30, make_user("general_manager"))
    client = client_as("general_manager")
    client.get(reverse("inventory:product_list"))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("inventory:product_list"))
    assert response.status_code == 200 and len(response.context["table"].page.object_list) == 25
    page = [q["sql"] for q in ctx.captured_queries if '"inventory_product"."sku"' in q["sql"]
            and "LIMIT" in q["sql"] and "COUNT(" not in q["sql"]]
    assert len(page) == 1
    assert "inventory_purchaseorderline" not in page[0]
    for column in ("barcode", "average_cost", "tax_category_code", "created_at"):
        assert f'"inventory_product"."{column}"' not in page[0]
