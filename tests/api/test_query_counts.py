"""List endpoints answer in a number of queries that does not grow with the rows (no N+1 through serializers)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.crm import ContactFactory, CustomerFactory
from tests.factories.orders import make_world
from tests.factories.support import TicketFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/api/v1/customers/", "/api/v1/contacts/", "/api/v1/products/", "/api/v1/stock-levels/",
             "/api/v1/movements/", "/api/v1/orders/", "/api/v1/shipments/", "/api/v1/payments/", "/api/v1/tickets/"]


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(path)
    assert r.status_code == 200, (path, r.json())
    return len(ctx.captured_queries), len(r.json()["results"])


def _more_rows(w, general, n):
    from inventory import services as stock
    from orders import services as order_services
    from tests.factories.inventory import ProductFactory

    for _ in range(n):
        customer = CustomerFactory(owner=w.rep, credit_limit=Decimal("100000"))
        ContactFactory(customer=customer)
        order = w.order(customer=customer, lines=[{"product": p, "quantity": Decimal("1")} for p in w.products])
        order = order_services.submit_order(order, actor=w.rep)
        order_services.ship_order(order, quantities={ln.pk: ln.base_quantity for ln in order.lines.all()},
                                  actor=general, tracking_number=f"SF{order.pk:010d}")
        order.refresh_from_db()
        order_services.record_payment(customer=customer, amount=order.total, allocations=[(order, order.total)],
                                      actor=general)
        TicketFactory(requester=general)
        product = ProductFactory(base_unit=w.products[0].base_unit)
        stock.post_movement(product=product, quantity=5, to_location=w.bins[0], kind="receipt", actor=general)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_list_queries_do_not_grow_with_rows(make_user, path):
    from tests.api.conftest import token_client_for

    w = make_world(make_user)
    general = make_user("general_manager")
    client = token_client_for(general)
    _more_rows(w, general, 2)
    client.get(path)  # the token's last-use write and per-user caches happen once
    few, rows_few = _queries(client, path)
    _more_rows(w, general, 6)
    many, rows_many = _queries(client, path)
    assert rows_many > rows_few
    assert many == few, f"{path}: {few} queries for {rows_few} rows, {many} for {rows_many}"
