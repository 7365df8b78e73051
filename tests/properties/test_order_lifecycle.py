"""Stateful property test: random sequences of order actions (create, submit, approve, pick, ship part, deliver,
pay part, return, cancel) through the orders services, with the invariants of `check_integrity` (inventory and
orders) and the order's own arithmetic checked after every step. A refused action (BusinessRuleError) is a valid
outcome; a broken invariant or any other exception is a failure, and hypothesis shrinks it to the shortest
sequence of actions."""

from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from inventory import integrity as inventory_integrity
from inventory.models import Reservation, StockLevel
from orders import integrity as orders_integrity
from orders import services
from orders.choices import SOLD_STATES, OrderStatus
from orders.models import OrderLine, SalesOrder
from tests.factories import UserFactory
from tests.factories.orders import make_world

S = OrderStatus
SHIPPABLE = (S.APPROVED, S.PICKING, S.PARTIALLY_SHIPPED)
fractions = st.sampled_from([Decimal("0.25"), Decimal("0.5"), Decimal("1")])


class OrderLifecycle(RuleBasedStateMachine):
    """Each step picks an order in a state where the action makes sense (so that histories get far: shipped,
    paid, returned), and one rule applies any action to any order (refusals must leave everything intact)."""

    done: Counter = Counter()  # services that went through, over all examples

    def __init__(self):
        super().__init__()
        self.savepoint = transaction.savepoint()  # each example starts from the same empty database
        self.world = make_world(lambda role=None, **kw: UserFactory.with_role(role, **kw), stock_qty=(60, 40))
        self.manager = UserFactory.with_role("sales_manager")
        self.shipper = UserFactory.with_role("general_manager")
        self.finance = UserFactory.with_role("finance_clerk")

    def teardown(self):
        transaction.savepoint_rollback(self.savepoint)

    def attempt(self, action, *args, **kwargs):
        try:
            result = action(*args, **kwargs)
        except ValidationError:  # BusinessRuleError: the service said no, with a message for the user
            return None
        self.done[action.__name__] += 1
        return result

    def orders(self, *statuses):
        qs = SalesOrder.objects.filter(customer=self.world.customer).order_by("pk")
        return list(qs.filter(status__in=statuses) if statuses else qs)

    def pick(self, data, *statuses):
        found = self.orders(*statuses)
        return data.draw(st.sampled_from(found)) if found else None

    @initialize()
    def first_order(self):
        self.world.order([{"product": self.world.products[0], "quantity": Decimal("10")}])

    @precondition(lambda self: len(self.orders()) < 5)
    @rule(q0=st.integers(0, 45), q1=st.integers(0, 30))
    def create(self, q0, q1):
        lines = [{"product": p, "quantity": Decimal(q)} for p, q in zip(self.world.products, (q0, q1), strict=True)
                 if q]
        self.attempt(self.world.order, lines or [{"product": self.world.products[1], "quantity": 1}])

    @rule(data=st.data())
    def submit(self, data):
        if order := self.pick(data, S.DRAFT):
            self.attempt(services.submit_order, order, actor=self.world.rep)

    @rule(data=st.data())
    def approve(self, data):
        if order := self.pick(data, S.SUBMITTED):
            self.attempt(services.approve_order, order, actor=self.manager)

    @rule(data=st.data())
    def pick_goods(self, data):
        if order := self.pick(data, S.APPROVED):
            self.attempt(services.start_picking, order, actor=self.shipper)

    def _ship(self, order, part):
        quantities = {ln.pk: max(Decimal(1), ((ln.base_quantity - ln.shipped_quantity) * part).to_integral_value())
                      for ln in order.lines.all() if ln.base_quantity > ln.shipped_quantity}
        self.attempt(services.ship_order, order, quantities=quantities, actor=self.shipper)

    @rule(data=st.data(), part=fractions)
    def ship_part(self, data, part):
        if order := self.pick(data, *SHIPPABLE):
            self._ship(order, part)

    @rule(data=st.data())
    def deliver(self, data):
        if order := self.pick(data, S.SHIPPED):
            self.attempt(services.deliver_order, order, actor=self.shipper)

    def _pay(self, order, part):
        amount = max(Decimal("0.01"), (order.balance * part).quantize(Decimal("0.01")))
        self.attempt(services.record_payment, customer=order.customer, amount=amount, allocations=[(order, amount)],
                     actor=self.finance)

    @rule(data=st.data(), part=fractions)
    def pay_part(self, data, part):
        if order := self.pick(data, *SOLD_STATES):
            self._pay(order, part)

    def _return(self, order, part):
        quantities = {ln.pk: max(Decimal(1), ((ln.shipped_quantity - ln.returned_quantity) * part).to_integral_value())
                      for ln in order.lines.all() if ln.shipped_quantity > ln.returned_quantity}
        self.attempt(services.create_return, order, quantities=quantities, actor=self.manager, reason="损坏")

    @rule(data=st.data(), part=fractions)
    def return_part(self, data, part):
        if order := self.pick(data, S.PARTIALLY_SHIPPED, S.SHIPPED, S.DELIVERED, S.PARTIALLY_PAID, S.PAID):
            self._return(order, part)

    @rule(data=st.data())
    def cancel(self, data):
        if order := self.pick(data, S.DRAFT, S.SUBMITTED, S.APPROVED, S.PICKING):
            self.attempt(services.cancel_order, order, actor=self.manager, reason="客户取消")

    @rule(data=st.data(), action=st.sampled_from(["submit", "approve", "ship", "deliver", "pay", "return", "cancel"]),
          part=fractions)
    def any_action_on_any_order(self, data, action, part):
        order = self.pick(data)
        {"submit": lambda: self.attempt(services.submit_order, order, actor=self.world.rep),
         "approve": lambda: self.attempt(services.approve_order, order, actor=self.manager),
         "ship": lambda: self._ship(order, part),
         "deliver": lambda: self.attempt(services.deliver_order, order, actor=self.shipper),
         "pay": lambda: self._pay(order, part),
         "return": lambda: self._return(order, part),
         "cancel": lambda: self.attempt(services.cancel_order, order, actor=self.manager, reason="客户取消")}[action]()

    @invariant()
    def integrity_holds(self):
        problems = {name: found for name, found in inventory_integrity.checks() + orders_integrity.checks() if found}
        assert not problems, problems

    @invariant()
    def no_impossible_order(self):
        wh = self.world.warehouse
        for order in SalesOrder.objects.filter(customer=self.world.customer):
            lines = list(order.lines.all())
            assert order.paid_amount >= 0 and order.credited_amount >= 0, order.number
            for ln in lines:
                assert 0 <= ln.returned_quantity <= ln.shipped_quantity <= ln.base_quantity, (order.number, ln)
                assert 0 <= ln.reserved_quantity <= ln.base_quantity - ln.shipped_quantity, (order.number, ln)
            if order.status in (S.DRAFT, S.SUBMITTED, S.REJECTED):
                assert all(ln.shipped_quantity == 0 for ln in lines), (order.number, order.status)
            if order.status in (S.DRAFT, S.SUBMITTED, S.REJECTED, S.CANCELLED):
                assert all(ln.reserved_quantity == 0 for ln in lines), (order.number, order.status)
            if order.status == S.SHIPPED or order.status == S.DELIVERED:
                assert all(ln.shipped_quantity == ln.base_quantity for ln in lines), (order.number, order.status)
            if order.status not in SOLD_STATES:
                assert order.paid_amount == 0, (order.number, order.status)
            # money beyond what an order owes is the customer's credit, never a negative balance
            assert order.balance >= 0, (order.number, order.status, order.balance)
        # what the warehouse holds: the stock it started with, less what left on shipments, plus what came back
        for product in self.world.products:
            shipped = sum((ln.shipped_quantity - ln.returned_quantity)
                          for ln in OrderLine.objects.filter(product=product, order__customer=self.world.customer))
            on_hand = sum(StockLevel.objects.filter(product=product, warehouse=wh).values_list("on_hand", flat=True))
            start = Decimal(60 if product == self.world.products[0] else 40)
            assert on_hand == start - shipped, (product.sku, on_hand, start, shipped)
            reserved = sum(Reservation.objects.active().filter(product=product, warehouse=wh)
                           .values_list("quantity", flat=True))
            assert reserved <= on_hand, (product.sku, reserved, on_hand)


@pytest.mark.django_db
def test_random_order_histories_keep_every_invariant():
    # derandomize: the same 25 histories every run, so that what they reach is the same in CI as here (random
    # ones did not always reach a return); database=None: no replay of examples saved by an earlier run
    OrderLifecycle.TestCase.settings = settings(max_examples=25, stateful_step_count=25, deadline=None,
                                                derandomize=True, database=None,
                                                suppress_health_check=[HealthCheck.too_slow,
                                                                       HealthCheck.function_scoped_fixture])
    OrderLifecycle.done.clear()
    OrderLifecycle.TestCase().runTest()
    # the histories went through these kinds of step, not only refusals (deliveries are rare in them: cancels come
    # first; tests/orders/test_lifecycle.py walks delivery and every other state on purpose)
    assert {"submit_order", "ship_order", "record_payment", "create_return",
            "cancel_order"} <= set(OrderLifecycle.done), OrderLifecycle.done


@pytest.mark.django_db
def test_a_cancelled_prepaid_order_leaves_its_payment_as_customer_credit(make_user):
    """Found by the machine above: a prepayment on an approved order, then a cancellation, left the money on a
    cancelled order. The money now leaves the order as the customer's credit."""
    from orders.models import CustomerCredit

    world = make_world(make_user)
    order = services.submit_order(world.order(), actor=world.rep)
    assert order.status == S.APPROVED
    services.record_payment(customer=world.customer, amount="5.65", allocations=[(order, "5.65")],
                            actor=make_user("finance_clerk"))
    services.cancel_order(order, actor=make_user("sales_manager"), reason="客户取消")
    order.refresh_from_db()
    assert order.status == S.CANCELLED and order.paid_amount == 0
    assert CustomerCredit.objects.get(order=order).remaining == Decimal("5.65")
    assert world.reserved(world.products[0]) == 0
