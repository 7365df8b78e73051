"""Races over HTTP against gunicorn with 20 request handlers (2 workers x 10 threads) on the private stack:
20 concurrent requests each take 1 unit of an item that has 5 -> exactly 5 succeed and the level is 0;
20 concurrent approvals of the same purchase order -> exactly one takes effect (one event, one state change)."""

import threading
import uuid

import pytest

from .posting import RECEIPT
from .stack import Browser

N = 20


@pytest.fixture(scope="module")
def web20(stack):
    proc = stack.gunicorn(workers=2, threads=10, name="gunicorn-races")
    yield proc
    stack.stop_process(proc)


def all_at_once(fn):
    barrier = threading.Barrier(N)
    results = [None] * N

    def work(i):
        barrier.wait()
        results[i] = fn(i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_twenty_take_one_of_five(stack, web20, clean_integrity):
    tag = uuid.uuid4().hex[:6]
    made = stack.shell(
        "import json\nfrom decimal import Decimal\nfrom django.contrib.auth import get_user_model\n"
        "from inventory.models import Category, Location, Product, UnitOfMeasure\n"
        "from inventory.services import post_movement\n"
        f"p = Product.objects.create(sku='RACE-{tag}', name_zh='垫圈', name_en='Washer', "
        "category=Category.objects.get(code='faults'), base_unit=UnitOfMeasure.objects.get(code='pcs'), "
        "standard_cost=Decimal('0.1'), list_price=Decimal('0.2'))\n"
        f"loc = Location.objects.get(pk={stack.data['locations'][1]})\n"
        "post_movement(product=p, quantity=5, to_location=loc, kind='receipt', "
        f"actor=get_user_model().objects.get(pk={stack.data['user']}))\n"
        "print(json.dumps({'product': p.pk, 'location': loc.pk}))")
    b = Browser(web20.base, stack.data["session"])
    issue = RECEIPT.replace("receipt", "issue")

    results = all_at_once(lambda i: b.post(issue, {
        "product": made["product"], "quantity": "1", "from_location": made["location"], "reference": f"race-{i}",
        "idempotency_key": f"race-{tag}-{i}", "reason": ""}, timeout=60)[0])
    assert results.count(302) == 5, results
    assert results.count(200) == N - 5, results  # the form again, saying only 0 are on hand
    level = stack.pg.psql(f"SELECT on_hand FROM inventory_stocklevel WHERE product_id = {made['product']}")
    assert [r[0] for r in level] == [0]
    issued = stack.pg.psql(f"SELECT count(*) FROM inventory_stockmovement WHERE product_id = {made['product']} "
                           "AND kind = 'issue'")
    assert issued[0][0] == 5


def test_twenty_approvals_of_one_purchase_order(stack, web20, clean_integrity):
    tag = uuid.uuid4().hex[:6]
    made = stack.shell(
        "import json\nfrom django.contrib.auth import get_user_model\n"
        "from inventory.models import Product, Supplier, Warehouse\n"
        "from inventory.purchasing import create_purchase_order\n"
        f"s = Supplier.objects.create(code='race-{tag}', name_zh='供应商', name_en='Supplier')\n"
        f"po = create_purchase_order(supplier=s, warehouse=Warehouse.objects.get(pk={stack.data['warehouse']}), "
        f"lines=[(Product.objects.get(pk={stack.data['products'][0]}), 100, None)], "
        f"actor=get_user_model().objects.get(pk={stack.data['user']}))\n"
        "print(json.dumps({'po': po.pk}))")
    b = Browser(web20.base, stack.data["session"])
    path = f"/inventory/purchase-orders/{made['po']}/transition/"
    results = all_at_once(lambda i: b.post(path, {"to": "approved", "note": f"approval {i}"}, timeout=60)[0])
    assert all(r == 302 for r in results), results  # the page answers with a message either way
    events = stack.pg.psql(f"SELECT count(*) FROM inventory_purchaseorderevent WHERE order_id = {made['po']} "
                           "AND to_status = 'approved'")
    assert events[0][0] == 1
    assert stack.pg.psql(f"SELECT status FROM inventory_purchaseorder WHERE id = {made['po']}")[0][0] == "approved"
