from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.models import Notification
from inventory import services
from inventory.alerts import check_thresholds
from inventory.choices import MovementKind
from inventory.models import Product, Reservation, StockAlert, StockLevel, StockMovement
from inventory.models.stock import ImmutableError
from inventory.selectors import ledger_differences
from tests.factories.inventory import ProductFactory, ThresholdFactory, UnitFactory

pytestmark = pytest.mark.django_db
D = Decimal


def level(product, location):
    return StockLevel.objects.get(product=product, location=location).on_hand


def receive(product, loc, qty, clerk, cost=None, **kw):
    return services.post_movement(product=product, quantity=qty, to_location=loc, kind=MovementKind.RECEIPT,
                                  actor=clerk, unit_cost=cost, **kw)


def test_receipt_writes_one_movement_and_the_level(product, loc, clerk):
    m = receive(product, loc, "120", clerk, cost=D("0.50"), reference="PO-1")
    row = StockMovement.objects.get()
    assert (row.pk, row.kind, row.quantity, row.to_location_id, row.from_location_id, row.actor_id, row.reference) == (
        m.pk, "receipt", D("120.000"), loc.pk, None, clerk.pk, "PO-1")
    assert level(product, loc) == D("120")
    assert call_command("check_stock") is None


def test_issue_and_transfer_move_the_levels(product, loc, loc2, clerk):
    receive(product, loc, 50, clerk)
    services.post_movement(product=product, quantity=20, from_location=loc, to_location=loc2,
                           kind=MovementKind.TRANSFER, actor=clerk)
    services.post_movement(product=product, quantity=5, from_location=loc2, kind=MovementKind.ISSUE, actor=clerk,
                           reference="SO-9")
    assert (level(product, loc), level(product, loc2)) == (D("30"), D("15"))
    assert StockMovement.objects.count() == 3
    assert ledger_differences() == []


def test_issue_beyond_stock_is_refused_and_writes_nothing(product, loc, clerk):
    receive(product, loc, 3, clerk)
    with pytest.raises(BusinessRuleError, match="Only 3 of GB5782-M8X30"):
        services.post_movement(product=product, quantity=4, from_location=loc, kind=MovementKind.ISSUE, actor=clerk)
    assert StockMovement.objects.count() == 1
    assert level(product, loc) == D("3")


def test_negative_allowed_when_the_product_says_so(loc, clerk):
    p = ProductFactory(allow_negative=True)
    services.post_movement(product=p, quantity=2, from_location=loc, kind=MovementKind.ISSUE, actor=clerk)
    assert level(p, loc) == D("-2")


def test_database_refuses_negative_stock_as_last_line(product, loc, clerk):
    receive(product, loc, 1, clerk)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(product=product).update(on_hand=D("-1"))


@pytest.mark.parametrize("bad", ["0", "-5", "abc", ""])
def test_bad_quantities_are_refused(product, loc, clerk, bad):
    with pytest.raises(BusinessRuleError):
        receive(product, loc, bad, clerk)
    assert not StockMovement.objects.exists()


def test_idempotency_key_posts_once(product, loc, clerk):
    a = receive(product, loc, 10, clerk, idempotency_key="req-1")
    b = receive(product, loc, 10, clerk, idempotency_key="req-1")
    assert a.pk == b.pk and StockMovement.objects.count() == 1 and level(product, loc) == D("10")
    with pytest.raises(BusinessRuleError):
        receive(product, loc, 11, clerk, idempotency_key="req-1")


def test_movements_are_immutable(product, loc, clerk):
    m = receive(product, loc, 1, clerk)
    with pytest.raises(ImmutableError):
        m.save()
    with pytest.raises(ImmutableError):
        m.delete()


def test_moving_average_cost(product, loc, clerk):
    receive(product, loc, 100, clerk, cost=D("1.00"))
    receive(product, loc, 300, clerk, cost=D("2.00"))
    product.refresh_from_db()
    assert product.average_cost == D("1.7500")  # (100×1 + 300×2) / 400
    out = services.post_movement(product=product, quantity=40, from_location=loc, kind=MovementKind.ISSUE,
                                 actor=clerk)
    assert out.unit_cost == D("1.7500")
    receive(product, loc, 40, clerk, cost=D("3.40"))  # (360×1.75 + 40×3.40) / 400 = 1.915
    product.refresh_from_db()
    assert product.average_cost == D("1.9150")


def test_unit_conversion(product, loc, clerk):
    box = UnitFactory(code="box100", name_zh="盒(100个)", name_en="box of 100")
    product.units.create(unit=box, factor=100)
    assert services.convert_to_base(product, "3", box) == D("300")
    kg = UnitFactory(code="kg", name_zh="千克", name_en="kg")
    with pytest.raises(BusinessRuleError, match="no conversion"):
        services.convert_to_base(product, "1", kg)


def test_transfer_needs_two_different_locations(product, loc, clerk):
    with pytest.raises(BusinessRuleError):
        services.post_movement(product=product, quantity=1, from_location=loc, to_location=loc,
                               kind=MovementKind.TRANSFER, actor=clerk)


def test_reserve_and_release(product, loc, wh, clerk):
    receive(product, loc, 10, clerk)
    r = services.reserve_stock(product=product, warehouse=wh, quantity=6, reference="SO-1", key="so1:l1",
                               actor=clerk)
    assert services.available_quantity(product, wh) == D("4")
    again = services.reserve_stock(product=product, warehouse=wh, quantity=6, reference="SO-1", key="so1:l1",
                                   actor=clerk)
    assert again.pk == r.pk and Reservation.objects.count() == 1
    with pytest.raises(BusinessRuleError, match="Only 4"):
        services.reserve_stock(product=product, warehouse=wh, quantity=5, reference="SO-2", key="so2:l1",
                               actor=clerk)
    services.release_reservation(key="so1:l1", actor=clerk, quantity=2)
    assert services.available_quantity(product, wh) == D("6")
    services.release_reservation(key="so1:l1", actor=clerk)
    services.release_reservation(key="so1:l1", actor=clerk)
    assert services.available_quantity(product, wh) == D("10")
    assert Reservation.objects.get().released_at is not None


def test_threshold_alert_once_per_crossing_and_cleared(product, loc, wh, clerk, make_user):
    purchaser = make_user("purchaser")
    ThresholdFactory(product=product, warehouse=wh, minimum=10, maximum=100)
    receive(product, loc, 5, clerk)
    assert check_thresholds() == {"changed": 1, "opened": 1, "cleared": 0}
    assert check_thresholds() == {"changed": 0, "opened": 0, "cleared": 0}
    alert = StockAlert.objects.get()
    assert (alert.kind, alert.available, alert.cleared_at) == ("low", D("5"), None)
    assert Notification.objects.filter(recipient=purchaser, key=f"stock-alert:{alert.pk}").count() == 1
    receive(product, loc, 20, clerk)
    assert check_thresholds()["cleared"] == 1
    assert StockAlert.objects.get().cleared_at is not None
    services.post_movement(product=product, quantity=20, from_location=loc, kind=MovementKind.ISSUE, actor=clerk)
    assert check_thresholds()["opened"] == 1  # a new crossing: a new alert
    assert StockAlert.objects.count() == 2
    assert Notification.objects.filter(recipient=purchaser).count() == 2


def test_reservation_counts_against_the_minimum(product, loc, wh, clerk):
    ThresholdFactory(product=product, warehouse=wh, minimum=10, maximum=0)
    receive(product, loc, 15, clerk)
    check_thresholds()
    assert not StockAlert.objects.exists()
    services.reserve_stock(product=product, warehouse=wh, quantity=8, reference="SO-1", key="k", actor=clerk)
    check_thresholds()
    assert StockAlert.objects.get().available == D("7")


def test_posting_checks_thresholds_after_commit(product, loc, wh, clerk, django_capture_on_commit_callbacks):
    ThresholdFactory(product=product, warehouse=wh, minimum=10, maximum=100)
    with django_capture_on_commit_callbacks(execute=True):
        receive(product, loc, 2, clerk)
    assert StockAlert.objects.filter(kind="low").count() == 1


def test_check_stock_finds_a_tampered_level(product, loc, clerk):
    receive(product, loc, 5, clerk)
    StockLevel.objects.update(on_hand=D("6"))
    from django.core.management.base import CommandError
    with pytest.raises(CommandError):
        call_command("check_stock")


def test_internal_code128_when_no_barcode(db):
    p = ProductFactory(barcode=None)
    assert Product.objects.get(pk=p.pk).barcode == f"HW{p.pk:08d}"
