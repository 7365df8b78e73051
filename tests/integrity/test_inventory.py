"""inventory/integrity.py: clean after real postings, and each invariant names the record when broken."""

from decimal import Decimal

import pytest

from hardware_erp.core.integrity import run_checks
from inventory import services
from inventory.integrity import checks
from inventory.models import Reservation, StockLevel
from tests.factories import UserFactory
from tests.factories.inventory import LocationFactory, ProductFactory

pytestmark = pytest.mark.django_db


def problems():
    return {name: found for name, found in checks() if found}


@pytest.fixture
def stocked():
    user = UserFactory()
    product = ProductFactory(sku="GB5782-M8X30")
    loc = LocationFactory()
    services.post_movement(product=product, quantity=10, to_location=loc, kind="receipt", actor=user)
    services.post_movement(product=product, quantity=3, from_location=loc, kind="issue", actor=user)
    services.reserve_stock(product=product, warehouse=loc.warehouse, quantity=5, reference="SO-1", key="so-1",
                           actor=user)
    return user, product, loc


def test_clean_after_real_postings(stocked):
    assert problems() == {}
    run = run_checks()
    assert run.ok, run.results
    assert {r["check"] for r in run.results if r["app"] == "inventory"} == {name for name, _ in checks()}


def test_a_level_that_differs_from_the_ledger_is_named(stocked):
    _, product, loc = stocked
    StockLevel.objects.filter(product=product, location=loc).update(on_hand=Decimal("8"))
    found = problems()
    assert list(found) == ["stock levels equal the ledger"]
    assert "GB5782-M8X30" in found["stock levels equal the ledger"][0]
    assert "8" in found["stock levels equal the ledger"][0] and "7" in found["stock levels equal the ledger"][0]


def test_reservations_beyond_stock_are_named(stocked):
    user, product, loc = stocked
    Reservation.objects.create(product=product, warehouse=loc.warehouse, quantity=Decimal("4"), reference="SO-2",
                               key="so-2", created_by=user)
    found = problems()
    assert list(found) == ["reservations are consistent and covered by stock"]
    text = found["reservations are consistent and covered by stock"][0]
    assert "GB5782-M8X30" in text and ": 9" in text and "only 7" in text


def test_a_level_in_the_wrong_warehouse_is_named(stocked):
    _, product, loc = stocked
    other = LocationFactory()
    StockLevel.objects.filter(product=product, location=loc).update(warehouse=other.warehouse)
    found = problems()
    assert "stock levels are in their location's warehouse" in found
