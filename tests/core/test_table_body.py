"""Issue 19: the rows of every list page, written by the kernel's compiled cells (`core/table_body.py`, through the
list pages' table template `generic/_table.html`), are the rows django-tables2's own template writes: the same
cells, links, labels, numbers, dates, classes and attributes, for every list page, as several roles, in English and
in Chinese, on the first page, a later page and sorted by another column."""

import re
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test.html import parse_html
from django.urls import reverse

from hardware_erp.core.views import ERPListView
from tests.perf import querycount

pytestmark = pytest.mark.django_db

OLD = settings.DJANGO_TABLES2_TEMPLATE
NEW = ERPListView.table_template
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*"')  # masked anew at every request


@pytest.fixture
def demo(settings):
    settings.SLOW_REQUEST_MS = 10**9
    call_command("seed_demo", verbosity=0)


def table_html(response):
    html = TOKEN.sub(r'\1"', response.content.decode())
    found = re.findall(r"<table\b.*?</table>", html, re.S)
    return found[0] if found else None


def both_ways(client, url):
    """(django-tables2's table, the compiled cells' table) of one page: None when the page lists no row (its empty
    state) or its table keeps a template of its own."""
    with mock.patch.object(ERPListView, "table_template", None):
        old = client.get(url)
    new = client.get(url)
    assert old.status_code == new.status_code == 200, (url, old.status_code, new.status_code)
    old_html, new_html = table_html(old), table_html(new)
    if old_html is None or new_html is None or new.context["table"].template_name != NEW:
        assert (old_html is None) == (new_html is None), url  # both show the empty state, or neither
        return None, None
    assert OLD in [t.name for t in old.templates] and NEW not in [t.name for t in old.templates], url
    assert NEW in [t.name for t in new.templates], url
    return old_html, new_html


def variants(client, url, more):
    """The page, and with `more` its page 2 and the page sorted by its second sortable column."""
    first = client.get(url)
    out = [url]
    if not more or first.status_code != 200 or "table" not in (first.context or {}):
        return out
    table = first.context["table"]
    if getattr(table, "page", None) and table.paginator.num_pages > 1:
        out.append(f"{url}?page=2")
    sortable = [c.name for c in table.columns if c.orderable]
    if len(sortable) > 1:
        out.append(f"{url}?sort=-{sortable[1]}")
    return out


def compare_every_list(client, *, more=True):
    """(pages compared with rows, pages forbidden, differences)."""
    compared, forbidden, differences = 0, 0, []
    for name, _view in querycount.list_pages():
        url = reverse(name)
        if client.get(url).status_code == 403:
            forbidden += 1
            continue
        for variant in variants(client, url, more):
            old, new = both_ways(client, variant)
            if old is None:
                continue
            if parse_html(old) != parse_html(new):
                differences.append((variant, old, new))
            else:
                compared += 1
    return compared, forbidden, differences


def test_every_list_page_renders_the_same_rows_as_django_tables2(demo, client):
    """As a superuser (every list; first page, page 2, another sort), then as roles that see other rows and
    columns (a rep's own customers and orders, a clerk's stock, finance's payments, a sales manager's team)."""
    users = get_user_model().objects
    querycount.sign_in(client, users.create_superuser("tables", password=None))
    compared, _forbidden, differences = compare_every_list(client)
    assert not differences, "\n\n".join(f"{url}\n--- django-tables2\n{old}\n--- compiled\n{new}"
                                        for url, old, new in differences[:3])
    assert compared >= 60, compared
    for username in ("rep1", "salesmgr", "clerk", "finance"):
        querycount.sign_in(client, users.get(username=username))
        compared, forbidden, differences = compare_every_list(client, more=False)
        assert not differences, "\n\n".join(f"{username} {url}\n--- django-tables2\n{old}\n--- compiled\n{new}"
                                            for url, old, new in differences[:3])
        assert compared >= 3 and forbidden, (username, compared, forbidden)


def test_the_chinese_pages_render_the_same_rows(demo, client):
    user = get_user_model().objects.create_superuser("tables_zh", password=None)
    querycount.sign_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(reverse("crm:customer_list"))
    assert "客户" in response.content.decode()
    compared, _forbidden, differences = compare_every_list(client, more=False)
    assert not differences, "\n\n".join(f"{url}\n--- django-tables2\n{old}\n--- compiled\n{new}"
                                        for url, old, new in differences[:3])
    assert compared >= 30, compared


@pytest.mark.parametrize("sort", ["", "-last_order_date", "owner", "-region", "credit_limit"])
def test_a_deep_page_read_by_its_ids_shows_the_rows_of_the_plain_page(client_as, monkeypatch, sort):
    """Past `DEFERRED_JOIN_FROM` rows the paginator reads the page's ids first, then those rows: the same rows in
    the same order as the plain OFFSET, in the same number of queries plus the one for the ids."""
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hardware_erp.core import pagination
    from tests.factories import UserFactory
    from tests.factories.crm import CustomerFactory

    owners = [UserFactory(username=f"owner{i}") for i in range(3)]
    for i in range(23):
        CustomerFactory(name=f"客户{i % 7}", owner=owners[i % 3], province=["浙江省", "江苏省", ""][i % 3],
                        city=f"市{i % 4}", credit_limit=i * 100,
                        last_order_date=datetime.date(2026, 1, 1 + i % 6) if i % 4 else None)
    client = client_as("general_manager")
    url = f"/crm/customers/?per_page=5&page=3{'&sort=' + sort if sort else ''}"

    def rows():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return [r.record.pk for r in response.context["table"].page.object_list], table_html(response), \
            len(queries.captured_queries)

    monkeypatch.setattr(pagination, "DEFERRED_JOIN_FROM", 10**6)
    rows()  # warm: the session's and the caches' first queries
    plain, plain_html, plain_queries = rows()
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_FROM", 5)
    deferred, deferred_html, deferred_queries = rows()
    assert len(plain) == 5 and deferred == plain
    assert parse_html(deferred_html) == parse_html(plain_html)
    assert deferred_queries == plain_queries + 1
