"""Issue 10, item 7 and issue 19: every list page, its synchronous CSV export, every report and the detail pages
answer with the same number of SQL queries at few rows as at many more (a list: 10 and 80 rows, more than a page;
an export: a third of them and all; a detail page: the rows under it and three times as many). A page whose count
grows runs a query per row. Counted as a superuser, and as a sales rep on what the rep may see."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from . import querycount

pytestmark = pytest.mark.django_db
MANY = 80  # more than a page (25)


@pytest.fixture
def demo(settings):
    settings.SLOW_REQUEST_MS = 10**9  # a slow render must not add the slow-request log's own query
    call_command("seed_demo", verbosity=0)


def signed_in(client, user):
    querycount.sign_in(client, user)
    return client


def growth(client, user, *, reports):
    """(pages whose count grows, list pages without a row to copy, pages counted)."""
    growing, empty, counted = [], [], 0
    for name, view in querycount.list_pages():
        result = querycount.list_page_counts(client, user, name, view, MANY)
        if result is None:
            empty.append(name)
            continue
        if result.get("forbidden"):
            continue
        counted += 1
        assert result["shown_few"] == querycount.FEW and result["shown_many"] > result["shown_few"], (name, result)
        if result["few"] != result["many"]:
            growing.append(f"{name}: {result['few']} queries at {result['shown_few']} rows, {result['many']} at "
                           f"{result['shown_many']}")
        if result.get("export_few") != result.get("export_many"):
            growing.append(f"{name} export: {result['export_few']} queries at {result['export_rows'][0]} rows, "
                           f"{result['export_many']} at {result['export_rows'][1]}")
    for name, (label, where) in querycount.DETAILS.items():
        result = querycount.detail_counts(client, user, name, label, where)
        if result is None:
            continue
        before, after, added = result
        counted += 1
        if before != after:
            growing.append(f"{name}: {before} queries, {after} after {added}")
    if reports:
        for name, labels in querycount.REPORTS.items():
            before, after, added = querycount.report_counts(client, name, labels, MANY)
            assert added, name
            counted += 1
            if before != after:
                growing.append(f"{name}: {before} queries, {after} after {added} more rows")
    return growing, empty, counted


def test_list_pages_exports_details_and_reports_do_not_grow_with_rows(demo, client):
    user = get_user_model().objects.create_superuser("querycount", password=None)
    pages = querycount.list_pages()
    assert len(pages) >= 30  # every module's lists are found
    growing, empty, counted = growth(signed_in(client, user), user, reports=True)
    assert not growing, growing
    assert not empty, f"no demo rows to copy for {empty}"
    assert counted >= len(pages) + len(querycount.DETAILS) + len(querycount.REPORTS) - 1


def test_a_sales_rep_sees_counts_that_do_not_grow(demo, client):
    """The narrowest scope (own customers, orders, opportunities); `python -m bench querycounts` adds a general
    manager and a sales manager."""
    user = get_user_model().objects.get(username="rep1")
    growing, _empty, counted = growth(signed_in(client, user), user, reports=False)
    assert counted >= 5, counted  # their customers, orders, opportunities … and the detail pages
    assert not growing, growing
