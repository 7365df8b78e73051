"""Issue 19: the customer list sorted by owner is paged owner by owner (`core.pagination.grouped_page_ids`: the owners
in user-name order, each one's first customers from the `(owner_id, name, id)` index, merged in one query): the
same rows in the same order as the plain `ORDER BY owner's user name, name, id`, on every page, both ways, filtered,
and for a rep who sees their own customers and those shared with them (of other owners)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Customer
from hardware_erp.core import pagination
from tests.factories import UserFactory
from tests.factories.crm import CustomerFactory

pytestmark = pytest.mark.django_db

PER_PAGE = 4


@pytest.fixture
def customers(monkeypatch):
    """31 customers of four owners whose user names sort unlike their ids, some without an owner, names shared
    between owners and within one."""
    monkeypatch.setattr(pagination, "GROUPED_FROM", 0)  # a list this short would be sorted whole
    owners = [UserFactory(username=name) for name in ("zhou", "an", "meng", "bai")]
    for i in range(31):
        CustomerFactory(name=f"客户{i % 6}", owner=None if i % 7 == 3 else owners[i % 4],
                        province=["浙江省", "江苏省"][i % 2], credit_limit=(i % 5) * 1000)
    return owners


def page_ids(client, query):
    """The customer ids of a list page, and whether it was read owner by owner (a UNION of the owners' rows)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/crm/customers/?per_page={PER_PAGE}&{query}")
    assert response.status_code == 200
    grouped = any("UNION ALL" in q["sql"] for q in queries.captured_queries)
    return [row.record.pk for row in response.context["table"].page.object_list], grouped


def plain_pages(queryset, sign):
    ids = list(queryset.order_by(f"{sign}owner__username", f"{sign}name", f"{sign}pk").values_list("pk", flat=True))
    return [ids[i:i + PER_PAGE] for i in range(0, len(ids), PER_PAGE)]


def check_every_page(client, queryset, extra=""):
    for sign in ("", "-"):
        expected = plain_pages(queryset, sign)
        assert len(expected) > 2
        for number, rows in enumerate(expected, 1):
            got, grouped = page_ids(client, f"sort={sign}owner&page={number}{extra}")
            assert got == rows, (sign, number, extra)
            assert grouped == (connection.vendor == "postgresql")  # SQLite cannot slice inside a UNION: plain


def test_the_owner_sort_pages_owner_by_owner_as_the_plain_order(customers, client_as):
    client = client_as("general_manager")
    check_every_page(client, Customer.objects.active())
    check_every_page(client, Customer.objects.active().filter(province="江苏省"), "&province=江苏省")


def test_a_rep_sees_the_same_pages_of_own_and_shared_customers(customers, client_as, make_user):
    rep = make_user("sales_rep", username="rep_sorts")
    mine = Customer.objects.filter(owner__isnull=False).order_by("pk")
    Customer.objects.filter(pk__in=list(mine.values_list("pk", flat=True)[:9])).update(owner=rep)
    for customer in mine.exclude(owner=rep)[:5]:
        customer.shared_with.add(rep)
    client = client_as(user=rep)
    visible = Customer.objects.for_user(rep)
    assert visible.count() == 14 and visible.values("owner").distinct().count() > 2
    check_every_page(client, visible)


def test_other_sorts_and_short_lists_are_not_paged_by_owner(customers, client_as, monkeypatch):
    client = client_as("general_manager")
    _ids, grouped = page_ids(client, "sort=name&page=2")
    assert not grouped
    monkeypatch.setattr(pagination, "GROUPED_FROM", 10**6)
    ids, grouped = page_ids(client, "sort=owner&page=2")
    assert not grouped and ids == plain_pages(Customer.objects.active(), "")[1]
