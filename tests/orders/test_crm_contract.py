"""What the orders app gives the CRM: the last order date on each customer (list filter) and the revenue
columns of the sales analytics."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from crm import services as crm_services
from crm.models import Customer
from orders import services
from orders.models import SalesOrder
from tests.factories.crm import CustomerFactory

pytestmark = pytest.mark.django_db


def last_order(customer):
    return Customer.objects.get(pk=customer.pk).last_order_date


def test_approval_sets_and_cancel_resets_the_last_order_date(world, manager):
    today = timezone.localdate()
    draft = world.order()
    assert last_order(world.customer) is None  # a draft is no sale
    first = services.submit_order(draft, actor=world.rep)  # approved at once: every rule passes
    assert first.status == "approved" and last_order(world.customer) == today
    # an older approved order does not move the date back
    older = services.submit_order(world.order(), actor=world.rep)
    SalesOrder.objects.filter(pk=older.pk).update(order_date=today - datetime.timedelta(days=40))
    services.cancel_order(first, actor=world.rep, reason="客户取消")
    assert last_order(world.customer) == today - datetime.timedelta(days=40)
    services.cancel_order(older, actor=world.rep, reason="客户取消")
    assert last_order(world.customer) is None
    # a quotation never counts
    quote = world.order(kind="quotation")
    services.transition(quote, "cancelled", actor=world.rep, note="")
    assert last_order(world.customer) is None


def test_merge_moves_the_last_order_date_to_the_survivor(world, manager):
    other = CustomerFactory(owner=world.rep, name=world.customer.name + "（分店）", credit_limit=100000)
    services.submit_order(world.order(customer=other), actor=world.rep)
    assert last_order(other) == timezone.localdate() and last_order(world.customer) is None
    crm_services.merge_customers(survivor=world.customer, merged=other, actor=manager)
    assert last_order(world.customer) == timezone.localdate()
    assert last_order(other) is None  # its orders left with the merge


def test_customer_list_filters_by_last_order(world, client_as, django_assert_max_num_queries):
    client = client_as("sales_manager")
    today = timezone.localdate()
    recent = CustomerFactory(owner=world.rep, name="近期五金")
    lapsed = CustomerFactory(owner=world.rep, name="久未下单五金")
    never = CustomerFactory(owner=world.rep, name="从未下单五金")
    crm_services.set_last_order_dates(today - datetime.timedelta(days=3), customer_ids=[recent.pk])
    crm_services.set_last_order_dates(today - datetime.timedelta(days=200), customer_ids=[lapsed.pk])
    url = reverse("crm:customer_list")

    def names(**params):
        return {c.name for c in client.get(url, params).context["table"].data}

    assert names(last_order="30") == {"近期五金"}
    assert names(last_order="stale90") == names(last_order="stale180") == {"久未下单五金"}
    assert never.name in names(last_order="never") and recent.name not in names(last_order="never")
    assert names(ordered_from=str(today - datetime.timedelta(days=250)),
                 ordered_to=str(today - datetime.timedelta(days=100))) == {"久未下单五金"}
    r = client.get(url, {"ordered_from": "not a date"})
    assert r.status_code == 200 and "Enter a valid date." in r.content.decode()
    # the column shows and sorts; the page's queries do not grow with the customers listed
    r = client.get(url, {"sort": "-last_order_date"})
    assert list(r.context["table"].data)[0] == recent
    assert (today - datetime.timedelta(days=3)).strftime("%Y-%m-%d") in r.content.decode()
    with django_assert_max_num_queries(30) as few:
        client.get(url, {"last_order": "365"})
    for i in range(40):
        c = CustomerFactory(owner=world.rep, name=f"客户{i}")
        crm_services.set_last_order_dates(today - datetime.timedelta(days=i), customer_ids=[c.pk])
    with django_assert_max_num_queries(len(few.captured_queries) + 2):
        r = client.get(url, {"last_order": "365"})
    assert r.context["table"].page.paginator.count == 42  # 40 + the recent and the lapsed one


def test_sales_analytics_show_revenue_from_orders(world, client_as, make_user, django_assert_max_num_queries,
                                                  django_capture_on_commit_callbacks):
    """Revenue per rep, per source and per customer in the CRM reports, read through the orders selectors (from
    the daily sales rollups, refreshed after each service's commit)."""
    from io import BytesIO

    from openpyxl import load_workbook

    p0 = world.products[0]
    other_rep = make_user("sales_rep")
    referral = CustomerFactory(owner=other_rep, source="referral", credit_limit=100000, name="推荐来的五金")
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_order(world.order([{"product": p0, "quantity": "100"}]), actor=world.rep)  # 200.00 net
        services.submit_order(world.order([{"product": p0, "quantity": "50"}]), actor=world.rep)  # 100.00 net
        services.submit_order(world.order([{"product": p0, "quantity": "30"}], customer=referral, actor=other_rep),
                              actor=other_rep)  # 60.00 net
        world.order([{"product": p0, "quantity": "999"}])  # a draft is no revenue
        cancelled = services.submit_order(world.order([{"product": p0, "quantity": "10"}]), actor=world.rep)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_order(cancelled, actor=world.rep, reason="客户取消")
    client = client_as("sales_manager")
    with django_assert_max_num_queries(30):
        r = client.get(reverse("crm:reports"))
    data = r.context["chart_data"]
    reps = {x["user_id"]: x for x in data["reps"]}
    assert (reps[world.rep.pk]["orders"], reps[world.rep.pk]["revenue"]) == (2, D("300.00"))
    assert (reps[other_rep.pk]["orders"], reps[other_rep.pk]["revenue"]) == (1, D("60.00"))
    assert data["reps"][0]["user_id"] == world.rep.pk  # most revenue first
    sources = {x["source"]: x for x in data["sources"]}
    assert (sources["referral"]["revenue"], sources["referral"]["buyers"]) == (D("60.00"), 1)
    assert sources[world.customer.source]["revenue"] == D("300.00")
    customers = data["customers"]
    assert [(c["name"], c["orders"], c["revenue"]) for c in customers] == [
        (world.customer.name, 2, D("300.00")), ("推荐来的五金", 1, D("60.00"))]
    assert customers[1]["owner"] == (other_rep.get_full_name() or other_rep.username)
    assert customers[1]["last_order"] == str(timezone.localdate())
    # the Excel file of each revenue report carries the same numbers
    ws = load_workbook(BytesIO(client.get(reverse("crm:report_export", args=["customers"])).content)).active
    assert [c.value for c in ws[2]] == [world.customer.name, world.rep.get_full_name() or world.rep.username,
                                        world.customer.get_source_display(), 2, 300, str(timezone.localdate())]
    # a period without orders: the revenue columns say 0, the customers report is empty
    r = client.get(reverse("crm:reports"), {"start": "2020-01-01", "end": "2020-01-31"})
    assert r.context["chart_data"]["customers"] == []
    assert 'data-testid="report-customers"' in r.content.decode()
