"""System status (checks, slow requests, drafts from failing checks), feedback and votes, inspections,
the helpdesk report and the KPI selectors."""

from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.models import Notification
from support import selectors, services, status
from support.models import (
    Checklist,
    ChecklistItem,
    Incident,
    Inspection,
    RequestRecord,
    Suggestion,
    Ticket,
    Vote,
)
from tests.factories.support import TicketFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def it(make_user):
    return make_user("it_admin", username="it_s")


# --- status -------------------------------------------------------------------------------------------

def test_slow_requests_are_recorded_with_path_time_and_user(client_as, settings):
    settings.SLOW_REQUEST_MS = 0
    client = client_as("sales_rep")
    client.get(reverse("support:ticket_list") + "?q=printer")
    rec = RequestRecord.objects.get(kind="slow", path__startswith="/support/tickets/")
    assert rec.path == "/support/tickets/?q=printer" and rec.user == client.user and rec.status_code == 200
    settings.SLOW_REQUEST_MS = 60_000
    client.get(reverse("support:ticket_list"))
    assert RequestRecord.objects.filter(kind="slow").count() == 1


def test_server_errors_are_recorded(client, make_user, monkeypatch):
    from support import views

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(views.TicketListView, "get", boom)
    client.raise_request_exception = False
    client.force_login(make_user("sales_rep"), backend="django.contrib.auth.backends.ModelBackend")
    r = client.get(reverse("support:ticket_list"))
    assert r.status_code == 500
    rec = RequestRecord.objects.get(kind="error")
    assert "kaboom" in rec.detail and rec.status_code == 500


def test_status_page_shows_checks_and_opens_one_draft_per_failing_check(client_as, it):
    client = client_as(user=it)
    r = client.get(reverse("support:status"))
    assert r.status_code == 200
    names = {c["name"] for c in r.context["checks"]}
    assert {"database", "cache", "broker", "worker", "queue", "disk", "backup", "errors"} <= names
    checks = {c["name"]: c for c in r.context["checks"]}
    assert checks["database"]["ok"] and checks["disk"]["ok"]
    assert not checks["worker"]["ok"]  # no worker heartbeat in tests
    draft = Incident.objects.get(source_check="worker")
    assert draft.status == "draft"
    client.get(reverse("support:status"))
    assert Incident.objects.filter(source_check="worker").count() == 1  # not twice
    page = r.content.decode()
    assert "No backup information" in page or "last backup" in page or checks["backup"]["ok"]
    assert client_as("sales_rep").get(reverse("support:status")).status_code == 403


def test_check_systems_task(it):
    from support.tasks import check_systems_task

    check_systems_task.delay()
    check_systems_task.delay()
    assert Incident.objects.filter(status="draft", source_check="worker").count() == 1


def test_queue_length_from_the_file_broker(settings, tmp_path):
    if settings.REDIS_URL:
        assert status.check_queue()["waiting"] >= 0
        return
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS,
                                                "data_folder_in": str(tmp_path)}
    for n in range(3):
        (tmp_path / f"msg{n}.msg").write_text("{}")
    assert status.check_queue() == {"waiting": 3}


# --- feedback -----------------------------------------------------------------------------------------

def test_suggestion_votes_one_per_person(make_user, it):
    a, b = make_user("sales_rep", username="va"), make_user("warehouse_clerk", username="vb")
    s = services.submit_suggestion(actor=a, title="Dark mode", body="Please", area="erp")
    assert s.vote_count == 1 if s.refresh_from_db() is None else False
    assert services.toggle_vote(s, actor=b) is True
    s.refresh_from_db()
    assert s.vote_count == 2 and Vote.objects.filter(suggestion=s).count() == 2
    assert services.toggle_vote(s, actor=b) is False  # voting again takes it back
    s.refresh_from_db()
    assert s.vote_count == 1
    with pytest.raises(BusinessRuleError):
        services.answer_suggestion(s, status="declined", answer="", actor=it)
    services.answer_suggestion(s, status="planned", answer="In the December release", actor=it)
    s.refresh_from_db()
    assert s.status == "planned" and s.answered_by == it
    assert Notification.objects.filter(recipient=a, key=f"suggestion:{s.pk}:planned").count() == 1
    with pytest.raises(BusinessRuleError):
        services.answer_suggestion(s, status="done", answer="x", actor=a)


def test_feedback_pages(client_as, it):
    client = client_as("warehouse_clerk")
    r = client.post(reverse("support:suggestion_create"), {"title": "Bigger fonts", "area": "erp", "body": ""})
    assert r.status_code == 200 and "Describe your suggestion" in r.content.decode()
    client.post(reverse("support:suggestion_create"), {"title": "Bigger fonts", "area": "erp", "body": "On scanners"})
    s = Suggestion.objects.get()
    other = client_as("sales_rep")
    other.post(reverse("support:suggestion_vote", args=[s.pk]))
    other.post(reverse("support:suggestion_vote", args=[s.pk]))
    other.post(reverse("support:suggestion_vote", args=[s.pk]))
    s.refresh_from_db()
    assert s.vote_count == 2
    r = other.get(reverse("support:suggestion_list"))
    assert [x.pk for x in r.context["top"]] == [s.pk]
    assert other.post(reverse("support:suggestion_answer", args=[s.pk]),
                      {"status": "done", "answer": "x"}).status_code == 403
    it_client = client_as(user=it)
    it_client.post(reverse("support:suggestion_answer", args=[s.pk]), {"status": "done", "answer": "Shipped"})
    s.refresh_from_db()
    assert s.status == "done" and s.answer == "Shipped"


# --- inspections --------------------------------------------------------------------------------------

@pytest.fixture
def checklist(it):
    c = Checklist.objects.create(name="Printers floor 2", kind="printer", interval_days=7, assignee=it)
    ChecklistItem.objects.create(checklist=c, text="Toner above 20 %", position=1)
    ChecklistItem.objects.create(checklist=c, text="Test page prints", position=2)
    return c


def test_due_inspections_are_created_once(checklist, it):
    today = date(2026, 11, 2)
    assert len(services.create_due_inspections(today)) == 1
    assert services.create_due_inspections(today) == []
    assert services.create_due_inspections(today + timedelta(days=3)) == []
    assert len(services.create_due_inspections(today + timedelta(days=7))) == 1
    assert Notification.objects.filter(recipient=it, key__startswith="inspection:").count() == 2


def test_failed_items_open_tickets(client_as, checklist, it):
    inspection = services.create_due_inspections(date(2026, 11, 2))[0]
    toner, page = checklist.items.all()
    client = client_as(user=it)
    url = reverse("support:inspection", args=[inspection.pk])
    r = client.post(url, {f"result_{toner.pk}": "ok", f"result_{page.pk}": "failed"})
    assert r.status_code == 200 and "Say what failed" in r.content.decode()
    client.post(url, {f"result_{toner.pk}": "ok", f"result_{page.pk}": "failed", f"note_{page.pk}": "Streaks"})
    inspection.refresh_from_db()
    assert inspection.status == "done" and inspection.failed_count == 1
    ticket = Ticket.objects.get()
    assert ticket.category == "printer" and "Test page prints" in ticket.subject and "Streaks" in ticket.description
    assert inspection.results.get(item=page).ticket == ticket
    with pytest.raises(BusinessRuleError):
        services.record_inspection(inspection, results={toner.pk: ("ok", ""), page.pk: ("ok", "")}, actor=it)


# --- report and KPI selectors -------------------------------------------------------------------------

def _resolved_ticket(requester, assignee, created, first_response, resolved, rating=None, priority="normal"):
    t = TicketFactory(requester=requester, assignee=assignee, priority=priority, status="closed",
                      first_response_at=first_response, resolved_at=resolved, closed_at=resolved, rating=rating)
    Ticket.objects.filter(pk=t.pk).update(created_at=created)
    t.refresh_from_db()
    services.compute_deadlines(t)
    t.save()
    return t


def test_report_numbers(make_user, it):
    rep = make_user("sales_rep", username="rep_r")
    # normal priority: response 4 h, resolution 16 working hours
    _resolved_ticket(rep, it, datetime(2025, 3, 3, 9, 0, tzinfo=SH), datetime(2025, 3, 3, 10, 0, tzinfo=SH),
                     datetime(2025, 3, 3, 17, 0, tzinfo=SH), rating=5)  # 1 h / 7 h
    _resolved_ticket(rep, it, datetime(2025, 3, 4, 9, 0, tzinfo=SH), datetime(2025, 3, 4, 12, 0, tzinfo=SH),
                     datetime(2025, 3, 7, 9, 0, tzinfo=SH), rating=3)  # 3 h / 24 h: resolution missed
    report = selectors.ticket_report(datetime(2025, 3, 1, tzinfo=SH), datetime(2025, 4, 1, tzinfo=SH))
    assert report["total"] == 2
    assert report["first_response"] == {"n": 2, "median_h": 2.0, "p90_h": 2.8}
    assert report["resolution"]["median_h"] == 15.5
    assert report["resolution_breach_rate"] == 50.0 and report["response_breach_rate"] == 0.0
    assert report["satisfaction"] == 4.0
    assert report["per_person"][0]["assigned"] == 2 and report["per_person"][0]["breach_rate"] == 50.0
    assert report["by_category"] == [{"key": "printer", "label": "Printer / scanner", "count": 2}]


def test_report_page_and_excel(client_as, make_user, it, django_assert_max_num_queries):
    rep = make_user("sales_rep", username="rep_x")
    now = timezone.now()
    for n in range(30):
        _resolved_ticket(rep, it, now - timedelta(days=n + 1), now - timedelta(days=n), now - timedelta(days=n),
                         rating=4)
    client = client_as("general_manager")
    with django_assert_max_num_queries(18):
        r = client.get(reverse("support:report"))
    assert r.status_code == 200 and r.context["report"]["total"] == 30
    r = client.get(reverse("support:report") + "?_export=xlsx")
    wb = load_workbook(BytesIO(r.content))
    assert wb.sheetnames[0] == "Summary"
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(values_only=True)}
    assert summary["Tickets"] == 30 and summary["Satisfaction (1–5)"] == 4.0
    r = client.get(reverse("support:report") + "?start=2020-01-01&end=2020-01-31")
    assert r.context["report"]["total"] == 0 and b'data-testid="empty-state"' in r.content
    assert client_as("sales_rep").get(reverse("support:report")).status_code == 403


def test_kpi_selectors(make_user, it):
    rep = make_user("sales_rep", username="rep_k")
    ok = _resolved_ticket(rep, it, datetime(2025, 3, 3, 9, 0, tzinfo=SH), datetime(2025, 3, 3, 10, 0, tzinfo=SH),
                          datetime(2025, 3, 3, 17, 0, tzinfo=SH), rating=5)
    late = _resolved_ticket(rep, it, datetime(2025, 3, 4, 9, 0, tzinfo=SH), datetime(2025, 3, 4, 12, 0, tzinfo=SH),
                            datetime(2025, 3, 7, 9, 0, tzinfo=SH), rating=2)
    start, end = datetime(2025, 3, 1, tzinfo=SH), datetime(2025, 4, 1, tzinfo=SH)
    rows = selectors.kpi_tickets_sla_met(it, start, end)
    assert [(r["id"], r["ok"]) for r in rows] == [(ok.pk, True), (late.pk, False)]
    assert rows[0]["model"] == "support.ticket" and rows[0]["url"] == ok.get_absolute_url()
    assert [(r["id"], r["value"]) for r in selectors.kpi_ticket_satisfaction(it, start, end)] == [
        (ok.pk, 5), (late.pk, 2)]
    assert selectors.kpi_tickets_sla_met(rep, start, end) == []
    assert selectors.kpi_tickets_sla_met(it, end, end + timedelta(days=30)) == []


def test_feedback_and_inspection_lists_query_counts(client_as, make_user, it, checklist,
                                                    django_assert_max_num_queries):
    author = make_user("sales_rep", username="many")
    for n in range(30):
        services.submit_suggestion(actor=author, title=f"Idea {n}", body="x")
    for n in range(30):
        Inspection.objects.create(checklist=checklist, due_date=date(2026, 1, 1) + timedelta(days=n))
    client = client_as(user=it)
    with django_assert_max_num_queries(20):
        r = client.get(reverse("support:suggestion_list"))
    assert len(r.context["table"].page.object_list) == 25
    with django_assert_max_num_queries(20):
        r = client.get(reverse("support:inspection_list"))
    assert len(r.context["table"].page.object_list) == 25
    r = client.get(reverse("support:inspection_list") + "?_export=xlsx")
    assert r.status_code == 200


def test_calendar_names_holidays_in_the_users_language(client_as):
    client = client_as("it_admin")
    r = client.get(reverse("support:calendar") + "?year=2026", HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = r.content.decode()
    assert "春节" in body and "调休上班日" in body
    assert client.get(reverse("support:calendar") + "?year=abc").status_code == 200


@pytest.mark.parametrize("exc,status", [("PermissionDenied", 403), ("Http404", 404), ("BadRequest", 400)])
def test_refusals_are_not_recorded_as_server_errors(client, make_user, monkeypatch, settings, exc, status):
    from django import http
    from django.core import exceptions

    from support import status as status_checks
    from support import views

    error = getattr(http, exc, None) or getattr(exceptions, exc)

    def refuse(*args, **kwargs):
        raise error("no")

    monkeypatch.setattr(views.TicketListView, "get", refuse)
    client.raise_request_exception = False
    client.force_login(make_user("sales_rep"), backend="django.contrib.auth.backends.ModelBackend")
    for _i in range(3):
        assert client.get(reverse("support:ticket_list")).status_code == status
    assert not RequestRecord.objects.filter(kind="error").exists()
    assert status_checks.check_errors() == {"errors_24h": 0}
    settings.SLOW_REQUEST_MS = 0  # still seen when slow, with the real status
    client.get(reverse("support:ticket_list"))
    assert RequestRecord.objects.get(kind="slow").status_code == status
