"""Field history on record pages: local time, readable values (choices, FK names, money, JSON lists as text), and
only the fields the reader may see (cost and margin hidden from sales reps)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from governance.audit import history_entries
from tests.factories.orders import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def changed_order(make_user):
    world = make_world(make_user)
    order = world.order()
    order.review_reasons = [{"code": "stock", "text": "库存不足：M10 (300/500)。"}]
    order.cost_total = Decimal("12345.60")
    order.total = Decimal("1234567.80")
    order.submitted_at = datetime(2026, 12, 1, 2, 5, tzinfo=UTC)
    order._history_user = world.rep
    order.save()
    return world, order


def _changes(entries):
    return {c["field"]: c for e in entries for c in e["changes"]}


def test_history_is_readable_and_in_local_time(changed_order, make_user):
    world, order = changed_order
    manager = make_user("sales_manager")
    entries = history_entries(order, user=manager)
    changes = _changes(entries)
    assert changes["review_reasons"]["new"] == "库存不足：M10 (300/500)。"  # not [{'code': 'stock', ...}]
    assert "{" not in changes["review_reasons"]["new"] and "'" not in changes["review_reasons"]["new"]
    assert changes["total"]["new"] == "¥1,234,567.80"
    assert changes["submitted_at"]["new"] == "2026-12-01 10:05"  # Asia/Shanghai, not 02:05 UTC
    assert str(entries[0]["when"].tzinfo) == "Asia/Shanghai"
    assert "cost_total" in changes  # a manager sees cost


def test_sales_rep_does_not_see_cost_in_history(changed_order):
    world, order = changed_order
    changes = _changes(history_entries(order, user=world.rep))
    assert "cost_total" not in changes and "total" in changes


def test_order_page_history_hides_cost_from_the_rep(changed_order, client):
    world, order = changed_order
    client.force_login(world.rep)
    body = client.get(reverse("orders:order", args=[order.pk])).content.decode()
    assert 'data-testid="history"' in body
    assert "¥12,345.60" not in body and "[{" not in body and "库存不足" in body


def test_a_person_in_history_is_named_as_the_timeline_names_them(changed_order, make_user):
    world, order = changed_order
    approver = make_user("finance_clerk", username="fin9")
    approver.first_name = "赵静"  # the whole name, as the demo and the accounts screen store it
    approver.save()
    order.approved_by = approver
    order._history_user = approver
    order.save()
    new = _changes(history_entries(order, user=approver))["approved_by"]["new"]
    assert new == approver.get_full_name() and new != "fin9"
