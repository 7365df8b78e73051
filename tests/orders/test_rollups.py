"""Issue 19, item 2: the daily and monthly sales rollups, kept after commit of every order event, give every chart
of the order analytics, the headline and the CRM revenue figures exactly what the orders and their lines give, on random
histories played through the services (orders entered on random dates, approved, shipped in parts, returned,
cancelled, by two reps for three customers)."""

import datetime
import random
from decimal import Decimal as D

import pytest
from django.test import RequestFactory
from django.utils import timezone

from orders import rollups, selectors, services
from orders.models import CustomerSalesMonth, ProductSalesDay, ProductSalesMonth, SalesDay, SalesMonth, SalesOrder
from orders.views.analytics import AnalyticsView
from tests.factories.crm import CustomerFactory
from tests.factories.orders import make_world

pytestmark = pytest.mark.django_db


def page(user, src, grain, rank, period=None):
    view = AnalyticsView()
    view.request = RequestFactory().get("/")
    view.request.user, view.request.LANGUAGE_CODE = user, "en"
    start, end = period or selectors.default_period()
    data = view.datasets(start, end, grain, rank, src=src)
    head = selectors.headline(user, start, end, src=src)
    head = {k: (round(v, 2) if isinstance(v, D) else v) for k, v in head.items()
            if k not in ("approval_to_shipment", "shipment_to_delivery")}  # compared in hours, as shown
    return data, head, selectors.crm_sales_figures(user, start, end, src=src), \
        selectors.sales_by_rep_month(user, start, end, src=src)


def assert_pages_equal(users, periods=(None,)):
    for user in users:
        for period in periods:
            for grain, rank in (("month", "revenue"), ("week", "qty"), ("day", "margin")):
                assert page(user, selectors.ROLLUP, grain, rank, period) == \
                    page(user, selectors.RAW, grain, rank, period), (user.username, grain, rank, period)


def cut_periods(today):
    """Periods that cut months (the monthly rows cannot answer them when a sale lies in the cut part) besides the
    default one (whole months up to tomorrow)."""
    return (None, (today - datetime.timedelta(days=75), today - datetime.timedelta(days=10)),
            (today.replace(day=1) - datetime.timedelta(days=120), today.replace(day=1)))


def rows():
    return (sorted(SalesDay.objects.values_list("day", "customer_id", "salesperson_id", "warehouse_id", "n_orders",
                                                "net", "cost", "approval_to_shipment_n")),
            sorted(ProductSalesDay.objects.values_list("day", "product_id", "customer_id", "n_lines", "n_orders",
                                                       "quantity", "net", "cost")),
            sorted(SalesMonth.objects.values_list("month", "salesperson_id", "n_orders", "net", "cost",
                                                  "approval_to_shipment", "approval_to_shipment_n",
                                                  "shipment_to_delivery", "shipment_to_delivery_n")),
            sorted(ProductSalesMonth.objects.values_list("month", "product_id", "n_lines", "quantity", "net",
                                                         "cost")),
            sorted(CustomerSalesMonth.objects.values_list("month", "customer_id", "n_orders", "net", "cost",
                                                          "last_day")))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollup_pages_equal_the_raw_lines_on_random_histories(seed, make_user, django_capture_on_commit_callbacks):
    rng = random.Random(seed)
    world = make_world(make_user, stock_qty=(5000, 5000, 5000))
    rep2 = make_user("sales_rep")
    manager, boss = make_user("sales_manager"), make_user("general_manager")
    customers = [world.customer, CustomerFactory(owner=world.rep, credit_limit=D("900000"), province="广东省"),
                 CustomerFactory(owner=rep2, credit_limit=D("900000"), customer_type="contractor")]
    today = timezone.localdate()
    orders = []
    for _ in range(14):
        customer = rng.choice(customers)
        rep = rep2 if customer.owner_id == rep2.pk else world.rep
        lines = [{"product": p, "quantity": D(rng.randint(1, 40))}
                 for p in rng.sample(world.products, rng.randint(1, 3))]
        with django_capture_on_commit_callbacks(execute=True):
            order = world.order(lines, actor=rep, customer=customer)
            # entered on a day of the last months (a draft: no sale yet, nothing in the rollup)
            day = today - datetime.timedelta(days=rng.randint(0, 200))
            SalesOrder.objects.filter(pk=order.pk).update(order_date=day)
            order.refresh_from_db()
            order = services.submit_order(order, actor=rep)
        orders.append(order)
    for order in orders:
        order.refresh_from_db()
        action = rng.choice(["ship_all", "ship_part", "cancel", "return", "keep"])
        with django_capture_on_commit_callbacks(execute=True):
            if action == "cancel" and order.status == "approved":
                services.cancel_order(order, actor=boss, reason="客户取消")
                continue
            if action == "keep" or order.status != "approved":
                continue
            part = action == "ship_part"
            qty = {line.pk: (line.base_quantity / 2).quantize(D("1")) if part else line.base_quantity
                   for line in order.lines.all()}
            services.ship_order(order, quantities=qty, actor=manager)
        if action == "return":
            line = order.lines.order_by("pk").first()
            with django_capture_on_commit_callbacks(execute=True):
                services.create_return(order, quantities={line.pk: D(1)}, actor=boss, reason="损坏")
    assert SalesDay.objects.exists() and ProductSalesDay.objects.exists()
    assert SalesMonth.objects.exists() and ProductSalesMonth.objects.exists() and CustomerSalesMonth.objects.exists()
    assert_pages_equal([boss, world.rep, rep2], cut_periods(today))
    kept = rows()
    rollups.rebuild()  # the command's answer is the one kept incrementally
    assert rows() == kept


def test_a_customer_merge_moves_the_rollup_rows(make_user, django_capture_on_commit_callbacks):
    from crm import services as crm_services

    world = make_world(make_user)
    boss = make_user("general_manager")
    twin = CustomerFactory(owner=world.rep, credit_limit=D("900000"), name="重复的客户")
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_order(world.order(customer=twin), actor=world.rep)
        services.submit_order(world.order(), actor=world.rep)
    assert set(SalesDay.objects.values_list("customer_id", flat=True)) == {twin.pk, world.customer.pk}
    with django_capture_on_commit_callbacks(execute=True):
        crm_services.merge_customers(survivor=world.customer, merged=twin, actor=boss)
    assert list(SalesDay.objects.values_list("customer_id", "n_orders")) == [(world.customer.pk, 2)]
    assert_pages_equal([boss])


def test_the_refresh_is_one_task_per_transaction_and_idempotent(make_user, django_capture_on_commit_callbacks):
    from hardware_erp.core.models import OutboxTask

    world = make_world(make_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order = services.submit_order(world.order(), actor=world.rep)  # several events: one task
    task = OutboxTask.objects.get(task=rollups.TASK)
    assert task.args == [[[order.order_date.isoformat(), world.customer.pk]]]
    for callback in callbacks:
        callback()
    before = rows()
    assert before[0] and before[2] and before[3] and before[4]
    assert rollups.refresh([(order.order_date, world.customer.pk)]) == len(before[0]) + len(before[1])
    assert rows() == before


def test_a_period_that_cuts_months_reads_whole_months_monthly_and_the_cut_days_daily(
        make_user, django_capture_on_commit_callbacks):
    """A period from the 15th of one month to the 10th of another: the customer and product charts add the monthly
    rows of the months between to the daily rows of the days taken from the first and last months (sales lie in the
    days left out too), and give what the orders give."""
    world = make_world(make_user, stock_qty=(5000, 5000, 5000))
    boss = make_user("general_manager")
    other = CustomerFactory(owner=world.rep, credit_limit=D("900000"), province="广东省")
    first = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    first = (first.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)  # two months back
    last = (first + datetime.timedelta(days=62)).replace(day=1)  # the current month
    days = [first.replace(day=3), first.replace(day=20), (first + datetime.timedelta(days=40)), last.replace(day=2),
            last.replace(day=9)]
    for i, day in enumerate(days):
        with django_capture_on_commit_callbacks(execute=True):
            order = world.order([{"product": world.products[i % 2], "quantity": D(i + 1)}], actor=world.rep,
                                customer=other if i % 2 else world.customer)
            SalesOrder.objects.filter(pk=order.pk).update(order_date=day)
            order.refresh_from_db()
            services.submit_order(order, actor=world.rep)
    period = (first.replace(day=15), last.replace(day=10))
    parts = selectors._rollup_parts("customers", boss, *period)
    assert [p.model for p in parts] == [CustomerSalesMonth, SalesDay]
    assert [p.model for p in selectors._rollup_parts("lines", boss, *period)] == [ProductSalesMonth, ProductSalesDay]
    assert selectors.customer_charts(boss, *period)["customers"] == \
        selectors.customer_charts(boss, *period, src=selectors.RAW)["customers"] != []
    assert_pages_equal([boss, world.rep], [period, (first.replace(day=4), last.replace(day=3))])
