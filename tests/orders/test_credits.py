"""Money after the sale: a cancelled back-order keeps its prices, overpayment becomes customer credit, which is
applied to another order or refunded (Finance requests, the general manager approves), and the statement
shows it all."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import translation

from inventory.models import ProductUnit, UnitOfMeasure
from orders import integrity, services
from orders.models import CreditApplication, CustomerCredit, OrderEvent, Refund, ReviewSettings

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_review():
    row = ReviewSettings.current()
    row.check_credit = row.check_stock = False
    row.min_margin_percent = D("0")
    row.max_discount_percent = D("100")
    row.save()


def _approved(world, lines=None):
    order = services.submit_order(world.order(lines), actor=world.rep)
    assert order.status == "approved"
    return order


def _pay(order, finance, amount):
    return services.record_payment(customer=order.customer, amount=amount, allocations=[(order, amount)],
                                   actor=finance)


def test_cancelled_backorder_keeps_unit_and_price_and_overpayment_becomes_credit(world, manager, finance):
    p0 = world.products[0]
    box = UnitOfMeasure.objects.create(code="box30", name_zh="盒", name_en="box")
    ProductUnit.objects.create(product=p0, unit=box, factor=D("30"))
    order = _approved(world, [{"product": p0, "quantity": "15", "unit": box, "unit_price": "57.13"}])
    line = order.lines.get()
    disc = line.discount_percent
    assert order.total == D("968.35")  # 15 × 57.13 = 856.95 + 13 % (111.40)
    services.ship_order(order, quantities={line.pk: "300"}, actor=manager)  # 10 boxes
    _pay(order, finance, D("968.35"))  # paid in full in advance

    order = services.cancel_backorder(order, actor=manager, reason="客户不要了")

    line.refresh_from_db()
    assert (line.unit_id, line.quantity, line.unit_price, line.discount_percent) == (box.pk, D("10"), D("57.13"), disc)
    assert (line.base_quantity, line.net_amount, line.tax_amount, line.amount) == (D("300"), D("571.30"),
                                                                                   D("74.27"), D("645.57"))
    order.refresh_from_db()
    assert order.total == D("645.57") and order.paid_amount == D("645.57") and order.balance == 0
    credit = CustomerCredit.objects.get()
    assert (credit.order, credit.customer, credit.amount, credit.remaining, credit.source) == (
        order, world.customer, D("322.78"), D("322.78"), "overpaid")
    ev = OrderEvent.objects.get(order=order, code="credit.created")
    assert ev.params == {"credit": credit.number, "amount": "322.78"} and "322.78" in ev.text


def test_a_prepaid_order_can_be_cancelled_and_its_payment_becomes_credit(world, finance):
    order = _approved(world)  # 100 × 2.00 + 13 % = 226.00
    _pay(order, finance, D("226.00"))
    order = services.cancel_order(order, actor=world.rep, reason="客户取消")
    order.refresh_from_db()
    assert order.status == "cancelled" and order.paid_amount == 0 and order.balance == 0
    assert world.reserved(world.products[0]) == 0
    credit = CustomerCredit.objects.get()
    assert (credit.amount, credit.remaining, credit.source) == (D("226.00"), D("226.00"), "cancelled")


@pytest.fixture
def credit(world, finance):
    order = _approved(world)
    _pay(order, finance, D("226.00"))
    services.cancel_order(order, actor=world.rep, reason="客户取消")
    return CustomerCredit.objects.get()


def test_credit_is_applied_to_another_order_of_the_customer(world, credit, finance, make_user):
    other = _approved(world, [{"product": world.products[1], "quantity": "50"}])  # 113.00
    with pytest.raises(ValidationError, match="more than its balance"):
        services.apply_credit(credit, order=other, amount="150", actor=finance)
    with pytest.raises(ValidationError, match="may not"):
        services.apply_credit(credit, order=other, amount="100", actor=world.rep)
    use = services.apply_credit(credit, order=other, amount="100.00", actor=finance)
    credit.refresh_from_db()
    other.refresh_from_db()
    assert credit.remaining == D("126.00") and other.paid_amount == D("100.00") and other.balance == D("13.00")
    assert CreditApplication.objects.get() == use and use.amount == D("100.00")
    assert OrderEvent.objects.filter(order=other, code="credit.applied").count() == 1
    assert OrderEvent.objects.filter(order=credit.order, code="credit.applied_from").count() == 1
    with pytest.raises(ValidationError, match="126.00 left"):
        services.apply_credit(credit, order=other, amount="130", actor=finance)
    assert all(not problems for _name, problems in integrity.checks())


def test_another_customers_order_cannot_take_the_credit(world, credit, finance):
    from tests.factories.crm import CustomerFactory

    stranger = world.order(customer=CustomerFactory(owner=world.rep, credit_limit=D("100000")))
    stranger = services.submit_order(stranger, actor=world.rep)
    with pytest.raises(ValidationError, match="another customer"):
        services.apply_credit(credit, order=stranger, amount="10", actor=finance)


def test_refund_finance_requests_the_general_manager_approves(world, credit, finance, make_user):
    gm, gm2 = make_user("general_manager"), make_user("general_manager")
    refund = services.request_refund(credit, amount="200.00", method="bank", reference="退款-01", actor=finance)
    credit.refresh_from_db()
    assert refund.status == "requested" and credit.remaining == D("26.00")  # held at once
    with pytest.raises(ValidationError, match="26.00 left"):
        services.request_refund(credit, amount="30", actor=finance)
    with pytest.raises(ValidationError, match="general manager"):
        services.approve_refund(refund, actor=finance)
    refund = services.approve_refund(refund, actor=gm)
    assert (refund.status, refund.decided_by) == ("paid", gm) and refund.decided_at
    with pytest.raises(ValidationError, match="already"):
        services.reject_refund(refund, actor=gm2)
    assert OrderEvent.objects.filter(order=credit.order, code="refund.paid").count() == 1

    # a general manager's own request needs another general manager
    own = services.request_refund(credit, amount="26", actor=gm)
    with pytest.raises(ValidationError, match="they requested"):
        services.approve_refund(own, actor=gm)
    services.reject_refund(own, actor=gm2, note="客户要抵货款")
    credit.refresh_from_db()
    assert credit.remaining == D("26.00") and Refund.objects.get(pk=own.pk).status == "rejected"
    assert all(not problems for _name, problems in integrity.checks())
    CustomerCredit.objects.filter(pk=credit.pk).update(remaining=D("27.00"))
    assert any(problems for _name, problems in integrity.checks())


def test_return_after_payment_leaves_credit_not_a_negative_balance(world, manager, finance):
    order = _approved(world)
    line = order.lines.get()
    services.ship_order(order, quantities={line.pk: "100"}, actor=manager)
    services.deliver_order(order, actor=manager)
    _pay(order, finance, D("226.00"))
    services.create_return(order, quantities={line.pk: "10"}, actor=manager, reason="破损")
    order.refresh_from_db()
    assert order.credited_amount == D("22.60") and order.balance == 0 and order.status == "paid"
    credit = CustomerCredit.objects.get()
    assert credit.amount == D("22.60")
    # timeline rows are codes and parameters, put into words in the reader's language
    ret_event = OrderEvent.objects.get(order=order, code="return.recorded")
    assert ret_event.note == "破损" and ret_event.params["amount"] == "22.60"
    with translation.override("zh-hans"):
        assert ret_event.text.startswith("退货") and "破损" in ret_event.text
        assert "客户余款" in OrderEvent.objects.get(order=order, code="credit.created").text
    with translation.override("en"):
        assert ret_event.text.startswith("Return ")


def test_credit_pages_statement_and_receivables(world, credit, client_as, make_user):
    fin = client_as("finance_clerk")
    page = fin.get(reverse("orders:credit_list")).content.decode()
    assert credit.number in page and f'data-testid="apply-{credit.number}"' in page
    r = fin.post(reverse("orders:refund_request", args=[credit.pk]),
                 {"amount": "100.00", "method": "bank", "reference": "R-1", "note": "", "_once": "t1"})
    assert r.status_code == 302
    refund = Refund.objects.get()
    page = fin.get(reverse("orders:credit_list")).content.decode()
    assert f'data-testid="why-not-{refund.number}"' in page and "The general manager approves refunds." in page

    gm = client_as("general_manager")
    gm.post(reverse("orders:refund_decide", args=[refund.pk, "approve"]))
    refund.refresh_from_db()
    assert refund.status == "paid" and refund.decided_by == gm.user

    statement = fin.get(reverse("orders:statement", args=[world.customer.pk])).content.decode()
    assert credit.number in statement and refund.number in statement and "¥126.00" in statement
    assert fin.get(reverse("orders:statement_pdf", args=[world.customer.pk])).content.startswith(b"%PDF")
    receivables = fin.get(reverse("orders:receivables")).content.decode()
    assert 'data-testid="receivable-credits"' in receivables and "¥126.00" in receivables


def test_cancel_a_prepaid_order_from_the_order_page(world, finance, client_as):
    order = _approved(world)
    _pay(order, finance, D("226.00"))
    mgr = client_as("sales_manager")
    page = mgr.get(reverse("orders:order", args=[order.pk])).content.decode()
    assert 'data-testid="cancel-credit-note"' in page
    mgr.post(reverse("orders:order_transition", args=[order.pk]), {"to": "cancelled", "note": "客户取消"})
    order.refresh_from_db()
    assert order.status == "cancelled" and CustomerCredit.objects.filter(order=order, amount=D("226.00")).exists()
    page = mgr.get(reverse("orders:order", args=[order.pk])).content.decode()
    assert 'data-testid="credit-made"' in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_one_credit_cannot_be_spent_twice_at_once(make_user):
    import threading

    from django.db import close_old_connections

    from hardware_erp.core.management.commands.sync_roles import sync_roles
    from tests.factories.orders import make_world

    sync_roles()  # an earlier transactional test may have flushed the groups
    row = ReviewSettings.current()
    row.check_credit = row.check_stock = False
    row.min_margin_percent, row.max_discount_percent = D("0"), D("100")
    row.save()
    world = make_world(make_user)
    finance = make_user("finance_clerk")
    paid = _approved(world)
    _pay(paid, finance, D("226.00"))
    services.cancel_order(paid, actor=world.rep, reason="取消")
    credit = CustomerCredit.objects.get()
    targets = [_approved(world), _approved(world)]  # 226.00 each
    clerks = [finance, make_user("finance_clerk")]
    barrier = threading.Barrier(2)
    outcome = []

    def spend(i):
        try:
            barrier.wait()
            services.apply_credit(credit, order=targets[i], amount="150.00", actor=clerks[i])
            outcome.append("ok")
        except Exception as exc:  # noqa: BLE001
            outcome.append(str(exc))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=spend, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcome.count("ok") == 1 and any("76.00 left" in o for o in outcome), outcome
    credit.refresh_from_db()
    assert credit.remaining == D("76.00") and CreditApplication.objects.count() == 1
