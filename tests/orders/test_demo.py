import random

import pytest
from django.db.models import Count

from hardware_erp.core.management.commands.seed_demo import SeedContext
from orders import demo
from orders.models import OrderLine, Payment, SalesOrder, Shipment, TrackingEvent

pytestmark = pytest.mark.django_db


def test_demo_has_a_year_of_orders_in_every_state_and_is_idempotent(world, make_user):
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
