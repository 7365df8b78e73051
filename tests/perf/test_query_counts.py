"""Issue 10, item 7: every list page and report answers with the same number of SQL queries at 10 rows as at
many more rows (more than a page). A page whose count grows runs a query per row."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from . import querycount

pytestmark = pytest.mark.django_db
MANY = 80  # more than a page (25)


@pytest.fixture
def demo_client(client, settings):
    settings.SLOW_REQUEST_MS = 10**9  # a slow render must not add the slow-request log's own query
    call_command("seed_demo", verbosity=0)
    user = get_user_model().objects.create_superuser("querycount", password=None)
    querycount.sign_in(client, user)
    client.user = user
    return client


def test_list_pages_and_reports_do_not_grow_with_rows(demo_client):
    pages = querycount.list_pages()
    assert len(pages) >= 30  # every module's lists are found
    growing, empty = [], []
    for name, view in pages:
        result = querycount.list_page_counts(demo_client, demo_client.user, name, view, MANY)
        if result is None:
            empty.append(name)
            continue
        few, many, shown_few, shown_many = result
        assert shown_few == querycount.FEW and shown_many > shown_few, (name, shown_few, shown_many)  # a full page
        if few != many:
            growing.append(f"{name}: {few} queries at {shown_few} rows, {many} at {shown_many}")
    for name, labels in querycount.REPORTS.items():
        before, after, added = querycount.report_counts(demo_client, name, labels, MANY)
        assert added, name
        if before != after:
            growing.append(f"{name}: {before} queries, {after} after {added} more rows")
    assert not growing, growing
    assert not empty, f"no demo rows to copy for {empty}"
