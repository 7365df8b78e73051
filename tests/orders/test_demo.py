import random
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from crm.models import Customer
from hardware_erp.core.management.commands.seed_demo import SeedContext
from orders import demo
from orders.models import OrderLine, Payment, SalesOrder, Shipment, TrackingEvent

pytestmark = pytest.mark.django_db


def customers_of_long_standing():
    """The history orders only from customers that existed at the time: the world's are made today."""
    Customer.objects.update(created_at=timezone.now() - timedelta(days=800))


def test_demo_has_a_year_of_orders_in_every_state_and_is_idempotent(world, make_user):
    customers_of_long_standing()
    users = {"sales_rep": [world.rep], "sales_manager": [make_user("sales_manager")],
             "finance_clerk": [make_user("finance_clerk")], "general_manager": [make_user("general_manager")]}
    logged = []
    ctx = SeedContext(rng=random.Random(1), scale=1, users=users, by_username={}, log=logged.append)
    demo.seed(ctx)
    states = dict(SalesOrder.objects.values_list("status").annotate(n=Count("pk")))
    for s in ("closed", "paid", "part_paid", "delivered", "shipped", "cancelled", "draft", "submitted",
              "approved", "part_shipped"):
        assert states.get(s), (s, states, logged)
    months = SalesOrder.objects.dates("order_date", "month")
    assert len(months) >= 12
    assert OrderLine.objects.count() > 800
    assert Shipment.objects.exists() and TrackingEvent.objects.exists() and Payment.objects.exists()
    paid = SalesOrder.objects.filter(status="paid").first()
    assert paid.paid_amount == paid.total and paid.allocations.get().amount == paid.total
    n = SalesOrder.objects.count()
    demo.seed(ctx)
    assert SalesOrder.objects.count() == n


WAYBILL_FORMATS = {  # each carrier's own waybill numbers
    "顺丰速运": r"SF\d{12,15}",
    "中通快递": r"[753]\d{11,13}",
    "德邦物流": r"DPK\d{9,13}",
    "自有车辆配送": r"",  # own vans carry a delivery note, no waybill
}


def test_demo_shipments_carry_their_carriers_waybill_numbers_and_are_shipped_by_the_warehouse(world, make_user):
    import re

    customers_of_long_standing()
    clerk = make_user("warehouse_clerk")
    users = {"sales_rep": [world.rep], "sales_manager": [make_user("sales_manager")], "warehouse_clerk": [clerk],
             "finance_clerk": [make_user("finance_clerk")], "general_manager": [make_user("general_manager")]}
    ctx = SeedContext(rng=random.Random(3), scale=1, users=users, by_username={}, log=lambda msg: None)
    demo.seed(ctx)
    seen = set()
    for carrier, number in Shipment.objects.values_list("carrier__name", "tracking_number"):
        assert re.fullmatch(WAYBILL_FORMATS[carrier], number), (carrier, number)
        seen.add(carrier)
    assert seen == set(WAYBILL_FORMATS)
    assert set(Shipment.objects.values_list("created_by", flat=True)) == {clerk.pk}
