"""The ledger under concurrency (PostgreSQL row locks): no lost update, no oversell."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from hardware_erp.core.errors import BusinessRuleError
from inventory import services
from inventory.choices import MovementKind
from inventory.models import Reservation, StockLevel, StockMovement
from inventory.selectors import ledger_differences
from tests.factories import UserFactory
from tests.factories.inventory import LocationFactory, ProductFactory, WarehouseFactory

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")]


def run_threads(n, target):
    barrier = threading.Barrier(n)
    results = [None] * n

    def work(i):
        try:
            barrier.wait()
            results[i] = target(i)
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_many_threads_posting_lose_no_update():
    user = UserFactory()
    product = ProductFactory()
    loc_a, loc_b = LocationFactory(), LocationFactory()

    def post(i):
        if i % 3 == 2:
            return services.post_movement(product=product, quantity=1, from_location=loc_a, to_location=loc_b,
                                          kind=MovementKind.TRANSFER, actor=user)
        return services.post_movement(product=product, quantity=2, to_location=loc_a, kind=MovementKind.RECEIPT,
                                      actor=user, unit_cost=Decimal("1.00"))

    # a first receipt so that every transfer finds stock
    services.post_movement(product=product, quantity=100, to_location=loc_a, kind=MovementKind.RECEIPT, actor=user)
    results = run_threads(24, post)
    assert not [r for r in results if isinstance(r, Exception)], results
    transfers = sum(1 for i in range(24) if i % 3 == 2)
    receipts = 24 - transfers
    assert StockLevel.objects.get(product=product, location=loc_a).on_hand == 100 + 2 * receipts - transfers
    assert StockLevel.objects.get(product=product, location=loc_b).on_hand == transfers
    assert StockMovement.objects.count() == 25
    assert ledger_differences() == []


def test_twenty_takers_of_one_unit_from_five():
    user = UserFactory()
    product = ProductFactory()
    loc = LocationFactory()
    services.post_movement(product=product, quantity=5, to_location=loc, kind=MovementKind.RECEIPT, actor=user)
    results = run_threads(20, lambda i: services.post_movement(
        product=product, quantity=1, from_location=loc, kind=MovementKind.ISSUE, actor=user, reference=f"SO-{i}"))
    ok = [r for r in results if isinstance(r, StockMovement)]
    refused = [r for r in results if isinstance(r, BusinessRuleError)]
    assert (len(ok), len(refused)) == (5, 15), results
    assert StockLevel.objects.get(product=product, location=loc).on_hand == 0
    assert ledger_differences() == []


def test_concurrent_reservations_never_oversell():
    user = UserFactory()
    product = ProductFactory()
    wh = WarehouseFactory()
    loc = LocationFactory(warehouse=wh)
    services.post_movement(product=product, quantity=5, to_location=loc, kind=MovementKind.RECEIPT, actor=user)
    results = run_threads(12, lambda i: services.reserve_stock(
        product=product, warehouse=wh, quantity=1, reference=f"SO-{i}", key=f"so{i}", actor=user))
    assert sum(isinstance(r, Reservation) for r in results) == 5
    assert services.available_quantity(product, wh) == 0


def test_same_idempotency_key_from_many_threads_posts_once():
    user = UserFactory()
    product = ProductFactory()
    loc = LocationFactory()
    results = run_threads(8, lambda i: services.post_movement(
        product=product, quantity=3, to_location=loc, kind=MovementKind.RECEIPT, actor=user,
        idempotency_key="retry-1"))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert StockMovement.objects.count() == 1
    assert StockLevel.objects.get(product=product, location=loc).on_hand == 3
