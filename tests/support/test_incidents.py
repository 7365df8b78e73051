"""Incidents: the banner on every page appears and clears, notices to affected departments, the timeline,
a second resolution is refused, drafts wait for IT; maintenance windows are announced in advance."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.models import Notification
from support import services
from support.models import Incident, IncidentUpdate, System
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def it(make_user):
    return make_user("it_admin", username="it_i")


def banners_of(client, url=None):
    r = client.get(url or reverse("core:home"))
    assert r.status_code == 200
    return r.context["system_banners"]


def test_banner_appears_on_every_page_for_every_user_and_clears(client_as, it, django_capture_on_commit_callbacks):
    client = client_as("warehouse_clerk")
    assert banners_of(client) == []
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.declare_incident(title="ERP database down", severity="critical", actor=it,
                                             estimated_recovery_at=timezone.now() + timedelta(hours=2))
    for url in (reverse("core:home"), reverse("support:ticket_list"), reverse("core:notifications")):
        shown = banners_of(client, url)
        assert [b["text"] for b in shown] == ["ERP database down"] and shown[0]["level"] == "danger"
        assert reverse("support:incident", args=[incident.pk]) in shown[0]["html"]
    with django_capture_on_commit_callbacks(execute=True):
        services.resolve_incident(incident, body="Restarted", actor=it)
    assert banners_of(client) == []


def test_banner_is_cached(client_as, it, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    client = client_as("sales_rep")
    with django_capture_on_commit_callbacks(execute=True):
        services.declare_incident(title="Printer network slow", severity="minor", actor=it)
    banners_of(client)  # fills the cache
    banners_of(client)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        banners_of(client)
    assert not [q for q in ctx.captured_queries if "support_incident" in q["sql"]]


def test_affected_departments_are_told_in_app_and_by_email(make_user, it, django_capture_on_commit_callbacks):
    wh = DepartmentFactory(code="wh-i")
    clerk = make_user("warehouse_clerk", username="clerk_i", email="clerk_i@example.com")
    rep = make_user("sales_rep", username="rep_i")
    clerk.employee.department = wh
    clerk.employee.save()
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.declare_incident(title="Scanners offline", severity="major", actor=it,
                                             departments=[wh])
        services.post_incident_update(incident, body="Access point replaced, testing",
                                      estimated_recovery_at=timezone.now() + timedelta(hours=1), actor=it)
    assert Notification.objects.filter(recipient=clerk).count() == 2
    assert not Notification.objects.filter(recipient=rep).exists()
    assert any("Scanners offline" in m.body for m in mail.outbox) and all(m.to == [clerk.email] for m in mail.outbox)
    incident.refresh_from_db()
    assert incident.estimated_recovery_at is not None
    assert IncidentUpdate.objects.filter(incident=incident).count() == 1


def test_second_resolution_is_refused(it, client_as):
    incident = services.declare_incident(title="Mail down", severity="major", actor=it)
    services.resolve_incident(incident, body="", actor=it)
    with pytest.raises(BusinessRuleError, match="resolved already"):
        services.resolve_incident(incident, body="", actor=it)
    assert IncidentUpdate.objects.filter(incident=incident, is_resolution=True).count() == 1
    client = client_as(user=it)
    r = client.post(reverse("support:incident_resolve", args=[incident.pk]), {"body": "again"}, follow=True)
    assert "resolved already" in r.content.decode()
    with pytest.raises(BusinessRuleError):
        services.post_incident_update(incident, body="late", actor=it)


def test_review_after_resolution(it):
    incident = services.declare_incident(title="VPN down", severity="major", actor=it)
    with pytest.raises(BusinessRuleError):
        services.record_incident_review(incident, cause="x", actions="y", actor=it)
    services.resolve_incident(incident, body="", actor=it)
    services.record_incident_review(incident, cause="Expired certificate", actions="Calendar reminder", actor=it)
    incident.refresh_from_db()
    assert incident.review_cause == "Expired certificate" and incident.reviewed_by == it


def test_draft_waits_for_confirmation(client_as, make_user, it, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = services.declare_incident(title="Check failed: broker", severity="major", actor=None, draft=True,
                                          source_check="broker")
    from django.test import Client

    rep_client = Client()
    rep_client.force_login(make_user("sales_rep", username="rep_d"),
                           backend="django.contrib.auth.backends.ModelBackend")
    assert banners_of(rep_client) == []
    assert rep_client.get(reverse("support:incident", args=[draft.pk])).status_code == 404
    assert not Notification.objects.exists()
    it_client = client_as(user=it)
    with django_capture_on_commit_callbacks(execute=True):
        it_client.post(reverse("support:incident_confirm", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == "open" and draft.declared_by == it
    assert [b["text"] for b in banners_of(rep_client)] == ["Check failed: broker"]


def test_incident_pages(client_as, it):
    system = System.objects.create(code="erp", name="ERP", plan_contacts="黄磊, IT, 138", plan_steps="Restart\nCheck")
    client = client_as(user=it)
    r = client.post(reverse("support:incident_create"), {
        "title": "ERP slow", "severity": "minor", "description": "Pages take 10 s", "systems": [system.pk],
        "started_at": "2026-11-27T09:00", "estimated_recovery_at": "2026-11-27T08:00"})
    assert r.status_code == 200 and "must be after the start" in r.content.decode()
    r = client.post(reverse("support:incident_create"), {
        "title": "ERP slow", "severity": "minor", "description": "Pages take 10 s", "systems": [system.pk],
        "started_at": "2026-11-27T09:00", "estimated_recovery_at": "2026-11-27T11:00"})
    incident = Incident.objects.get()
    assert r.status_code == 302 and list(incident.systems.all()) == [system]
    r = client.get(incident.get_absolute_url())
    assert reverse("support:system", args=[system.pk]) in r.content.decode()
    r = client.get(reverse("support:system", args=[system.pk]))
    assert "黄磊, IT, 138" in r.content.decode()
    rep = client_as("sales_rep")
    assert rep.get(incident.get_absolute_url()).status_code == 200  # the public timeline
    assert rep.get(reverse("support:incident_create")).status_code == 403
    assert rep.get(reverse("support:system", args=[system.pk])).status_code == 403
    assert rep.get(reverse("support:incident_list")).status_code == 200


def test_maintenance_window_is_announced_in_advance(client_as, it, django_capture_on_commit_callbacks):
    now = timezone.now()
    client = client_as("purchaser")
    with django_capture_on_commit_callbacks(execute=True):
        later = services.plan_maintenance(title="Server upgrade", starts_at=now + timedelta(days=5),
                                          ends_at=now + timedelta(days=5, hours=2), actor=it)
        soon = services.plan_maintenance(title="Switch firmware", starts_at=now + timedelta(hours=3),
                                         ends_at=now + timedelta(hours=4), actor=it)
    shown = banners_of(client)
    assert [b["text"] for b in shown] == ["Switch firmware"] and shown[0]["level"] == "info"
    assert later.announce_from == later.starts_at - timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_maintenance(soon, actor=it)
    assert banners_of(client) == []
    with pytest.raises(BusinessRuleError):
        services.plan_maintenance(title="x", starts_at=now, ends_at=now - timedelta(hours=1), actor=it)


def test_incident_list_query_count(client_as, it, django_assert_max_num_queries):
    for n in range(30):
        services.declare_incident(title=f"Incident {n}", severity="minor", actor=it)
    client = client_as(user=it)
    with django_assert_max_num_queries(20):
        r = client.get(reverse("support:incident_list"))
    assert len(r.context["table"].page.object_list) == 25
