"""Notifications do not pile up: repeats of one kind and page collapse into one line; all can be marked read."""

import pytest
from django.urls import reverse

from hardware_erp.core.models import Notification
from hardware_erp.core.services import notify

pytestmark = pytest.mark.django_db


def test_repeats_collapse_with_their_number_and_a_group_is_read_at_once(client_as):
    client = client_as("warehouse_clerk")
    user = client.user
    for i in range(5):
        notify([user], f"Low stock {i}", "/inventory/products/7/", key=f"stock-alert:{i}", email=False)
    notify([user], "Low stock other", "/inventory/products/8/", key="stock-alert:99", email=False)
    notify([user], "Plain", "", email=False)
    r = client.get(reverse("core:notifications"))
    groups = r.context["groups"]
    assert [g["n"] for g in groups] == [1, 1, 5]
    assert groups[2]["notification"].message == "Low stock 4"  # the newest of the group
    assert "&times;5" in r.content.decode()
    # opening the group marks all five read, not the other product's
    r = client.post(reverse("core:notification_read", args=[groups[2]["notification"].pk]))
    assert r["Location"] == "/inventory/products/7/"
    assert Notification.objects.filter(recipient=user, read_at__isnull=True).count() == 2


def test_bell_groups_and_marks_all_read(client_as):
    client = client_as("warehouse_clerk")
    for i in range(66):
        notify([client.user], f"Low stock {i}", f"/inventory/products/{i % 3}/", key=f"stock-alert:{i}",
               email=False)
    r = client.get(reverse("core:notification_bell"))
    # the badge counts what the dropdown shows: 3 groups (66 rows, one kind, 3 pages), not 66
    assert r.context["unread_count"] == 3 == len(r.context["latest"])
    assert sum(g["unread"] for g in r.context["latest"]) == 66
    page = client.get(reverse("core:home")).content.decode()
    assert '>3</span>' in page.split('data-testid="unread-count"', 1)[1][:20]
    assert 'data-testid="bell-mark-all"' in r.content.decode()
    r = client.post(reverse("core:notifications_read_all"), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and r.context["unread_count"] == 0
    assert not Notification.objects.filter(recipient=client.user, read_at__isnull=True).exists()


def test_notification_list_query_count_does_not_grow(client_as, django_assert_max_num_queries):
    client = client_as("warehouse_clerk")
    for i in range(40):
        notify([client.user], f"n {i}", f"/x/{i}/", key=f"k{i % 7}:{i}", email=False)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("core:notifications")).status_code == 200
