"""A payment is recorded once: one-time form token, lock before the reference check, a unique reference per
customer and method in the database (issue 14 item 2); the payment form shows an error once (item 17)."""

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from orders import services
from orders.models import Payment, SalesOrder

D = Decimal


def _shipped_order(world, manager, qty="100"):
    order = services.submit_order(world.order(), actor=world.rep)
    services.ship_order(order, quantities={order.lines.get().pk: qty}, actor=manager)
    return order


def _form(order, **extra):
    return {"customer": order.customer_id, "method": "bank", "amount": "50", "received_on": "2026-11-20",
            f"alloc_{order.pk}": "50", **extra}


@pytest.mark.django_db
def test_payment_form_sent_twice_records_one(world, client_as, manager):
    order = _shipped_order(world, manager)
    c = client_as("finance_clerk")
    url = reverse("orders:payment_create")
    page = c.get(url, {"customer": world.customer.pk}).content.decode()
    assert 'name="_once"' in page
    data = _form(order, _once="pay-once-1")  # no reference at all: the token alone keeps it single
    first = c.post(url, data)
    second = c.post(url, data)
    payment = Payment.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == payment.get_absolute_url()
    order.refresh_from_db()
    assert order.paid_amount == D("50.00")


@pytest.mark.django_db
def test_reference_once_per_customer_and_method(world, client_as, manager):
    order = _shipped_order(world, manager)
    c = client_as("finance_clerk")
    url = reverse("orders:payment_create")
    assert c.post(url, _form(order, reference="BK2026112000017", _once="a")).status_code == 302
    resp = c.post(url, _form(order, reference="BK2026112000017", _once="b"))
    body = resp.content.decode()
    assert resp.status_code == 200 and Payment.objects.count() == 1
    # the error shows once on the page (it used to show at the top and again above the fields)
    assert body.count("is already recorded for this customer") == 1
    assert c.post(url, _form(order, reference="BK2026112000017", method="alipay", _once="c")).status_code == 302
    assert Payment.objects.count() == 2
    # the database holds the rule too, for writes that go around the service
    p = Payment.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(number="RCX", customer=p.customer, method=p.method, amount=1, reference=p.reference,
                               recorded_by=p.recorded_by)
    # empty references are not unique
    Payment.objects.create(number="RCY1", customer=p.customer, method="cash", amount=1, recorded_by=p.recorded_by)
    Payment.objects.create(number="RCY2", customer=p.customer, method="cash", amount=1, recorded_by=p.recorded_by)


@pytest.mark.django_db
def test_payment_amount_that_is_not_a_number(world, client_as, manager):
    order = _shipped_order(world, manager)
    c = client_as("finance_clerk")
    resp = c.post(reverse("orders:payment_create"), _form(order, **{f"alloc_{order.pk}": "NaN", "_once": "n"}))
    assert resp.status_code == 200 and "is not an amount" in resp.content.decode()
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_draft_order_sent_twice_is_created_once(world, client_as):
    c = client_as(user=world.rep)
    data = {"customer": world.customer.pk, "warehouse": world.warehouse.pk, "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "200",
            "lines-0-product": world.products[0].pk, "lines-0-quantity": "12", "_once": "order-once-1"}
    first = c.post(reverse("orders:order_create"), data)
    second = c.post(reverse("orders:order_create"), data)
    order = SalesOrder.objects.get()
    assert first["Location"] == second["Location"] == order.get_absolute_url()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_six_sessions_posting_one_reference_at_once_record_one(make_user):
    from hardware_erp.core.management.commands.sync_roles import sync_roles
    from tests.factories.orders import make_world

    sync_roles()  # an earlier transactional test may have flushed the groups
    world = make_world(make_user)
    manager = make_user("sales_manager")
    order = _shipped_order(world, manager)
    finance = [make_user("finance_clerk") for _ in range(6)]
    barrier = threading.Barrier(6)
    statuses = []

    def post(i, user):
        try:
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            barrier.wait()
            resp = client.post(reverse("orders:payment_create"),
                               _form(order, reference="BK-SAME-1", _once=f"session-{i}"))
            statuses.append(resp.status_code)
        except Exception as exc:  # noqa: BLE001
            statuses.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i, u)) for i, u in enumerate(finance)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(statuses, key=str) == [200] * 5 + [302], statuses
    assert Payment.objects.filter(reference="BK-SAME-1").count() == 1
    order.refresh_from_db()
    assert order.paid_amount == D("50.00")
