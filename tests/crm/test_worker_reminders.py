"""A real Celery worker process runs the CRM follow-up reminder task: the reminder and its e-mail go out
exactly once, however often the task runs. Against Redis when REDIS_URL is set, the file broker otherwise."""

import datetime
import time

import pytest
from django.utils import timezone

from hardware_erp.core.models import Notification, WorkerHeartbeat
from tests.factories.crm import CustomerFactory, TaskFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mail_dir(tmp_path, monkeypatch):
    """The worker writes its e-mails as files here (read from the environment it inherits)."""
    path = tmp_path / "mail"
    path.mkdir()
    monkeypatch.setenv("EMAIL_URL", f"filemail:///{path}")  # django-environ drops one leading slash
    return path


@pytest.fixture
def crm_worker(mail_dir, worker):
    return worker


def wait_for(check, worker, log, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        assert worker.poll() is None, log.read_text()[-3000:]
        time.sleep(0.3)
    return False


def test_followup_reminder_sent_once_by_a_real_worker(crm_worker, mail_dir, tmp_path, make_user):
    from crm.tasks import send_followup_reminders_task
    from hardware_erp.core.tasks import record_heartbeat_task

    log = tmp_path / "worker.log"
    rep = make_user("sales_rep", email="rep-worker@example.com")
    customer = CustomerFactory(owner=rep, name="工人测试五金")
    task = TaskFactory(customer=customer, assignee=rep, title="回访报价",
                       due_at=timezone.now() + datetime.timedelta(minutes=30))
    WorkerHeartbeat.objects.all().delete()
    # the beat fires it every five minutes: run it three times, then a heartbeat queued behind them
    for _ in range(3):
        send_followup_reminders_task.delay()
    record_heartbeat_task.delay()
    sent = Notification.objects.filter(recipient=rep, email_status=Notification.EmailStatus.SENT)
    assert wait_for(lambda: WorkerHeartbeat.objects.exists() and sent.exists(), crm_worker, log), \
        log.read_text()[-3000:]
    ran = wait_for(lambda: log.read_text().count("follow-up reminders sent") >= 3, crm_worker, log)
    assert ran, log.read_text()[-3000:]
    notes = list(Notification.objects.filter(recipient=rep))
    assert len(notes) == 1 and "工人测试五金" in notes[0].message
    assert notes[0].key == f"crm.task:{task.pk}:due:{task.due_at:%Y%m%d%H%M}"
    assert notes[0].email_status == Notification.EmailStatus.SENT and notes[0].emailed_at is not None
    mails = [p.read_text() for p in mail_dir.iterdir()]
    assert len(mails) == 1 and "rep-worker@example.com" in mails[0]
    ran = log.read_text()
    assert ran.count("reminders sent: {'due': 1, 'overdue': 0}") == 1
    assert ran.count("reminders sent: {'due': 0, 'overdue': 0}") == 2
