"""The CRM customer list filters by last order date, which the orders app keeps on each customer."""

import datetime

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
