"""Issue 14 item 1 / issue 18: every inventory create/edit page is a ServiceFormView whose Save button sits in its
form and saves through a service, once; every form is saved here through the test client as its real role."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import (
    Location,
    Product,
    PurchaseOrder,
    StockMovement,
    Stocktake,
    StockThreshold,
    Supplier,
    SupplierContact,
    SupplierProduct,
    Warehouse,
)
from tests.factories.inventory import (
    CategoryFactory,
    ProductFactory,
    SupplierFactory,
    SupplierProductFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def _save_button_inside_its_form(html):
    """The page's submit buttons are all inside a <form> (the dead Save buttons sat after a crispy </form>)."""
    depth, outside = 0, []
    for m in re.finditer(r"<form\b|</form>|<button[^>]*type=\"submit\"[^>]*>", html):
        tag = m.group(0)
        if tag.startswith("<form"):
            depth += 1
        elif tag == "</form>":
            depth -= 1
        elif depth == 0:
            outside.append(tag)
    return not outside


def _post_twice(client, url, data):
    """GET the page (its one-time token), check its buttons, POST it twice as a double click would."""
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert _save_button_inside_its_form(html), url
    assert "<form" in html and html.count('name="_once"') == 1
    token = re.search(r'name="_once" value="(\w+)"', html).group(1)
    data = {**data, "_once": token}
    first = client.post(url, data)
    assert first.status_code == 302, first.context["form"].errors if first.context else first
    second = client.post(url, data)  # redirected to what the first saved, or refused by the record's unique key
    assert second.status_code in (200, 302)
    return first


CREATE_PAGES = [
    ("warehouse_manager", "inventory:warehouse_create", Warehouse,
     {"code": "BJ", "name_zh": "北京仓", "name_en": "Beijing", "address": "", "active": "on"}),
    ("warehouse_clerk", "inventory:location_create", Location, None),
    ("purchaser", "inventory:supplier_create", Supplier,
     {"code": "S-NEW", "name_zh": "宁波紧固件", "name_en": "Ningbo Fasteners", "default_lead_time_days": "7",
      "active": "on"}),
    ("purchaser", "inventory:product_create", Product, None),
]


@pytest.mark.parametrize(("role", "name", "model", "data"), CREATE_PAGES)
def test_new_pages_save_once(client_as, wh, role, name, model, data):
    if model is Location:
        data = {"warehouse": wh.pk, "code": "b-02-03", "description": "", "active": "on"}
    if model is Product:
        data = {"sku": "DIN933-M10X40", "name_zh": "外六角螺栓 M10×40", "name_en": "Hex bolt M10×40",
                "category": CategoryFactory().pk, "base_unit": UnitFactory().pk, "barcode_kind": "code128",
                "standard_cost": "0.3", "list_price": "0.6", "active": "on"}
    before = model.objects.count()
    _post_twice(client_as(role), reverse(name), data)
    assert model.objects.count() == before + 1
    if model is Location:
        assert Location.objects.filter(code="B-02-03").exists()


def test_edit_pages_save_through_their_services(client_as, wh, loc):
    client = client_as("warehouse_manager")
    _post_twice(client, reverse("inventory:warehouse_edit", args=[wh.pk]),
                {"code": wh.code, "name_zh": "上海一号仓", "name_en": "Shanghai 1", "active": "on"})
    assert Warehouse.objects.get(pk=wh.pk).name_zh == "上海一号仓"
    _post_twice(client, reverse("inventory:location_edit", args=[loc.pk]),
                {"warehouse": wh.pk, "code": loc.code, "description": "top shelf", "active": "on"})
    assert Location.objects.get(pk=loc.pk).description == "top shelf"
    supplier = SupplierFactory()
    purchaser = client_as("purchaser")
    _post_twice(purchaser, reverse("inventory:supplier_edit", args=[supplier.pk]),
                {"code": supplier.code, "name_zh": "新名字", "name_en": "New name", "default_lead_time_days": "9",
                 "active": "on"})
    assert Supplier.objects.get(pk=supplier.pk).default_lead_time_days == 9


def test_supplier_products_and_contacts(client_as):
    supplier, other = SupplierFactory(), SupplierFactory()
    product = ProductFactory()
    client = client_as("purchaser")
    _post_twice(client, reverse("inventory:supplierproduct_create", args=[supplier.pk]),
                {"product": product.pk, "supplier_sku": "X1", "price": "1.25", "lead_time_days": "5",
                 "pack_size": "100", "moq": "100", "preferred": "on"})
    sp = SupplierProduct.objects.get(supplier=supplier)
    assert sp.preferred and sp.price == Decimal("1.25")
    # the service's rule, shown on the form: another supplier cannot be preferred too
    page = client.get(reverse("inventory:supplierproduct_create", args=[other.pk])).content.decode()
    token = re.search(r'name="_once" value="(\w+)"', page).group(1)
    response = client.post(reverse("inventory:supplierproduct_create", args=[other.pk]),
                           {"product": product.pk, "supplier_sku": "Y1", "price": "1.1", "lead_time_days": "5",
                            "pack_size": "1", "moq": "1", "preferred": "on", "_once": token})
    assert response.status_code == 200, response
    assert "Another supplier is preferred" in str(response.context["form"].errors), response.context["form"].errors
    _post_twice(client, reverse("inventory:supplierproduct_edit", args=[sp.pk]),
                {"product": product.pk, "supplier_sku": "X2", "price": "1.30", "lead_time_days": "5",
                 "pack_size": "100", "moq": "100", "preferred": "on"})
    assert SupplierProduct.objects.get(pk=sp.pk).price == Decimal("1.30")
    client.post(reverse("inventory:supplier_contact_create", args=[supplier.pk]),
                {"name": "王经理", "role": "销售", "phone": "13800138000", "email": ""})
    assert SupplierContact.objects.filter(supplier=supplier, name="王经理").exists()


def test_movement_stocktake_and_purchase_order_forms(client_as, wh, loc, product):
    clerk = client_as("warehouse_clerk")
    page = clerk.get(reverse("inventory:receipt")).content.decode()
    key = re.search(r'name="idempotency_key" value="(\w+)"', page).group(1)
    _post_twice(clerk, reverse("inventory:receipt"), {"product": product.pk, "quantity": "12", "to_location": loc.pk,
                                                      "idempotency_key": key})
    assert StockMovement.objects.get().quantity == Decimal("12")
    _post_twice(client_as("warehouse_manager"), reverse("inventory:stocktake_create"),
                {"warehouse": wh.pk, "recount_threshold_pct": "5", "blind": "on"})
    assert Stocktake.objects.get().blind
    sp = SupplierProductFactory(product=product)
    _post_twice(client_as("purchaser"), reverse("inventory:purchaseorder_create"),
                {"supplier": sp.supplier.pk, "warehouse": wh.pk, "lines-TOTAL_FORMS": "1",
                 "lines-INITIAL_FORMS": "0", "lines-0-product": product.pk, "lines-0-quantity": "50"})
    assert PurchaseOrder.objects.get().lines.get().quantity == Decimal("50")


def test_thresholds_through_the_service(client_as, product, wh):
    client = client_as("warehouse_manager")
    url = reverse("inventory:product_threshold", args=[product.pk])
    client.post(url, {"warehouse": wh.pk, "minimum": "10", "maximum": "50"})
    assert StockThreshold.objects.get().maximum == Decimal("50")
    client.post(url, {"warehouse": wh.pk, "minimum": "0", "maximum": "0"})
    assert not StockThreshold.objects.exists()


def test_inventory_has_no_form_template_or_form_mixin_of_its_own():
    from pathlib import Path

    import inventory

    assert not (Path(inventory.__file__).parent.parent / "templates/inventory/form.html").exists()
    from inventory import views

    assert not hasattr(views, "FormPageMixin")
