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
        notify([user], f"Low stock {i}", "/inventory/products/7/", key=f"po-late:{i}", email=False)
    notify([user], "Low stock other", "/inventory/products/8/", key="po-late:99", email=False)
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
    for i in range(6):
        notify([client.user], f"Task {i}", f"/crm/tasks/{i % 2}/", key=f"crm.task:{i}", email=False)
    r = client.get(reverse("core:notification_bell"))
    # the badge counts what the dropdown shows: the 66 stock alerts are one line (a summarised kind, whatever
    # their pages), the 6 tasks two (one kind, two pages): 3, not 72
    assert r.context["unread_count"] == 3 == len(r.context["latest"])
    assert sum(g["unread"] for g in r.context["latest"]) == 72
    alerts = next(g for g in r.context["latest"] if g["kind"] == "stock-alert")
    assert alerts["summary"] and alerts["text"].startswith("66 stock alerts")
    assert alerts["link"] == reverse("inventory:alert_list")
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


def test_stock_alerts_are_one_line_that_opens_the_alert_list_in_the_readers_language(client_as):
    client = client_as("warehouse_clerk")
    user = client.user
    for i in range(12):
        notify([user], f"Low stock {i}", f"/inventory/products/{i}/", key=f"stock-alert:{i}", email=False)
    notify([user], "Late PO", "/inventory/po/1/", key="po-late:1", email=False)
    r = client.get(reverse("core:notifications"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    groups = r.context["groups"]
    assert len(groups) == 2
    alerts = next(g for g in groups if g["kind"] == "stock-alert")
    assert alerts["n"] == 12 and alerts["summary"]
    assert "12 条库存预警" in r.content.decode()
    assert "Low stock 11" in r.content.decode()  # the newest one is shown as the line's detail
    # opening the line marks all twelve read and opens the alerts list, not one product
    r = client.post(reverse("core:notification_read", args=[alerts["notification"].pk]))
    assert r["Location"] == reverse("inventory:alert_list")
    assert list(Notification.objects.filter(recipient=user, read_at__isnull=True).values_list("key", flat=True)) \
        == ["po-late:1"]


def test_a_single_stock_alert_opens_its_product(client_as):
    client = client_as("warehouse_clerk")
    notify([client.user], "Low stock", "/inventory/products/5/", key="stock-alert:1", email=False)
    g = client.get(reverse("core:notifications")).context["groups"][0]
    assert not g["summary"] and g["text"] == "Low stock" and g["link"] == "/inventory/products/5/"
    r = client.post(reverse("core:notification_read", args=[g["notification"].pk]))
    assert r["Location"] == "/inventory/products/5/"
