"""Every endpoint × every role × every method, with a token per role (all scopes: the role decides), and IDOR:
another user's records by id answer 404 and change nothing. The session-signed rows (one per URL) are in
tests/access/api.py."""

import pytest
from rest_framework.test import APIClient

from api import services
from api.models import SCOPES
from crm.models import Customer
from hardware_erp.core.roles import ROLES
from orders.models import SalesOrder
from support.models import Ticket
from tests.access.api import COUNTERS, CRM, MONEY, ORDERS, SELLERS, SHIPPERS, STOCK_LOOKUP, WAREHOUSE
from tests.factories import UserFactory
from tests.factories.crm import ContactFactory, CustomerFactory
from tests.factories.orders import make_world
from tests.factories.support import TicketFactory

ALL = tuple(ROLES)
CRM_WRITE = ("sales_rep", "sales_manager", "general_manager")
MOVERS = ("warehouse_clerk", "warehouse_manager", "general_manager")
PAYERS = ("finance_clerk", "general_manager")
M = "999999"  # a record that does not exist

# (method, path, roles allowed, status for them); every other role gets 403, no token 401
MATRIX = [
    ("get", "/api/v1/customers/", CRM, 200),
    ("post", "/api/v1/customers/", CRM_WRITE, 400),
    ("get", f"/api/v1/customers/{M}/", CRM, 404),
    ("patch", f"/api/v1/customers/{M}/", CRM_WRITE, 404),
    ("put", f"/api/v1/customers/{M}/", ALL, 405),
    ("delete", f"/api/v1/customers/{M}/", ALL, 405),
    ("get", "/api/v1/contacts/", CRM, 200),
    ("post", "/api/v1/contacts/", CRM_WRITE, 400),
    ("get", f"/api/v1/contacts/{M}/", CRM, 404),
    ("delete", f"/api/v1/contacts/{M}/", ALL, 405),
    ("get", "/api/v1/products/", STOCK_LOOKUP, 200),
    ("post", "/api/v1/products/", ALL, 405),
    ("get", f"/api/v1/products/{M}/", STOCK_LOOKUP, 404),
    ("get", "/api/v1/stock-levels/", STOCK_LOOKUP, 200),
    ("get", "/api/v1/warehouses/", WAREHOUSE, 200),
    ("get", "/api/v1/locations/", WAREHOUSE, 200),
    ("get", "/api/v1/movements/", WAREHOUSE, 200),
    ("post", "/api/v1/movements/", MOVERS, 400),
    ("get", f"/api/v1/movements/{M}/", WAREHOUSE, 404),
    ("delete", f"/api/v1/movements/{M}/", ALL, 405),
    ("get", "/api/v1/purchase-orders/", WAREHOUSE, 200),
    ("get", f"/api/v1/purchase-orders/{M}/", WAREHOUSE, 404),
    ("post", f"/api/v1/purchase-orders/{M}/receive/", COUNTERS, 404),
    ("get", "/api/v1/stocktakes/", WAREHOUSE, 200),
    ("get", f"/api/v1/stocktakes/{M}/", WAREHOUSE, 404),
    ("post", f"/api/v1/stocktakes/{M}/scan/", COUNTERS, 404),
    ("get", "/api/v1/orders/", ORDERS, 200),
    ("post", "/api/v1/orders/", SELLERS, 400),
    ("get", f"/api/v1/orders/{M}/", ORDERS, 404),
    ("delete", f"/api/v1/orders/{M}/", ALL, 405),
    ("post", f"/api/v1/orders/{M}/submit/", SELLERS, 404),
    ("post", f"/api/v1/orders/{M}/approve/", ORDERS, 404),
    ("get", f"/api/v1/orders/{M}/shipments/", ORDERS, 404),
    ("post", f"/api/v1/orders/{M}/ship/", SHIPPERS, 404),
    ("get", "/api/v1/quotations/", ORDERS, 200),
    ("post", "/api/v1/quotations/", SELLERS, 400),
    ("get", f"/api/v1/quotations/{M}/", ORDERS, 404),
    ("post", f"/api/v1/quotations/{M}/convert/", SELLERS, 404),
    ("get", "/api/v1/shipments/", ORDERS, 200),
    ("get", f"/api/v1/shipments/{M}/", ORDERS, 404),
    ("get", "/api/v1/payments/", MONEY, 200),
    ("post", "/api/v1/payments/", PAYERS, 400),
    ("get", f"/api/v1/payments/{M}/", MONEY, 404),
    ("get", "/api/v1/tickets/", ALL, 200),
    ("post", "/api/v1/tickets/", ALL, 400),
    ("get", f"/api/v1/tickets/{M}/", ALL, 404),
    ("post", f"/api/v1/tickets/{M}/transition/", ALL, 404),
    ("post", f"/api/v1/tickets/{M}/message/", ALL, 404),
    ("get", "/api/v1/schema/", ALL, 200),
]


@pytest.fixture(scope="module")
def role_tokens(django_db_setup, django_db_blocker):
    """A token with every scope for a user of each role, made once for the module."""
    with django_db_blocker.unblock():
        users = {role: UserFactory.with_role(role, username=f"api_matrix_{role}") for role in ROLES}
        raws = {role: services.create_token(name="matrix", scopes=SCOPES, actor=u, rate_per_minute=6000)[1]
                for role, u in users.items()}
    yield raws
    with django_db_blocker.unblock():
        for u in users.values():
            u.api_tokens.all().delete()
            u.delete()


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "roles", "status"), MATRIX, ids=lambda v: v if isinstance(v, str) else "")
def test_endpoint_by_role_and_method(role_tokens, method, path, roles, status):
    wrong = []
    anonymous = getattr(APIClient(), method)(path, {}, format="json")
    if anonymous.status_code != 401:
        wrong.append(f"no token: {anonymous.status_code}")
    for role, raw in role_tokens.items():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        r = getattr(client, method)(path, {}, format="json")
        expected = status if role in roles else 403
        if r.status_code != expected:
            wrong.append(f"{role}: {r.status_code} (expected {expected})")
        assert r.status_code != 500
    assert not wrong, f"{method.upper()} {path}: " + "; ".join(wrong)


def test_every_routed_endpoint_is_in_the_matrix():
    from django.urls import get_resolver

    from tests.access.registry import _walk

    routes = {route.replace("^", "", 1).removesuffix("$").replace("(?P<pk>[0-9]+)", M)
              for ns, _name, route in _walk(get_resolver().url_patterns) if ns == "api"}
    covered = {p.removeprefix("/") for _m, p, _r, _s in MATRIX}
    assert routes - covered == {"api/v1/docs/", "api/v1/.*"}  # the HTML docs and the JSON 404: tests/access/api.py


@pytest.fixture
def two_reps(make_user, django_capture_on_commit_callbacks):
    w = make_world(make_user)
    order = w.order()
    contact = ContactFactory(customer=w.customer)
    ticket = TicketFactory(requester=w.rep)
    return w, order, contact, ticket


def _client(make_user, role, user=None):
    user = user or make_user(role)
    _t, raw = services.create_token(name="idor", scopes=SCOPES, actor=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_idor_another_reps_records_by_id(make_user, two_reps):
    w, order, contact, ticket = two_reps
    other = _client(make_user, "sales_rep")
    before = Customer.objects.get(pk=w.customer.pk).city
    for path in (f"/api/v1/customers/{w.customer.pk}/", f"/api/v1/contacts/{contact.pk}/",
                 f"/api/v1/orders/{order.pk}/", f"/api/v1/orders/{order.pk}/shipments/",
                 f"/api/v1/tickets/{ticket.pk}/"):
        assert other.get(path).status_code == 404, path
    assert other.patch(f"/api/v1/customers/{w.customer.pk}/", {"city": "X"}, format="json").status_code == 404
    assert other.post(f"/api/v1/orders/{order.pk}/submit/", {}, format="json").status_code == 404
    assert other.post(f"/api/v1/tickets/{ticket.pk}/transition/", {"status": "closed"},
                      format="json").status_code == 404
    assert other.post(f"/api/v1/tickets/{ticket.pk}/message/", {"body": "hi"}, format="json").status_code == 404
    # another rep's customer used as a reference in a create: refused, nothing written
    r = other.post("/api/v1/contacts/", {"customer": w.customer.pk, "name": "混入"}, format="json")
    assert r.status_code == 400 and r.json()["errors"]["id"]
    r = other.post("/api/v1/orders/", {"customer": w.customer.pk, "warehouse": w.warehouse.pk,
                                       "lines": [{"product": w.products[0].pk, "quantity": "1"}]}, format="json")
    assert r.status_code == 400
    assert Customer.objects.get(pk=w.customer.pk).city == before
    assert SalesOrder.objects.get(pk=order.pk).status == "draft"
    assert Ticket.objects.get(pk=ticket.pk).status == ticket.status
    assert not w.customer.contacts.filter(name="混入").exists()
    assert SalesOrder.objects.filter(customer=w.customer).count() == 1
    # the owner sees them all
    owner = _client(make_user, None, user=w.rep)
    assert owner.get(f"/api/v1/orders/{order.pk}/").status_code == 200
    assert owner.get(f"/api/v1/customers/{w.customer.pk}/").status_code == 200


def test_lists_hold_only_what_the_caller_may_see(make_user, two_reps):
    w, order, _contact, ticket = two_reps
    CustomerFactory(owner=make_user("sales_rep"))
    TicketFactory()
    rep = _client(make_user, None, user=w.rep)
    assert {c["id"] for c in rep.get("/api/v1/customers/").json()["results"]} == {w.customer.pk}
    assert {o["id"] for o in rep.get("/api/v1/orders/").json()["results"]} == {order.pk}
    assert {t["id"] for t in rep.get("/api/v1/tickets/").json()["results"]} == {ticket.pk}
