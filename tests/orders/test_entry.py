"""Order entry priced live (issue 17 item 1): the preview prices lines with the save's own pricing, so the totals
it shows are the totals the saved order stores; a line the save would refuse shows the refusal; only the product's
units are offered; choosing the customer gives its receiver, phone, address and terms."""

from decimal import Decimal

import pytest

from crm.models import DeliveryAddress
from inventory.models import ProductUnit
from orders import services
from orders.forms import LineForm
from orders.models import SalesOrder
from tests.factories.inventory import UnitFactory
from tests.factories.orders import PriceRuleFactory

pytestmark = pytest.mark.django_db


def _post(world, lines):
    data = {"customer": world.customer.pk, "warehouse": world.warehouse.pk, "lines-TOTAL_FORMS": len(lines),
            "lines-INITIAL_FORMS": 0, "lines-MIN_NUM_FORMS": 0, "lines-MAX_NUM_FORMS": 200}
    for i, line in enumerate(lines):
        for k, v in line.items():
            data[f"lines-{i}-{k}"] = v
    return data


def test_preview_totals_equal_the_saved_order(client_as, world):
    PriceRuleFactory(level=world.customer.level, min_quantity=Decimal("100"), discount_percent=Decimal("3.3"))
    p0, p1 = world.products
    lines = [{"product": p0.pk, "quantity": "137"}, {"product": p1.pk, "quantity": "7", "discount_percent": "12.5"},
             {}]
    client = client_as(user=world.rep)
    r = client.post("/orders/lines/preview/", _post(world, lines), HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    totals = r.context["totals"]
    order = services.create_order(customer=world.customer, warehouse=world.warehouse, actor=world.rep, lines=[
        services.LineInput(product=p0, quantity=Decimal("137")),
        services.LineInput(product=p1, quantity=Decimal("7"), discount_percent=Decimal("12.5"))])
    order = SalesOrder.objects.get(pk=order.pk)
    assert totals["total"] == order.total and totals["net_total"] == order.net_total
    assert totals["tax_total"] == order.tax_total and totals["discount_total"] == order.discount_total
    assert f'data-total="{order.total}"' in r.content.decode()
    saved = list(order.lines.order_by("position"))
    assert [row["line"].amount for row in r.context["rows"][:2]] == [ln.amount for ln in saved]
    assert r.context["rows"][0]["line"].discount_percent == Decimal("3.3")  # the quantity break
    assert r.context["rows"][2].get("line") is None


def test_preview_shows_what_the_save_would_refuse_and_the_stock(client_as, world):
    p0, p1 = world.products
    client = client_as(user=world.rep)
    r = client.post("/orders/lines/preview/", _post(world, [{"product": p0.pk, "quantity": "2", "unit_price": "0.01"},
                                                           {"product": p1.pk, "quantity": "900"}]))
    rows = r.context["rows"]
    assert "below the floor" in " ".join(rows[0]["errors"])
    assert rows[1]["available"] == Decimal("300") and rows[1]["short"] is True
    assert r.context["totals"]["total"] == rows[1]["line"].amount  # the refused line counts for nothing


def test_preview_is_the_reps_customers_only(client_as, world, make_user):
    other = client_as("sales_rep")
    r = other.post("/orders/lines/preview/", _post(world, [{"product": world.products[0].pk, "quantity": "1"}]))
    assert r.context["totals"] is None and "line" not in r.context["rows"][0]


def test_units_offered_are_the_products_own(world):
    p0 = world.products[0]
    box = UnitFactory(code="box", name_zh="盒", name_en="box")
    UnitFactory(code="kg", name_zh="千克", name_en="kg")
    ProductUnit.objects.create(product=p0, unit=box, factor=Decimal("50"))
    form = LineForm(initial={"product": p0.pk})
    assert set(form.fields["unit"].queryset) == {p0.base_unit, box}
    assert form.initial["unit"] == p0.base_unit_id
    assert list(LineForm().fields["unit"].queryset) == []


def test_customer_defaults(client_as, world):
    DeliveryAddress.objects.create(customer=world.customer, recipient="李工", phone="13700000000", city="温州市",
                                   address="瓯海区五金城3号", is_default=True)
    client = client_as(user=world.rep)
    j = client.get(f"/orders/lookup/customer-defaults/?customer={world.customer.pk}").json()
    assert j["contact_name"] == "李工" and j["contact_phone"] == "13700000000"
    assert "温州市" in j["delivery_address"] and j["payment_terms_days"] == 30
    assert j["level"] == world.customer.level
    assert client_as("sales_rep").get(f"/orders/lookup/customer-defaults/?customer={world.customer.pk}"
                                      ).status_code == 404


def test_product_by_code(client_as, world):
    p0 = world.products[0]
    box = UnitFactory(code="box", name_zh="盒", name_en="box")
    ProductUnit.objects.create(product=p0, unit=box, factor=Decimal("50"), barcode="6912345678901")
    client = client_as(user=world.rep)
    assert client.get(f"/orders/lookup/product-by-code/?code={p0.sku}").json()["id"] == p0.pk
    j = client.get("/orders/lookup/product-by-code/?code=6912345678901").json()
    assert j["id"] == p0.pk and j["quantity"] == "50"
    assert client.get("/orders/lookup/product-by-code/?code=NOPE").json()["ok"] is False
