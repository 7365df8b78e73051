"""The warehouse floor's server side (issue 17 items 2–3): what a scanned code names, a product's bins and home
bin, the movement and receiving forms' default bins, the scan lookup."""

from decimal import Decimal

import pytest

from inventory import purchasing, selectors, services
from inventory.choices import MovementKind
from inventory.forms import MovementForm, ReceiveForm
from inventory.models import ProductUnit
from tests.factories import UserFactory
from tests.factories.inventory import LocationFactory, ProductFactory, SupplierProductFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked():
    actor = UserFactory.with_role("warehouse_manager")
    p = ProductFactory(barcode="HW77000001")
    a = LocationFactory(code="A-01-01")
    b = LocationFactory(warehouse=a.warehouse, code="B-02-02")
    services.post_movement(product=p, quantity=Decimal("5"), to_location=a, kind=MovementKind.RECEIPT, actor=actor,
                           unit_cost=Decimal("1"))
    services.post_movement(product=p, quantity=Decimal("9"), to_location=b, kind=MovementKind.RECEIPT, actor=actor,
                           unit_cost=Decimal("1"))
    services.post_movement(product=p, quantity=Decimal("1"), to_location=a, kind=MovementKind.RECEIPT, actor=actor,
                           unit_cost=Decimal("1"))  # the latest receipt went to A: its home bin
    return p, a, b, actor


def test_codes_bins_and_home_bin(stocked):
    p, a, b, _actor = stocked
    box = UnitFactory(code="box", name_zh="盒", name_en="box")
    ProductUnit.objects.create(product=p, unit=box, factor=Decimal("20"), barcode="6900000000017")
    assert selectors.product_for_code("HW77000001") == (p, Decimal(1))
    assert selectors.product_for_code(p.sku.lower()) == (p, Decimal(1))
    assert selectors.product_for_code("6900000000017") == (p, Decimal("20"))
    assert selectors.product_for_code("nothing") is None
    assert [x["code"] for x in selectors.product_bins(p)] == ["B-02-02", "A-01-01"]  # most stock first
    assert selectors.home_bin(p, a.warehouse) == a
    assert [u["id"] for u in selectors.product_units(p)] == [p.base_unit_id, box.pk]


def test_movement_forms_default_to_the_products_bins(stocked):
    p, a, b, actor = stocked
    issue = MovementForm(kind=MovementKind.ISSUE, actor=actor, initial={"product": p.pk})
    assert issue.initial["from_location"] == b.pk  # the bin with the most stock
    receipt = MovementForm(kind=MovementKind.RECEIPT, actor=actor, initial={"product": p.pk})
    assert receipt.initial["to_location"] == a.pk  # its home bin
    assert "data-picker" in receipt.fields["to_location"].widget.attrs  # the rest stay searchable
    assert "to_location" not in MovementForm(kind=MovementKind.RECEIPT, actor=actor).initial


def test_receiving_defaults_each_line_to_its_home_bin(stocked):
    p, a, _b, actor = stocked
    sp = SupplierProductFactory(product=p)
    po = purchasing.create_purchase_order(supplier=sp.supplier, warehouse=a.warehouse, lines=[(p, 4, None)],
                                          actor=UserFactory.with_role("purchaser"))
    form = ReceiveForm(order=po)
    line = po.lines.get()
    assert form.initial[f"loc_{line.pk}"] == a.pk


def test_scan_lookup(client_as, stocked):
    p, a, b, _actor = stocked
    client = client_as("warehouse_clerk")
    j = client.get(f"/inventory/scan/lookup/?code=HW77000001&warehouse={a.warehouse_id}").json()
    assert j["ok"] and j["product_id"] == p.pk and j["home_bin"] == "A-01-01"
    assert [x["code"] for x in j["bins"]] == ["B-02-02", "A-01-01"]
    bad = client.get("/inventory/scan/lookup/?code=XX-NOPE").json()
    assert bad["ok"] is False and "XX-NOPE" in bad["message"]
    assert client_as("sales_rep").get("/inventory/scan/lookup/?code=HW77000001").status_code == 403
