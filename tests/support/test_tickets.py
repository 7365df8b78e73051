"""Tickets: opening, assignment, the state machine, the conversation, rating, SLA warnings and escalation."""

from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.models import Notification
from support import services
from support.models import AssignmentRule, Ticket, TicketAttachment, TicketEvent
from tests.factories.support import TicketFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name="screen.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture
def rep(make_user):
    return make_user("sales_rep", username="rep_t")


@pytest.fixture
def it(make_user):
    return make_user("it_admin", username="it_t")


def test_open_ticket_writes_rows_and_assigns_by_rule(rep, it):
    AssignmentRule.objects.create(category="printer", assignee=it)
    t = services.open_ticket(requester=rep, subject="", description="Printer jams", category="printer",
                             priority="high", page_url="/inventory/", files=[png()])
    assert t.subject == "Printer jams" and t.assignee == it and t.status == "assigned"
    assert t.response_due and t.resolution_due and t.response_due < t.resolution_due
    assert list(t.events.values_list("from_status", "to_status")) == [("", "new"), ("new", "assigned")]
    att = TicketAttachment.objects.get(ticket=t)
    assert att.content_type == "image/png" and att.size == len(PNG)
    assert Notification.objects.filter(recipient=it, key="", link=t.get_absolute_url()).exists()


def test_description_is_required(rep):
    with pytest.raises(BusinessRuleError):
        services.open_ticket(requester=rep, subject="x", description="  ", category="other")
    assert not Ticket.objects.exists()


def test_state_machine_and_permissions(rep, it):
    t = TicketFactory(requester=rep)
    with pytest.raises(BusinessRuleError):
        services.transition(t, "in_progress", actor=rep)  # only IT
    with pytest.raises(BusinessRuleError):
        services.transition(t, "reopened", actor=it)  # not from new
    services.transition(t, "in_progress", actor=it)
    services.transition(t, "resolved", actor=it, note="Replaced the toner")
    t.refresh_from_db()
    assert t.status == "resolved" and t.resolved_at
    services.rate_ticket(t, rating=5, comment="Fast", actor=rep)
    t.refresh_from_db()
    assert t.status == "closed" and t.rating == 5 and t.closed_at
    with pytest.raises(BusinessRuleError):
        services.rate_ticket(t, rating=4, actor=rep)
    services.transition(t, "reopened", actor=rep)
    assert list(TicketEvent.objects.filter(ticket=t).values_list("to_status", flat=True)) == [
        "in_progress", "resolved", "closed", "reopened"]


def test_first_response_and_waiting_for_user(rep, it):
    t = TicketFactory(requester=rep, status="waiting", assignee=it)
    services.post_message(t, actor=it, body="Internal: check the cable", internal=True)
    t.refresh_from_db()
    assert t.first_response_at is None  # internal notes are no response
    services.post_message(t, actor=it, body="Please restart the PC")
    t.refresh_from_db()
    assert t.first_response_at is not None
    services.post_message(t, actor=rep, body="Done, still broken")
    t.refresh_from_db()
    assert t.status == "in_progress"
    with pytest.raises(BusinessRuleError):
        services.post_message(t, actor=rep, body="sneaky", internal=True)


def _ticket_created_at(requester, assignee, created):
    t = TicketFactory(requester=requester, assignee=assignee, status="assigned", priority="urgent")
    Ticket.objects.filter(pk=t.pk).update(created_at=created)
    t.refresh_from_db()
    services.compute_deadlines(t)
    t.save()
    return t


def test_sla_warning_then_one_time_escalation(rep, it, make_user):
    lead = make_user("general_manager", username="lead_t")
    created = datetime(2025, 3, 4, 9, 0, tzinfo=SH)  # urgent: response 1 h, resolution 4 h
    t = _ticket_created_at(rep, it, created)
    assert t.response_due == datetime(2025, 3, 4, 10, 0, tzinfo=SH)
    assert t.resolution_due == datetime(2025, 3, 4, 14, 0, tzinfo=SH)
    # 09:50: 83 % of the response target used -> the assignee is warned, twice running sends once
    for _ in range(2):
        services.check_slas(now=datetime(2025, 3, 4, 9, 50, tzinfo=SH))
    assert Notification.objects.filter(recipient=it, key=f"ticket:{t.pk}:response:warn").count() == 1
    assert not Notification.objects.filter(key__endswith=":breach").exists()
    # 10:30: the response target is missed -> the lead and the assignee hear it once, however often it runs
    for _ in range(3):
        services.check_slas(now=datetime(2025, 3, 4, 10, 30, tzinfo=SH))
    assert Notification.objects.filter(key=f"ticket:{t.pk}:response:breach").count() == 2
    assert Notification.objects.filter(recipient=lead, key=f"ticket:{t.pk}:response:breach").count() == 1
    assert TicketEvent.objects.filter(ticket=t, code="escalated", params={"target": "response"}).count() == 1
    # a rep is no lead and hears nothing of it
    assert not Notification.objects.filter(recipient=rep, key__contains=":breach").exists()


def test_no_escalation_after_resolution(rep, it, make_user):
    make_user("general_manager", username="lead_t2")
    t = _ticket_created_at(rep, it, datetime(2025, 3, 4, 9, 0, tzinfo=SH))
    services.transition(t, "resolved", actor=it)
    services.check_slas(now=datetime(2025, 3, 5, 9, 0, tzinfo=SH))
    assert not Notification.objects.filter(key__contains=f"ticket:{t.pk}:").exists()


def test_escalation_task_runs(rep, it):
    from support.tasks import check_ticket_slas_task

    t = _ticket_created_at(rep, it, timezone.now() - timedelta(days=30))
    check_ticket_slas_task.delay()
    check_ticket_slas_task.delay()
    assert Notification.objects.filter(recipient=it, key=f"ticket:{t.pk}:resolution:breach").count() == 1


# --- views -------------------------------------------------------------------------------------------

def test_the_same_ticket_form_sent_twice_creates_one_ticket(client_as):
    client = client_as("sales_rep")
    page = client.get(reverse("support:ticket_create"))
    token = page.context["once_token"]
    assert f'name="_once" value="{token}"' in page.content.decode()
    data = {"category": "crm", "priority": "normal", "subject": "Printer", "description": "The printer jams",
            "page_url": "", "_once": token}
    first = client.post(reverse("support:ticket_create"), data)
    second = client.post(reverse("support:ticket_create"), data)
    ticket = Ticket.objects.get()
    assert first["Location"] == second["Location"] == ticket.get_absolute_url()


@pytest.mark.parametrize("url_name,data,model", [
    ("support:suggestion_create", {"title": "Dark mode", "area": "erp", "body": "Please"}, "Suggestion"),
    ("support:system_create", {"code": "wms", "name": "WMS"}, "System"),
])
def test_other_support_forms_sent_twice_save_once(client_as, url_name, data, model):
    from support import models

    client = client_as("it_admin")
    for _i in range(2):
        assert client.post(reverse(url_name), {**data, "_once": f"tok-{url_name}"}).status_code == 302
    assert getattr(models, model).objects.count() == 1


def test_open_ticket_from_a_page(client_as):
    client = client_as("warehouse_clerk")
    r = client.get(reverse("support:ticket_create") + "?from=/inventory/products/%3Fq%3Dbolt")
    assert r.status_code == 200 and r.context["form"].initial["page_url"] == "/inventory/products/?q=bolt"
    assert r.context["form"].initial["category"] == "inventory"
    r = client.post(reverse("support:ticket_create"), {
        "category": "inventory", "priority": "normal", "subject": "", "description": "Stock page is slow",
        "page_url": "/inventory/products/?q=bolt", "attachments": [png()]})
    t = Ticket.objects.get()
    assert r.status_code == 302 and r["Location"] == t.get_absolute_url()
    assert t.requester == client.user and t.page_url == "/inventory/products/?q=bolt"
    assert t.attachments.count() == 1


def test_offsite_from_is_dropped(client_as):
    r = client_as("sales_rep").get(reverse("support:ticket_create") + "?from=https://evil.example/")
    assert r.context["form"].initial["page_url"] == ""


@pytest.mark.parametrize("name,content,error", [
    ("", "", "description is required"),
    ("tool.exe", b"MZ\x90\x00" + b"\x00" * 100, "is not accepted"),
    ("pic.png", b"<html><script>alert(1)</script></html>", "is not accepted"),
    ("notes.txt", b"<svg onload=alert(1)>", "is not accepted"),
    ("big.png", PNG + b"\x00" * 2048, "files may be at most"),
])
def test_bad_input_is_refused_with_a_message(client_as, settings, name, content, error):
    settings.UPLOAD_MAX_BYTES = 1024
    client = client_as("sales_rep")
    data = {"category": "other", "priority": "normal", "subject": "s", "description": "" if not name else "d"}
    if name:
        data["attachments"] = [SimpleUploadedFile(name, content)]
    r = client.post(reverse("support:ticket_create"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and error in r.content.decode()
    assert not Ticket.objects.exists()


def test_visibility_own_tickets_only(client_as, make_user, it):
    other = TicketFactory(requester=make_user("sales_rep", username="other_rep"))
    client = client_as("sales_rep")
    mine = TicketFactory(requester=client.user)
    assert client.get(reverse("support:ticket", args=[mine.pk])).status_code == 200
    assert client.get(reverse("support:ticket", args=[other.pk])).status_code == 404
    assert client.post(reverse("support:ticket_reply", args=[other.pk]), {"body": "x"}).status_code == 404
    r = client.get(reverse("support:ticket_list"))
    assert [row.record.pk for row in r.context["table"].rows] == [mine.pk]
    # the requester may not assign
    assert client.post(reverse("support:ticket_assign", args=[mine.pk]), {"assignee": it.pk}).status_code == 403


def test_helpdesk_lead_reads_every_ticket_but_does_not_work_it(client_as, rep, it):
    """The general manager receives the SLA escalations, so the escalated ticket opens for them."""
    t = TicketFactory(requester=rep)
    client = client_as("general_manager")
    r = client.get(reverse("support:ticket", args=[t.pk]))
    assert r.status_code == 200 and r.context["transitions"] == [] and "assign_form" not in r.context
    assert [row.record.pk for row in client.get(reverse("support:ticket_list")).context["table"].rows] == [t.pk]
    assert client.post(reverse("support:ticket_assign", args=[t.pk]), {"assignee": it.pk}).status_code == 403
    client.post(reverse("support:ticket_transition", args=[t.pk]), {"to": "closed"})
    t.refresh_from_db()
    assert t.status == "new"


def test_internal_notes_and_files_hidden_from_requester(client_as, it):
    client = client_as("sales_rep")
    t = TicketFactory(requester=client.user)
    services.post_message(t, actor=it, body="secret admin password hint", internal=True, files=[png("int.png")])
    services.post_message(t, actor=it, body="We are on it")
    r = client.get(t.get_absolute_url())
    body = r.content.decode()
    assert "We are on it" in body and "secret admin password hint" not in body and "int.png" not in body
    att = TicketAttachment.objects.get()
    assert client.get(reverse("support:attachment", args=[att.pk])).status_code == 403


def test_attachment_is_served_as_download_with_nosniff(client_as):
    client = client_as("sales_rep")
    t = services.open_ticket(requester=client.user, subject="s", description="d", category="other",
                             files=[png()])
    att = t.attachments.get()
    r = client.get(reverse("support:attachment", args=[att.pk]))
    assert r.status_code == 200 and r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Disposition"].startswith("attachment")
    assert b"".join(r.streaming_content) == PNG
    other = client_as("sales_rep", username="nosy")
    assert other.get(reverse("support:attachment", args=[att.pk])).status_code == 404


def test_it_sees_all_and_works_a_ticket(client_as, rep):
    t = TicketFactory(requester=rep)
    client = client_as("it_admin")
    assert client.get(reverse("support:ticket_list")).context["table"].rows[0].record == t
    client.post(reverse("support:ticket_assign", args=[t.pk]), {"assignee": client.user.pk})
    client.post(reverse("support:ticket_reply", args=[t.pk]), {"body": "Restart it please"})
    r = client.post(reverse("support:ticket_transition", args=[t.pk]), {"to": "resolved"})
    t.refresh_from_db()
    assert r.status_code == 302 and t.status == "resolved" and t.assignee == client.user and t.first_response_at


def test_requester_rates_through_the_page(client_as, it):
    client = client_as("sales_rep")
    t = TicketFactory(requester=client.user, status="resolved", assignee=it)
    r = client.get(t.get_absolute_url())
    assert r.context["can_rate"]
    client.post(reverse("support:ticket_rate", args=[t.pk]), {"rating": "4", "comment": "ok"})
    t.refresh_from_db()
    assert (t.rating, t.status) == (4, "closed")


def test_ticket_list_query_count(client_as, django_assert_max_num_queries, rep):
    client = client_as("it_admin")
    for _ in range(30):
        TicketFactory(requester=rep, assignee=client.user)
    with django_assert_max_num_queries(20):
        r = client.get(reverse("support:ticket_list"))
    assert r.status_code == 200 and len(r.context["table"].page.object_list) == 25
    r = client.get(reverse("support:ticket_list") + "?_export=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    assert BytesIO(r.content).getbuffer().nbytes > 0


def test_calendar_page_adds_company_day(client_as):
    client = client_as("it_admin")
    r = client.get(reverse("support:calendar") + "?year=2025")
    assert r.status_code == 200 and "2025-09-28" in r.content.decode()
    client.post(reverse("support:calendar"), {"date": "2025-10-09", "is_workday": "", "note": "Outing"})
    from support.models import CalendarDay
    assert CalendarDay.objects.get().note == "Outing"
    assert client_as("sales_rep").get(reverse("support:calendar")).status_code == 403


def test_helpdesk_settings_page(client_as, it, rep):
    from support.models import SLAPolicy

    client = client_as(user=it)
    assert client.get(reverse("support:settings")).status_code == 200
    data = {}
    targets = {"urgent": ("1", "4"), "high": ("2", "8"), "normal": ("3", "12"), "low": ("8", "4")}
    for prio, (resp, res) in targets.items():
        data.update({f"sla-{prio}-response_hours": resp, f"sla-{prio}-resolution_hours": res,
                     f"sla-{prio}-warn_percent": "80"})
    data["network"] = it.pk
    r = client.post(reverse("support:settings"), data)
    assert r.status_code == 200 and "cannot be shorter than the first response" in r.content.decode()
    data["sla-low-resolution_hours"] = "40"
    r = client.post(reverse("support:settings"), data)
    assert r.status_code == 302
    assert SLAPolicy.objects.get(priority="normal").resolution_hours == 12
    assert list(AssignmentRule.objects.values_list("category", "assignee")) == [("network", it.pk)]
    t = services.open_ticket(requester=rep, subject="Wi-Fi", description="down", category="network")
    assert t.assignee == it
    assert client_as("sales_rep").get(reverse("support:settings")).status_code == 403


def test_ticket_history_is_worded_in_the_readers_language(rep, it):
    from django.utils import translation

    t = services.open_ticket(requester=rep, subject="Printer", description="Jams", category="printer")
    services.change_priority(t, "urgent", actor=it)
    services.assign_ticket(t, it, actor=it)
    events = {e.code: e for e in TicketEvent.objects.filter(ticket=t)}
    assert {"opened", "priority", "assigned"} <= set(events)
    assert all(e.note == "" for e in events.values())  # no sentence stored in the writer's language
    with translation.override("en"):
        assert events["opened"].text == "Ticket opened"
        assert events["priority"].text == "Priority Normal → Urgent"
    with translation.override("zh-hans"):
        assert events["opened"].text != "Ticket opened" and "Urgent" not in events["priority"].text
