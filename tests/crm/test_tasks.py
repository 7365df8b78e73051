import datetime

import pytest
from django.core import mail
from django.utils import timezone

from crm import services, tasks
from hardware_erp.core.models import Employee, Notification
from tests.factories.crm import CustomerFactory, OpportunityFactory, TaskFactory

pytestmark = pytest.mark.django_db


def test_followup_reminder_sent_once_per_state(make_user, django_capture_on_commit_callbacks):
    rep = make_user("sales_rep")
    now = timezone.now()
    task = TaskFactory(customer=CustomerFactory(owner=rep, name="张三五金"), assignee=rep,
                       due_at=now + datetime.timedelta(minutes=30))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_followup_reminders_task.delay().get() == {"due": 1, "overdue": 0}
        assert tasks.send_followup_reminders_task.delay().get() == {"due": 0, "overdue": 0}
    assert Notification.objects.filter(recipient=rep).count() == 1
    assert len(mail.outbox) == 1 and "张三五金" in mail.outbox[0].body
    # later: overdue, once
    later = now + datetime.timedelta(hours=1)
    assert services.send_followup_reminders(now=later) == {"due": 0, "overdue": 1}
    assert services.send_followup_reminders(now=later + datetime.timedelta(minutes=5)) == {"due": 0, "overdue": 0}
    assert Notification.objects.filter(recipient=rep, level="warning").count() == 1
    # a done task is not reminded; a rescheduled one is reminded again
    task.due_at = later + datetime.timedelta(minutes=20)
    task.save()
    assert services.send_followup_reminders(now=later) == {"due": 1, "overdue": 0}
    services.complete_task(task, outcome="ok", actor=rep)
    assert services.send_followup_reminders(now=later + datetime.timedelta(hours=3)) == {"due": 0, "overdue": 0}
    assert Notification.objects.filter(recipient=rep).count() == 3


def test_reminder_message_in_the_recipients_language(make_user):
    rep = make_user("sales_rep")
    Employee.objects.filter(user=rep).update(language="zh-hans")
    rep.refresh_from_db()
    TaskFactory(customer=CustomerFactory(owner=rep), assignee=rep,
                due_at=timezone.now() - datetime.timedelta(minutes=5))
    services.send_followup_reminders()
    n = Notification.objects.get(recipient=rep)
    assert n.message.startswith("Follow-up overdue") or "逾期" in n.message


def test_morning_digest_once_a_day(make_user):
    rep = make_user("sales_rep")
    morning = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)
    c = CustomerFactory(owner=rep)
    TaskFactory(customer=c, assignee=rep, due_at=morning + datetime.timedelta(hours=3))
    TaskFactory(customer=c, assignee=rep, due_at=morning - datetime.timedelta(days=1))
    assert services.send_morning_digest(now=morning.replace(hour=5)) == 0
    assert services.send_morning_digest(now=morning) == 1
    assert services.send_morning_digest(now=morning + datetime.timedelta(hours=2)) == 0
    n = Notification.objects.get(recipient=rep)
    assert "1" in n.message and n.link.startswith("/crm/tasks/")


def test_stale_opportunity_flagged_to_owner_and_manager_once(make_user):
    mgr = make_user("sales_manager")
    rep = make_user("sales_rep")
    Employee.objects.filter(user=rep).update(manager=mgr)
    rep.refresh_from_db()
    OpportunityFactory(customer=CustomerFactory(owner=rep), owner=rep,
                       last_activity_at=timezone.now() - datetime.timedelta(days=20))
    OpportunityFactory(customer=CustomerFactory(owner=rep), owner=rep)  # active
    OpportunityFactory(customer=CustomerFactory(owner=rep), owner=rep, stage="won",
                       last_activity_at=timezone.now() - datetime.timedelta(days=60))
    assert tasks.flag_stale_opportunities_task.delay().get() == 2
    assert tasks.flag_stale_opportunities_task.delay().get() == 0
    assert Notification.objects.filter(recipient__in=[rep, mgr]).count() == 2
