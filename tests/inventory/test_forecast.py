"""The suggestion formula with hand-computed expectations (docs/forecasting.md)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory import forecast, services
from inventory.choices import MovementKind
from inventory.models import PurchaseOrder, PurchaseSuggestion
from tests.factories.inventory import SupplierProductFactory, ThresholdFactory

D = Decimal


def test_smoothing_by_hand():
    # level: 10 -> 8 -> 10.4 -> 10.32; errors -10, 12, -0.4; sigma = sqrt((100 + 144 + 0.16) / 3)
    level, sigma = forecast.smooth([10, 0, 20, 10], alpha=0.2)
    assert level == pytest.approx(10.32)
    assert sigma == pytest.approx((244.16 / 3) ** 0.5)
    assert forecast.smooth([]) == (0.0, 0.0)


def test_why_600():
    # safety = 1.645 × 4 × √9 = 19.74; ROP = 10 × 9 + 19.74 = 109.74; position = 80 − 10 + 0 = 70 ≤ ROP;
    # order up to the maximum 600: need 530, packs of 100 → 600
    plan = forecast.plan_item(daily_demand=10, sigma=4, lead_time_days=9, on_hand=D(80), reserved=D(10),
                              on_order=D(0), maximum=D(600), pack_size=D(100), moq=D(200), z=1.645)
    assert (plan.safety_stock, plan.reorder_point, plan.position, plan.net_need, plan.suggested) == (
        D("19.740"), D("109.740"), D(70), D("530.000"), D("600.000"))


def test_no_maximum_covers_thirty_days_and_moq_wins():
    # ROP = 2 × 7 + 0 = 14; target = 14 + 2 × 30 = 74; need 74 − 10 = 64 → packs of 25 → 75; MOQ 100 → 100
    plan = forecast.plan_item(daily_demand=2, sigma=0, lead_time_days=7, on_hand=D(10), reserved=D(0),
                              on_order=D(0), pack_size=D(25), moq=D(100), z=1.645)
    assert (plan.reorder_point, plan.target, plan.net_need, plan.suggested) == (D(14), D(74), D(64), D(100))


def test_nothing_above_the_reorder_point_and_on_order_counts():
    kw = {"daily_demand": 2, "sigma": 0, "lead_time_days": 7, "reserved": D(0), "z": 1.645}
    assert forecast.plan_item(on_hand=D(20), on_order=D(0), **kw).suggested == 0
    assert forecast.plan_item(on_hand=D(5), on_order=D(70), **kw).suggested == 0
    assert forecast.plan_item(on_hand=D(5), on_order=D(0), **kw).suggested > 0


def test_minimum_raises_the_reorder_point():
    plan = forecast.plan_item(daily_demand=0, sigma=0, lead_time_days=7, on_hand=D(3), reserved=D(0),
                              on_order=D(0), minimum=D(10), maximum=D(50), z=1.645)
    assert (plan.reorder_point, plan.suggested) == (D(10), D(47))


@pytest.mark.django_db
def test_compute_from_the_ledger_then_order_and_never_resuggest(product, wh, loc, clerk, make_user):
    purchaser = make_user("purchaser")
    sp = SupplierProductFactory(product=product, lead_time_days=10, pack_size=D(50), moq=D(0))
    ThresholdFactory(product=product, warehouse=wh, minimum=D(20), maximum=D(400))
    services.post_movement(product=product, quantity=1000, to_location=loc, kind=MovementKind.RECEIPT, actor=clerk)
    today = timezone.localdate()
    now = timezone.now()
    for days_ago in range(1, forecast.HISTORY_DAYS + 1):  # 10 a day, every day
        services.post_movement(product=product, quantity=10, from_location=loc, kind=MovementKind.ISSUE, actor=clerk,
                               occurred_at=now - timedelta(days=days_ago))
    # on hand 1000 − 900 = 100; demand 10/day exactly, sigma 0 → ROP = 100; position 100 ≤ 100
    result = forecast.compute_suggestions(today=today)
    assert result["created"] == 1
    s = PurchaseSuggestion.objects.get()
    assert (s.daily_demand, s.demand_sigma, s.reorder_point, s.on_hand, s.target, s.suggested_quantity,
            s.supplier_id) == (D(10), D(0), D(100), D(100), D(400), D(300), sp.supplier_id)
    why = forecast.explain(s)
    assert "300" in why and "packs of 50" in why
    # a purchaser edits the quantity; a recompute keeps it
    forecast.update_suggestion(s, actor=purchaser, quantity="350")
    forecast.compute_suggestions(today=today)
    assert PurchaseSuggestion.objects.get().quantity == D(350)
    orders = forecast.order_suggestions([s.pk], actor=purchaser)
    assert len(orders) == 1 and orders[0].lines.get().quantity == D(350)
    assert PurchaseSuggestion.objects.get().status == "ordered"
    # quantity on the open order is not suggested again
    forecast.compute_suggestions(today=today)
    assert PurchaseSuggestion.objects.filter(status="open").count() == 0


@pytest.mark.django_db
def test_dismissed_stays_dismissed_and_snoozed_wakes(product, wh, loc, clerk, make_user):
    purchaser = make_user("purchaser")
    SupplierProductFactory(product=product)
    ThresholdFactory(product=product, warehouse=wh, minimum=D(20), maximum=D(100))
    forecast.compute_suggestions()
    s = PurchaseSuggestion.objects.get()
    forecast.update_suggestion(s, actor=purchaser, status="dismissed")
    forecast.compute_suggestions()
    assert PurchaseSuggestion.objects.get().status == "dismissed"
    forecast.update_suggestion(s, actor=purchaser, status="snoozed")
    forecast.compute_suggestions(today=timezone.localdate() + timedelta(days=8))
    assert PurchaseSuggestion.objects.get().status == "open"


@pytest.mark.django_db
def test_suggestion_pages(client_as, product, wh, django_assert_max_num_queries):
    from tests.factories.inventory import ProductFactory
    for p in [product, *[ProductFactory() for _ in range(30)]]:
        SupplierProductFactory(product=p)
        ThresholdFactory(product=p, warehouse=wh, minimum=D(20), maximum=D(100))
    client = client_as("purchaser")
    assert client.post(reverse("inventory:suggestion_recompute")).status_code == 302
    with django_assert_max_num_queries(20):
        response = client.get(reverse("inventory:suggestion_list"))
    assert response.status_code == 200 and response.context["table"].paginator.count == 31
    ids = list(PurchaseSuggestion.objects.values_list("pk", flat=True)[:3])
    response = client.post(reverse("inventory:suggestion_order"), {"ids": ids})
    assert response.status_code == 302
    assert PurchaseOrder.objects.count() == 3  # one supplier each in the factories
