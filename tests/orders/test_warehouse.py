"""The warehouse picks, packs and ships without seeing money (issue 14 item 7); the ship form offers what can
go and reads `1,000` (item 4); stock levels of a shipment or return are locked up front (item 12); finance
picks customers on the payment form (item 6) and sees receivers' phones masked (item 17)."""

import contextlib
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from orders import services
from orders.models import ReviewSettings, SalesOrder, Shipment
from tests.factories.crm import CustomerFactory
from tests.factories.orders import make_world

D = Decimal


def _approved(world, lines, **kwargs):
    ReviewSettings.objects.update_or_create(pk=ReviewSettings.current().pk, defaults={"check_stock": False})
    order = services.submit_order(world.order(lines, **kwargs), actor=world.rep)
    assert order.status == "approved"
    return order


@pytest.mark.django_db
def test_clerk_ships_a_partial_shipment_through_the_ship_page(make_user, client_as):
    world = make_world(make_user, stock_qty=(2000, 300))
    p0, p1 = world.products
    order = _approved(world, [{"product": p0, "quantity": D("1000")}, {"product": p1, "quantity": D("1000")}])
    l0, l1 = order.lines.order_by("position")
    c = client_as("warehouse_clerk")
    url = reverse("orders:order_ship", args=[order.pk])
    page = c.get(url).content.decode()
    # each line offers what can go now, unlocalised (no "1,000" the form would refuse), availability shown
    assert f'name="qty_{l0.pk}" inputmode="decimal" value="1000"' in page
    assert f'name="qty_{l1.pk}" inputmode="decimal" value="300"' in page
    assert f'data-testid="can-ship-{p1.sku}">300' in page and 'name="_once"' in page
    resp = c.post(url, {f"qty_{l0.pk}": "1,000", f"qty_{l1.pk}": "300", "packages": "2", "_once": "ship-1"})
    assert resp.status_code == 302 and resp["Location"] == order.get_absolute_url()
    assert c.post(url, {f"qty_{l0.pk}": "1,000", f"qty_{l1.pk}": "300", "packages": "2",
                        "_once": "ship-1"}).status_code == 302  # sent twice: shipped once
    order.refresh_from_db()
    shipment = Shipment.objects.get()
    assert order.status == "part_shipped" and shipment.created_by == c.user and shipment.packages == 2
    assert world.on_hand(p0) == D("1000") and world.on_hand(p1) == D("0")
    l1.refresh_from_db()
    assert l1.outstanding == D("700")
    # a word is refused on the form, nothing ships
    resp = c.post(url, {f"qty_{l1.pk}": "lots", "packages": "1", "_once": "ship-2"})
    body = resp.content.decode()
    assert resp.status_code == 200 and body.count("“lots” is not a number.") == 1
    assert Shipment.objects.count() == 1
    # the clerk sees the shipment, the picking lists, the order to ship: no prices, invoices or payments
    for name, args in [("shipment", [shipment.pk]), ("delivery_note_pdf", [shipment.pk]), ("picking", []),
                       ("picking_pdf", [order.pk]), ("warehouse_picking_pdf", [world.warehouse.pk]),
                       ("shipment_list", []), ("order", [order.pk]), ("order_list", [])]:
        assert c.get(reverse(f"orders:{name}", args=args)).status_code == 200, name
    page = c.get(reverse("orders:order", args=[order.pk])).content.decode()
    assert 'data-testid="total"' not in page and 'data-testid="money"' not in page and "¥" not in page
    listing = c.get(reverse("orders:order_list")).content.decode()
    assert order.number in listing and "¥" not in listing
    for name, args in [("order_statement_pdf", [order.pk]), ("order_pdf", [order.pk]), ("quotation_list", []),
                       ("payment_list", []), ("receivables", []), ("rep_month_fragment", []),
                       ("invoice_request", [order.pk])]:
        assert c.get(reverse(f"orders:{name}", args=args)).status_code == 403, name


@pytest.mark.django_db
def test_finance_picks_a_customer_and_sees_receiver_phones_masked(world, client_as, make_user):
    order = world.order(contact_phone="13812345678")
    finance = client_as("finance_clerk")
    found = finance.get(reverse("orders:customer_lookup"), {"q": world.customer.name}).json()["results"]
    assert [r["id"] for r in found] == [world.customer.pk]
    page = finance.get(reverse("orders:order", args=[order.pk])).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    for role in ("sales_manager", "warehouse_clerk"):
        page = client_as(role).get(reverse("orders:order", args=[order.pk])).content.decode()
        assert 'data-testid="contact-phone">13812345678<' in page, role
    rep = client_as(user=world.rep)
    assert "13812345678" in rep.get(reverse("orders:order", args=[order.pk])).content.decode()
    assert client_as("warehouse_clerk").get(reverse("orders:customer_lookup")).status_code == 403


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_shipment_and_a_return_of_two_products_in_opposite_order_at_once(make_user, monkeypatch):
    """A shipment takes P0 then P1 out of bin A-01 while a return of another order puts P1 then P0 back into it.
    Locked one product at a time in line order, the two deadlocked now and then; locked up front in
    primary-key order, one waits for the other and both succeed. (Two shipments already wait for each other on
    the shipment number counter.) After its first movement each posting waits for the other to reach its first
    movement too (a few seconds at most), so the two always overlap where they used to deadlock."""
    from hardware_erp.core.management.commands.sync_roles import sync_roles
    from inventory import services as stock

    post_movement = stock.post_movement
    meeting = {}
    seen = threading.local()

    def meet_after_first_movement(**kwargs):
        movement = post_movement(**kwargs)
        barrier = meeting.get("barrier")
        if barrier is not None and not getattr(seen, "met", False):  # the two threads, not the set-up
            seen.met = True
            # the level stays locked meanwhile; with every level locked up front the other cannot come
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
        return movement

    monkeypatch.setattr(stock, "post_movement", meet_after_first_movement)

    sync_roles()  # an earlier transactional test may have flushed the groups
    world = make_world(make_user, stock_qty=(4000, 4000))
    p0, p1 = world.products
    manager = make_user("sales_manager")
    clerk = make_user("warehouse_clerk")
    for rnd in range(3):
        a = _approved(world, [{"product": p0, "quantity": D("10")}, {"product": p1, "quantity": D("10")}])
        other = CustomerFactory(owner=world.rep, credit_limit=D("100000"))  # its own customer row: no shared lock
        b = _approved(world, [{"product": p1, "quantity": D("10")}, {"product": p0, "quantity": D("10")}],
                      customer=other)
        services.ship_order(b, quantities={ln.pk: "10" for ln in b.lines.order_by("position")}, actor=clerk)
        barrier = threading.Barrier(2)
        meeting["barrier"] = threading.Barrier(2, timeout=3)
        outcome = []

        def run(fn, barrier=barrier, outcome=outcome):
            try:
                barrier.wait()
                fn()
                outcome.append("ok")
            except Exception as exc:  # noqa: BLE001
                outcome.append(repr(exc))
            finally:
                connection.close()

        # the quantities in the order each form posted its lines
        def ship(a=a):
            services.ship_order(a, quantities={ln.pk: "10" for ln in a.lines.order_by("position")}, actor=clerk)

        def give_back(b=b):
            services.create_return(b, quantities={ln.pk: "10" for ln in b.lines.order_by("position")},
                                   actor=manager, reason="破损")

        threads = [threading.Thread(target=run, args=(fn,)) for fn in (ship, give_back)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        meeting.pop("barrier")
        assert outcome == ["ok", "ok"], (rnd, outcome)
    assert SalesOrder.objects.filter(status="shipped").count() == 6
    assert world.on_hand(p0) == world.on_hand(p1) == D("3970")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["sales_manager", "warehouse_clerk"])
def test_whoever_may_pick_may_scan_on_the_pick_page(make_user, client_as, role):
    """The pick page's scans go to a lookup of its own under orders: a sales manager (who may ship, not open the
    inventory module) scans as the warehouse does."""
    world = make_world(make_user, stock_qty=(20, 20))
    p0, _p1 = world.products
    p0.barcode = f"69{p0.pk:011d}"
    p0.save(update_fields=["barcode"])
    order = _approved(world, [{"product": p0, "quantity": D("2")}])
    c = client_as(role)
    page = c.get(reverse("orders:order_pick", args=[order.pk])).content.decode()
    lookup = reverse("orders:order_pick_lookup", args=[order.pk])
    assert f'data-lookup-url="{lookup}"' in page
    j = c.get(lookup, {"code": p0.barcode}).json()
    assert j == {"ok": True, "product_id": p0.pk, "sku": p0.sku, "name": p0.name, "factor": "1"}
    assert c.get(lookup, {"code": p0.sku}).json()["product_id"] == p0.pk
    unknown = c.get(lookup, {"code": "NO-SUCH-CODE"}).json()
    assert unknown["ok"] is False and "NO-SUCH-CODE" in unknown["message"]
    if role == "sales_manager":  # the inventory module's own lookup stays closed to the sales manager
        assert c.get(reverse("inventory:scan_lookup"), {"code": p0.sku}).status_code == 403


@pytest.mark.django_db
def test_a_rep_may_not_scan_on_a_pick_page(make_user, client_as):
    world = make_world(make_user, stock_qty=(20, 20))
    order = _approved(world, [{"product": world.products[0], "quantity": D("2")}])
    c = client_as(user=world.rep)
    assert c.get(reverse("orders:order_pick_lookup", args=[order.pk]), {"code": "X"}).status_code == 403
