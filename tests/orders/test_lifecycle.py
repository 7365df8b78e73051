"""An order walked through every state, checking stock, reservations and balances at each step."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from inventory.models import Reservation, StockMovement
from orders import services
from orders.models import OrderEvent, OrderLine, PaymentAllocation, ReturnLine, SalesOrder, ShipmentLine

D = Decimal
pytestmark = pytest.mark.django_db


def statuses(order):
    return list(OrderEvent.objects.filter(order=order).exclude(to_status="").values_list("to_status", flat=True))


def test_full_lifecycle_with_partial_shipment_return_and_payments(world, manager, finance):
    p0, p1 = world.products
    order = world.order([{"product": p0, "quantity": "100"}, {"product": p1, "quantity": "300"}])
    assert order.status == "draft"
    assert (order.net_total, order.tax_total, order.total) == (D("800.00"), D("104.00"), D("904.00"))
    assert world.reserved(p0) == 0

    # submit: every rule passes, so the order is approved at once and the stock reserved
    order = services.submit_order(order, actor=world.rep)
    assert order.status == "approved"
    assert statuses(order) == ["draft", "submitted", "approved"]
    assert world.reserved(p0) == D("100") and world.reserved(p1) == D("300")
    assert list(OrderLine.objects.filter(order=order).values_list("reserved_quantity", flat=True)) == [D("100"),
                                                                                                      D("300")]
    # a double-clicked submit changes nothing
    services.submit_order(order, actor=world.rep)
    assert statuses(order) == ["draft", "submitted", "approved"]

    # partial shipment: all of p1 (both bins), 60 of p0
    l0, l1 = order.lines.order_by("position")
    shipment = services.ship_order(order, quantities={l0.pk: "60", l1.pk: "300"}, actor=manager,
                                   tracking_number="SF100", packages=3, weight_kg=D("12.5"))
    order.refresh_from_db()
    assert order.status == "part_shipped"
    assert order.due_date is not None and order.shipped_at is not None
    assert world.on_hand(p0) == D("440") and world.on_hand(p1) == D("0")
    assert world.reserved(p0) == D("40") and world.reserved(p1) == D("0")
    issues = StockMovement.objects.filter(reference=order.number, kind="issue")
    assert sorted((m.product_id, m.from_location.code, m.quantity) for m in issues) == sorted([
        (p0.pk, "A-01-01", D("60")), (p1.pk, "A-01-01", D("150")), (p1.pk, "B-01-01", D("150"))])
    assert ShipmentLine.objects.filter(shipment=shipment).count() == 3
    # more than is left to ship is refused, nothing moves
    with pytest.raises(ValidationError, match="more than"):
        services.ship_order(order, quantities={l0.pk: "41"}, actor=manager)
    assert world.on_hand(p0) == D("440")

    # the back-order ships: p0 comes from A-01 (190 left) only
    services.ship_order(order, quantities={l0.pk: "40"}, actor=manager)
    order.refresh_from_db()
    assert order.status == "shipped"
    assert world.on_hand(p0) == D("400") and world.reserved(p0) == 0
    assert not Reservation.objects.active().filter(reference=order.number).exists()

    # delivered by staff (manual carrier)
    order = services.deliver_order(order, actor=manager)
    assert order.status == "delivered"

    # a partial payment
    pay1 = services.record_payment(customer=world.customer, amount="400", allocations=[(order, "400")],
                                   actor=finance, method="wechat", reference="WX-1")
    order.refresh_from_db()
    assert order.status == "part_paid" and order.balance == D("504.00")
    assert PaymentAllocation.objects.get(payment=pay1).amount == D("400.00")

    # a return of 10 × p0: stock back into the bin it left from, a credit of 10/100 of the line amount
    ret = services.create_return(order, quantities={l0.pk: "10"}, actor=manager, reason="损坏")
    order.refresh_from_db()
    assert ret.credit_amount == D("22.60")
    assert order.credited_amount == D("22.60") and order.balance == D("481.40")
    assert world.on_hand(p0) == D("410")
    rl = ReturnLine.objects.get(order_return=ret)
    assert rl.location.code == "A-01-01" and rl.movement.kind == "return"

    # a payment larger than the balance is refused, nothing counted
    with pytest.raises(ValidationError, match="more than its balance"):
        services.record_payment(customer=world.customer, amount="481.41", allocations=[(order, "481.41")],
                                actor=finance)
    order.refresh_from_db()
    assert order.paid_amount == D("400.00")
    # the same bank reference twice is refused
    with pytest.raises(ValidationError, match="already recorded"):
        services.record_payment(customer=world.customer, amount="1", allocations=[(order, "1")], actor=finance,
                                method="wechat", reference="WX-1")

    services.record_payment(customer=world.customer, amount="481.40", allocations=[(order, "481.40")], actor=finance)
    order.refresh_from_db()
    assert order.status == "paid" and order.balance == 0

    order = services.close_order(order, actor=manager)
    assert order.status == "closed"
    assert statuses(order) == ["draft", "submitted", "approved", "picking", "part_shipped", "shipped", "delivered",
                               "part_paid", "paid", "closed"]
    assert SalesOrder.objects.get(pk=order.pk).paid_amount == D("881.40")


def test_cancel_releases_reservations(world, manager):
    p0 = world.products[0]
    order = services.submit_order(world.order([{"product": p0, "quantity": "120"}]), actor=world.rep)
    assert world.reserved(p0) == D("120")
    order = services.cancel_order(order, actor=world.rep, reason="客户取消")
    assert order.status == "cancelled"
    assert world.reserved(p0) == 0 and world.on_hand(p0) == D("500")
    assert order.lines.get().reserved_quantity == 0
    with pytest.raises(ValidationError, match="cannot go to"):
        services.approve_order(order, actor=manager)


def test_cancel_backorder_shrinks_the_order(world, manager):
    p0 = world.products[0]
    order = services.submit_order(world.order([{"product": p0, "quantity": "100"}]), actor=world.rep)
    line = order.lines.get()
    services.ship_order(order, quantities={line.pk: "30"}, actor=manager)
    order = services.cancel_backorder(order, actor=manager, reason="客户不要了")
    assert order.status == "shipped"
    line.refresh_from_db()
    assert line.base_quantity == D("30") and line.shipped_quantity == D("30")
    assert world.reserved(p0) == 0 and world.on_hand(p0) == D("470")
    assert order.total == D("67.80")  # 30 × 2.00 + 13 %


def test_cannot_ship_a_cancelled_or_draft_order(world, manager):
    order = world.order()
    with pytest.raises(ValidationError, match="cannot be shipped"):
        services.ship_order(order, quantities={order.lines.get().pk: "1"}, actor=manager)


def test_review_path_reject_reopen_approve_pick_cancel_then_return_after_payment(world, manager, finance):
    """The states the automatic approval skips: waiting for review, rejected, reopened, approved by a manager,
    picking and cancelled from picking; then a second order shipped, paid in full and partly returned.
    Stock on hand, reservations and the customer's balance are checked after every step."""
    from orders.models import ReviewSettings
    from orders.selectors import customer_balance

    p0 = world.products[0]
    row = ReviewSettings.current()
    row.min_margin_percent = D("60")  # 2.00 sold at 1.00 cost: 50 % margin, so a manager must look
    row.save()

    def check(status, on_hand, reserved, balance, order):
        order.refresh_from_db()
        assert order.status == status
        assert (world.on_hand(p0), world.reserved(p0)) == (D(on_hand), D(reserved))
        assert customer_balance(world.customer)["balance"] == D(balance)

    order = world.order([{"product": p0, "quantity": "50"}])  # 100.00 + 13 % = 113.00
    check("draft", "500", "0", "0", order)
    order = services.submit_order(order, actor=world.rep)
    check("submitted", "500", "0", "0", order)  # waiting: nothing reserved, nothing owed
    assert [r["code"] for r in order.review_reasons] == ["margin"]
    order = services.reject_order(order, actor=manager, reason="毛利太低")
    check("rejected", "500", "0", "0", order)
    order = services.transition(order, "draft", actor=world.rep)
    check("draft", "500", "0", "0", order)
    order = services.submit_order(order, actor=world.rep)
    check("submitted", "500", "0", "0", order)
    order = services.approve_order(order, actor=manager, note="老客户")
    check("approved", "500", "50", "113.00", order)
    order = services.start_picking(order, actor=manager)
    check("picking", "500", "50", "113.00", order)
    order = services.cancel_order(order, actor=manager, reason="客户改单")
    check("cancelled", "500", "0", "0", order)
    assert statuses(order) == ["draft", "submitted", "rejected", "draft", "submitted", "approved", "picking",
                               "cancelled"]
    with pytest.raises(ValidationError, match="cannot go to"):
        services.transition(order, "picking", actor=manager)

    second = services.submit_order(world.order([{"product": p0, "quantity": "20"}]), actor=world.rep)
    second = services.approve_order(second, actor=manager)
    check("approved", "500", "20", "45.20", second)
    services.ship_order(second, quantities={second.lines.get().pk: "20"}, actor=manager)
    check("shipped", "480", "0", "45.20", second)
    services.deliver_order(second, actor=manager)
    services.record_payment(customer=world.customer, amount="45.20", allocations=[(second, "45.20")], actor=finance)
    check("paid", "480", "0", "0", second)
    # a return after full payment: stock back, the money the order no longer owes becomes the customer's credit
    # (owed to the customer), and the order itself shows no negative balance
    ret = services.create_return(second, quantities={second.lines.get().pk: "5"}, actor=manager, reason="规格不符")
    assert ret.credit_amount == D("11.30")
    check("paid", "485", "0", "-11.30", second)
    assert second.balance == 0 and second.credits_made.get().remaining == D("11.30")
