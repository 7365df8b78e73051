from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from hardware_erp.core.errors import BusinessRuleError
from inventory import purchasing
from inventory.models import PurchaseOrder, PurchaseOrderEvent, StockLevel, StockMovement
from inventory.selectors import ledger_differences, with_stock
from tests.factories.inventory import LocationFactory, SupplierFactory, SupplierProductFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def purchaser(make_user):
    return make_user("purchaser")


@pytest.fixture
def gm(make_user):
    return make_user("general_manager")


@pytest.fixture
def po(product, wh, purchaser):
    sp = SupplierProductFactory(product=product, price=D("0.42"))
    return purchasing.create_purchase_order(supplier=sp.supplier, warehouse=wh, lines=[(product, 100, None)],
                                            actor=purchaser)


def test_create_takes_the_supplier_price(po):
    line = po.lines.get()
    assert (po.number, po.status, line.unit_price, line.quantity) == (f"PO{po.pk:06d}", "draft", D("0.42"), D("100"))
    assert PurchaseOrderEvent.objects.filter(order=po, to_status="draft").count() == 1


def test_lifecycle_and_permissions(po, purchaser, gm, clerk, loc):
    with pytest.raises(PermissionDenied):
        purchasing.transition(po, "approved", actor=purchaser)  # a purchaser cannot approve
    purchasing.transition(po, "approved", actor=gm)
    purchasing.transition(po, "sent", actor=purchaser)
    with pytest.raises(BusinessRuleError):
        purchasing.transition(po, "approved", actor=gm)
    line = po.lines.get()
    purchasing.receive_purchase_order(order=po, receipts=[(line, "60", loc)], actor=clerk, key="k1")
    po.refresh_from_db()
    assert po.status == "partial"
    # the same form again changes nothing
    purchasing.receive_purchase_order(order=po, receipts=[(line, "60", loc)], actor=clerk, key="k1")
    assert StockLevel.objects.get().on_hand == D("60")
    with pytest.raises(BusinessRuleError, match="over-receipt is refused"):
        purchasing.receive_purchase_order(order=po, receipts=[(line, "41", loc)], actor=clerk, key="k2")
    purchasing.receive_purchase_order(order=po, receipts=[(line, "40", loc)], actor=clerk, key="k3")
    po.refresh_from_db()
    assert po.status == "received"
    m = StockMovement.objects.filter(reference=po.number)
    assert m.count() == 2 and {x.unit_cost for x in m} == {D("0.4200")}
    assert list(po.events.values_list("to_status", flat=True)) == ["draft", "approved", "sent", "partial", "received"]
    assert ledger_differences() == []


def test_receive_reports_every_bad_line_at_once(product, wh, purchaser, gm, clerk, loc):
    from tests.factories.inventory import ProductFactory
    other = ProductFactory()
    sup = SupplierFactory()
    po = purchasing.create_purchase_order(supplier=sup, warehouse=wh, lines=[(product, 10, 1), (other, 5, 2)],
                                          actor=purchaser)
    purchasing.transition(po, "approved", actor=gm)
    purchasing.transition(po, "sent", actor=purchaser)
    l1, l2 = po.lines.all()
    elsewhere = LocationFactory()
    with pytest.raises(BusinessRuleError) as exc:
        purchasing.receive_purchase_order(order=po, receipts=[(l1, "11", loc), (l2, "1", elsewhere)], actor=clerk,
                                          key="x")
    assert len(exc.value.messages) == 2
    assert not StockMovement.objects.exists()


def test_on_order_counts_open_lines(po, gm, purchaser, product):
    purchasing.transition(po, "approved", actor=gm)
    assert with_stock().get(pk=product.pk).on_order == D("100")


def test_po_pages(client_as, po, gm, django_assert_max_num_queries):
    client = client_as("purchaser")
    for name, args in [("inventory:purchaseorder_list", []), ("inventory:purchaseorder", [po.pk]),
                       ("inventory:supplier_list", []), ("inventory:supplier", [po.supplier_id])]:
        with django_assert_max_num_queries(20):
            assert client.get(reverse(name, args=args)).status_code == 200
    response = client.get(reverse("inventory:purchaseorder_pdf", args=[po.pk]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_po_create_page(client_as, product, wh):
    sp = SupplierProductFactory(product=product, price=D("1.10"))
    client = client_as("purchaser")
    data = {"supplier": sp.supplier_id, "warehouse": wh.pk, "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0",
            "lines-0-product": product.pk, "lines-0-quantity": "30", "lines-1-product": "", "lines-1-quantity": ""}
    response = client.post(reverse("inventory:purchaseorder_create"), data)
    assert response.status_code == 302
    assert PurchaseOrder.objects.get().lines.get().unit_price == D("1.10")


def test_receive_page(client_as, po, gm, purchaser, loc):
    purchasing.transition(po, "approved", actor=gm)
    purchasing.transition(po, "sent", actor=purchaser)
    client = client_as("warehouse_clerk")
    url = reverse("inventory:purchaseorder_receive", args=[po.pk])
    line = po.lines.get()
    response = client.post(url, {"key": "abc", f"qty_{line.pk}": "150", f"loc_{line.pk}": loc.pk})
    assert "over-receipt is refused" in response.content.decode()
    response = client.post(url, {"key": "abc", f"qty_{line.pk}": "100", f"loc_{line.pk}": loc.pk})
    assert response.status_code == 302
    po.refresh_from_db()
    assert po.status == "received"
