import time
from decimal import Decimal
from unittest import mock

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Sum

from crm.signals import customers_merged
from inventory.models import ProductUnit, UnitOfMeasure
from orders import services
from orders.models import OrderEvent, Payment, PaymentAllocation, ReviewSettings, SalesOrder
from tests.factories.crm import CustomerFactory, credit_code
from tests.factories.orders import PriceRuleFactory

D = Decimal
pytestmark = pytest.mark.django_db


def _settings(**values):
    row = ReviewSettings.current()
    for k, v in values.items():
        setattr(row, k, v)
    row.save()


# --------------------------------------------------------------------------- pricing and totals

def test_price_level_quantity_breaks_and_unit_conversion(world):
    p0 = world.products[0]
    box = UnitOfMeasure.objects.create(code="box", name_zh="盒", name_en="box")
    ProductUnit.objects.create(product=p0, unit=box, factor=D("100"))
    PriceRuleFactory(level="b", min_quantity=D("0"), discount_percent=D("2"))
    PriceRuleFactory(level="b", product=p0, min_quantity=D("200"), discount_percent=D("5"))
    PriceRuleFactory(level="a", min_quantity=D("0"), discount_percent=D("30"))  # another level: not used
    order = world.order([{"product": p0, "quantity": "3", "unit": box},      # 300 pcs: the 5 % break
                         {"product": p0, "quantity": "150"}])                # 150 pcs: 2 %
    big, small = order.lines.order_by("position")
    assert big.base_quantity == D("300") and big.factor == D("100")
    assert big.list_price == D("200.00") and big.discount_percent == D("5") and big.unit_price == D("190.00")
    assert big.net_amount == D("570.00") and big.tax_amount == D("74.10") and big.amount == D("644.10")
    assert small.discount_percent == D("2") and small.unit_price == D("1.96") and small.net_amount == D("294.00")
    assert order.net_total == D("864.00") and order.tax_total == D("112.32") and order.total == D("976.32")
    assert order.discount_total == order.subtotal - order.net_total == D("36.00")


def test_tax_rate_is_configurable_and_rounding_is_half_up(world):
    row = ReviewSettings.current()
    row.default_tax_rate = D("9")
    row.save()
    order = world.order([{"product": world.products[0], "quantity": "1.5", "unit_price": "1.99"}])
    line = order.lines.get()
    # 1.5 × 1.99 = 2.985 → 2.99; 9 % of 2.99 = 0.2691 → 0.27
    assert (line.net_amount, line.tax_rate, line.tax_amount, line.amount) == (D("2.99"), D("9"), D("0.27"),
                                                                              D("3.26"))


def test_price_below_floor_and_unknown_unit_are_refused(world):
    p0 = world.products[0]
    with pytest.raises(ValidationError, match="below the floor"):
        world.order([{"product": p0, "quantity": "1", "unit_price": "0.99"}])
    kg = UnitOfMeasure.objects.create(code="kg", name_zh="千克", name_en="kg", is_weight=True)
    with pytest.raises(ValidationError, match="not sold in"):
        world.order([{"product": p0, "quantity": "1", "unit": kg}])
    assert not SalesOrder.objects.exists()


def test_quotation_converts_once(world):
    q = world.order(kind="quotation")
    assert q.number.startswith("QT") and q.valid_until is not None
    order = services.convert_quotation(q, actor=world.rep)
    again = services.convert_quotation(q, actor=world.rep)
    assert again.pk == order.pk
    q.refresh_from_db()
    assert q.status == "converted" and order.quotation_id == q.pk and order.status == "draft"
    assert order.total == q.total and order.lines.count() == q.lines.count()
    with pytest.raises(ValidationError):
        services.submit_order(q, actor=world.rep)


# --------------------------------------------------------------------------- review rules and approval

def test_review_rules_send_the_order_to_a_person_with_reasons(world, manager, finance):
    world.customer.credit_limit = D("100")
    world.customer.save()
    PriceRuleFactory(level="b", min_quantity=0, discount_percent=D("50"))  # at cost: margin 0 %
    p1 = world.products[1]
    order = world.order([{"product": p1, "quantity": "400"}])  # only 300 on hand
    order = services.submit_order(order, actor=world.rep)
    assert order.status == "submitted"
    codes = [r["code"] for r in order.review_reasons]
    assert codes == ["credit", "margin", "discount", "stock"]
    assert order.needs_finance
    assert OrderEvent.objects.filter(order=order, kind="review").count() == 1
    # one step per role: the sales manager decides margin, discount and stock, Finance decides credit
    assert {s.role: s.reasons for s in order.review_steps.all()} == {"sales": ["margin", "discount", "stock"],
                                                                     "finance": ["credit"]}
    order = services.approve_order(order, actor=finance, note="预付款已确认")
    assert order.status == "submitted"
    order = services.approve_order(order, actor=manager)
    assert order.status == "approved" and order.approved_by == manager
    # only what is on hand is reserved; the rest is a back-order
    assert world.reserved(p1) == D("300") and order.lines.get().reserved_quantity == D("300")


def test_nobody_approves_their_own_order(world, make_user):
    boss = make_user("sales_manager")
    world.customer.credit_limit = D("1")
    world.customer.save()
    order = services.create_order(customer=world.customer, lines=[{"product": world.products[0], "quantity": 10}],
                                  actor=boss, warehouse=world.warehouse, salesperson=boss)
    order = services.submit_order(order, actor=boss)
    _settings(check_credit=False)
    gm = make_user("general_manager")
    with pytest.raises(ValidationError, match="they created"):
        services.approve_order(order, actor=boss)
    assert services.approve_order(order, actor=gm).status == "approved"


def test_reject_needs_a_reason_and_can_be_reopened(world, manager):
    _settings(min_margin_percent=D("60"))
    order = services.submit_order(world.order(), actor=world.rep)
    assert order.status == "submitted"
    with pytest.raises(ValidationError, match="why"):
        services.reject_order(order, actor=manager, reason=" ")
    order = services.reject_order(order, actor=manager, reason="价格太低")
    assert order.status == "rejected" and order.rejection_reason == "价格太低"
    order = services.transition(order, "draft", actor=world.rep)
    order = services.update_order(order, lines=[{"product": world.products[0], "quantity": 5}], actor=world.rep)
    assert order.total == D("11.30")


def test_a_rep_cannot_act_on_another_reps_order(world, make_user):
    other = make_user("sales_rep")
    order = world.order()
    with pytest.raises(ValidationError, match="another salesperson"):
        services.transition(order, "submitted", actor=other)
    _settings(min_margin_percent=D("60"))
    order = services.submit_order(order, actor=world.rep)
    with pytest.raises(ValidationError, match="another salesperson"):
        services.approve_order(order, actor=other)
    with pytest.raises(ValidationError, match="they created"):
        services.approve_order(order, actor=world.rep)


def test_wrong_state_is_refused_with_a_clear_message(world, manager):
    order = world.order()
    with pytest.raises(ValidationError, match="Draft: it cannot go to Delivered"):
        services.transition(order, "delivered", actor=manager)


def test_second_approval_is_refused(world, manager, make_user):
    _settings(min_margin_percent=D("60"))
    order = services.submit_order(world.order(), actor=world.rep)
    services.approve_order(order, actor=manager)
    with pytest.raises(ValidationError, match="already approved"):
        services.approve_order(order, actor=make_user("sales_manager"))
    assert OrderEvent.objects.filter(order=order, to_status="approved").count() == 1
    assert world.reserved(world.products[0]) == D("100")


# --------------------------------------------------------------------------- payments

def _shipped(world, manager, qty="100"):
    order = services.submit_order(world.order([{"product": world.products[0], "quantity": qty}]), actor=world.rep)
    services.ship_order(order, quantities={order.lines.get().pk: qty}, actor=manager)
    order.refresh_from_db()
    return order


def test_one_payment_over_two_orders_and_customer_balance(world, manager, finance):
    a = _shipped(world, manager)
    b = _shipped(world, manager, "50")
    assert (a.total, b.total) == (D("226.00"), D("113.00"))
    with pytest.raises(ValidationError, match="add up to"):
        services.record_payment(customer=world.customer, amount="300", allocations=[(a, "226"), (b, "50")],
                                actor=finance)
    p = services.record_payment(customer=world.customer, amount="276", allocations=[(a, "226"), (b, "50")],
                                actor=finance, method="bank")
    assert PaymentAllocation.objects.filter(payment=p).aggregate(s=Sum("amount"))["s"] == D("276.00")
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.balance == 0 and b.balance == D("63.00")
    assert a.status == "shipped"  # paid before delivery: the status follows after delivery
    services.deliver_order(a, actor=manager)
    a.refresh_from_db()
    assert a.status == "paid"
    from orders.selectors import customer_balance
    assert customer_balance(world.customer)["balance"] == D("63.00")


def test_payment_rules(world, manager, finance, make_user):
    order = _shipped(world, manager)
    other = CustomerFactory()
    with pytest.raises(ValidationError, match="another customer"):
        services.record_payment(customer=other, amount="1", allocations=[(order, "1")], actor=finance)
    with pytest.raises(ValidationError, match="may not record"):
        services.record_payment(customer=world.customer, amount="1", allocations=[(order, "1")], actor=world.rep)
    with pytest.raises(ValidationError, match="more than zero"):
        services.record_payment(customer=world.customer, amount="0", allocations=[(order, "0")], actor=finance)
    draft = world.order()
    with pytest.raises(ValidationError, match="no payment"):
        services.record_payment(customer=world.customer, amount="1", allocations=[(draft, "1")], actor=finance)
    assert not Payment.objects.exists()


# --------------------------------------------------------------------------- status link, merge, invoices

def test_status_link_tampered_and_revoked(world):
    order = world.order()
    token = services.status_link_token(order)
    assert services.order_from_token(token) == order
    assert services.order_from_token(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]) is None
    forged = signing.dumps({"o": order.pk + 1, "t": order.status_token.hex}, salt="other")
    assert services.order_from_token(forged) is None
    services.revoke_status_link(order, actor=world.rep)
    assert services.order_from_token(token) is None
    order.refresh_from_db()
    services.revoke_status_link(order, actor=world.rep, renew=True)
    order.refresh_from_db()
    assert services.order_from_token(services.status_link_token(order)) == order
    assert services.order_from_token(token) is None


def test_status_link_expires_after_its_lifetime_and_renewal_gives_a_working_one(world, settings):
    settings.STATUS_LINK_DAYS = 30
    order = world.order()
    made = time.time()
    with mock.patch("django.core.signing.time.time", return_value=made - 31 * 86400):
        old = services.status_link_token(order)  # a link sent 31 days ago
    with mock.patch("django.core.signing.time.time", return_value=made - 29 * 86400):
        recent = services.status_link_token(order)
    assert services.order_from_token(old) is None
    assert services.order_from_token(recent) == order
    services.revoke_status_link(order, actor=world.rep, renew=True)
    order.refresh_from_db()
    assert services.order_from_token(recent) is None  # renewing replaces every earlier link
    assert services.order_from_token(services.status_link_token(order)) == order


def test_customers_merged_moves_orders_and_payments(world, manager, finance):
    order = _shipped(world, manager)
    services.record_payment(customer=world.customer, amount="10", allocations=[(order, "10")], actor=finance)
    survivor = CustomerFactory(owner=world.rep)
    customers_merged.send(sender=type(survivor), survivor=survivor, merged=world.customer, actor=manager)
    order.refresh_from_db()
    assert order.customer == survivor
    assert Payment.objects.get().customer == survivor
    event = OrderEvent.objects.get(order=order, kind="note", code="customer.merged")
    assert event.params["new"] == str(survivor) and event.note == ""


def test_invoice_request_once_per_order(world, manager, finance):
    world.customer.tax_number = credit_code(5)
    world.customer.save()
    order = _shipped(world, manager)
    req = services.request_invoice(order, actor=world.rep, deliver_email="fin@example.com")
    assert (req.net_amount, req.tax_amount, req.amount) == (D("200.00"), D("26.00"), D("226.00"))
    with pytest.raises(ValidationError, match="already requested"):
        services.request_invoice(order, actor=world.rep)
    req = services.issue_invoice(req, actor=finance, invoice_number="12345678")
    assert req.status == "issued"


def test_dashboard_counts_open_orders_month_revenue_and_overdue_balances(world, manager, finance,
                                                                        django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from orders.selectors import kpi_counts

    with django_capture_on_commit_callbacks(execute=True):  # the month's revenue is read from the sales rollup
        late = _shipped(world, manager)  # 226.00, due in the past below
        paid = _shipped(world, manager, "50")  # 113.00, paid in full: owes nothing
        services.record_payment(customer=world.customer, amount="113", allocations=[(paid, "113")], actor=finance)
        services.deliver_order(paid, actor=manager)
        submitted = services.submit_order(world.order([{"product": world.products[0], "quantity": "10"}]),
                                          actor=world.rep)
    past = timezone.localdate() - timedelta(days=3)
    SalesOrder.objects.filter(pk__in=[late.pk, paid.pk]).update(due_date=past)
    counts = kpi_counts(manager)
    assert counts["open"] == 1  # submitted (or approved at once): the shipped ones are no longer open
    assert counts["overdue"] == D("226.00")
    assert counts["month_revenue"] == late.net_total + paid.net_total + (
        submitted.net_total if submitted.status == "approved" else 0)
    assert kpi_counts(world.rep)["overdue"] == D("226.00")  # the rep sells both
