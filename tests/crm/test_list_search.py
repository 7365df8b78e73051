"""Issue 19: the customer list searched is read lookup by lookup (`crm.list_search`, `core.pagination.AnyOf`: each
lookup's first rows in the list's order, merged; counted from each lookup's first rows). Every page gives the rows of
the plain `search_q` filter in the list's order, for broad and rare terms, names, pinyin, phones and contacts, with
another filter, other sorts and a rep's scope; on SQLite the list runs the UNION as before."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import F

from crm import list_search, selectors
from crm.models import Customer
from hardware_erp.core import pagination
from tests.factories import UserFactory
from tests.factories.crm import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

PER_PAGE = 4
ORDERS = {  # the list's sort parameter -> the order CustomerTable gives the queryset
    "": ("name", "pk"),
    "-credit_limit": ("-credit_limit", "-name", "-pk"),
    "-last_order_date": (F("last_order_date").desc(nulls_last=True), "name", "pk"),
    "owner": ("owner__username", "name", "pk"),
    "region": ("province", "city", "district", "name", "pk"),
}
TERMS = ("五金", "宏达", "张三五金", "wj", "张三", "13700001111")


@pytest.fixture
def customers(monkeypatch):
    """41 customers: most hold 五金 (broad), a few 宏达 (rare), names shared, four owners, two provinces, levels,
    credit limits and last orders (some never); contacts named 张三 and one with a mobile."""
    # past the exact count, the list says "about N" from the planner's estimate: here more than every row, so that
    # each page of the plain search can be asked for
    monkeypatch.setattr(pagination, "planner_estimate", lambda queryset: 10_000)
    owners = [UserFactory(username=name) for name in ("zhou", "an", "meng", "bai")]
    names = ["宏达五金", "五金店", "金鑫五金", "宏达建材", "张三五金行", "永盛五金", "华联建材"]
    made = []
    for i in range(41):
        made.append(CustomerFactory(
            name=names[i % len(names)] if i % 5 else f"{names[i % len(names)]}{i}", owner=owners[i % 4],
            province=["浙江省", "江苏省"][i % 2], city=["杭州市", "南京市", "温州市"][i % 3], level="bc"[i % 3 == 0],
            credit_limit=(i % 4) * 1000,
            last_order_date=None if i % 6 == 1 else datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 9)))
    for i in (3, 8, 22, 30):
        ContactFactory(customer=made[i], name="张三", mobile=f"+861370000{i:04d}")
    ContactFactory(customer=made[17], name="李四", mobile="+8613700001111")
    return owners


def plain_pages(user, q, sort, filters):
    rows = Customer.objects.for_user(user).filter(selectors.search_q(q)).filter(**filters)
    ids = list(rows.order_by(*ORDERS[sort]).values_list("pk", flat=True))
    return [ids[i:i + PER_PAGE] for i in range(0, len(ids), PER_PAGE)] or [[]]


def check_pages(client, user, extra=None):
    filters = extra or {}
    query = "".join(f"&{k}={v}" for k, v in filters.items())
    for q in TERMS:
        for sort in ORDERS:
            expected = plain_pages(user, q, sort, filters)
            total = sum(len(page) for page in expected)
            for number, rows in enumerate(expected, 1):
                response = client.get(f"/crm/customers/?per_page={PER_PAGE}&q={q}&sort={sort}&page={number}{query}")
                assert response.status_code == 200
                table = response.context["table"]
                assert [row.record.pk for row in table.page.object_list] == rows, (q, sort, number, filters)
                # PostgreSQL reads the search lookup by lookup; SQLite the UNION
                assert (table.paginator.split is not None) == (connection.vendor == "postgresql")
                if table.paginator.estimated:
                    assert total > min(settings.LIST_PARTS_EXACT_COUNT_MAX, settings.LIST_EXACT_COUNT_MAX)
                else:
                    assert table.paginator.count == total, (q, sort, filters)
    return True


@pytest.mark.parametrize("exact_max, list_max", [(1000, 10_000), (3, 10_000), (1000, 3)])
def test_the_searched_list_gives_the_plain_searchs_pages(customers, client_as, settings, exact_max, list_max):
    """With every lookup's rows read by the count (1000), and with lookups that have more than 3 rows read page by
    page (their first `offset + per page`) beside those that have fewer; the list's own exact count (3) bounds the
    lookups' as well."""
    settings.LIST_PARTS_EXACT_COUNT_MAX = exact_max
    settings.LIST_EXACT_COUNT_MAX = list_max
    client = client_as("general_manager")
    user = client.user
    assert Customer.objects.filter(selectors.search_q("五金")).count() > 20  # a broad term
    assert Customer.objects.filter(selectors.search_q("张三")).count() > 0
    assert Customer.objects.filter(selectors.search_q("13700001111")).count() == 1
    assert check_pages(client, user)
    assert check_pages(client, user, {"province": "江苏省", "level": "b"})


def test_a_rep_sees_the_plain_searchs_pages_of_own_and_shared_customers(customers, client_as, make_user, settings):
    settings.LIST_PARTS_EXACT_COUNT_MAX = 3
    rep = make_user("sales_rep", username="rep_search")
    mine = Customer.objects.order_by("pk")
    Customer.objects.filter(pk__in=list(mine.values_list("pk", flat=True)[:15])).update(owner=rep)
    for customer in mine.exclude(owner=rep)[:6]:
        customer.shared_with.add(rep)
    client = client_as(user=rep)
    assert Customer.objects.for_user(rep).count() == 21
    assert check_pages(client, rep)


def test_a_common_piece_is_tested_by_strpos_alone(customers, client_as, settings, monkeypatch):
    """A piece in many names (by the gram index's statistics) is tested by `strpos` alone: the same rows."""
    settings.LIST_PARTS_EXACT_COUNT_MAX = 3
    monkeypatch.setattr(list_search, "piece_shares", lambda index: ({"五金": 0.5, "宏达": 0.001}, 0.001))
    if connection.vendor == "postgresql":
        (condition, params), _contact = list_search._parts("五金")
        assert "strpos" in condition and "crm_grams" not in condition and params == ["五金"]
        (condition, params), _contact = list_search._parts("宏达")
        assert "strpos" in condition and "crm_grams" in condition and params == ["宏达", "宏达"]
    client = client_as("general_manager")
    assert check_pages(client, client.user)


def test_a_sort_that_is_not_total_runs_the_union(customers, client_as):
    """Sorted by level alone (ties in any order), the list is not read lookup by lookup."""
    client = client_as("general_manager")
    response = client.get("/crm/customers/?q=五金&sort=level")
    assert response.status_code == 200
    assert response.context["table"].paginator.split is None
    assert response.context["table"].paginator.count == Customer.objects.filter(selectors.search_q("五金")).count()
