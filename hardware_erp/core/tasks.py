import logging
import socket

from celery import shared_task
from django.utils import timezone

from . import services
from .models import WorkerHeartbeat

log = logging.getLogger(__name__)


@shared_task(name="core.record_heartbeat_task")
def record_heartbeat_task():
    """Say that a worker is alive; /healthz reads the newest heartbeat."""
    WorkerHeartbeat.objects.update_or_create(hostname=socket.gethostname(), defaults={"beat_at": timezone.now()})


@shared_task(name="core.check_integrity_task", acks_late=True)
def check_integrity_task():
    """Nightly: every invariant of the data (stock = ledger, balances = payments, ...)."""
    from .integrity import run_checks

    run = run_checks()
    log.info("integrity check: %s in %.1f s", "ok" if run.ok else f"{run.problem_count} problems", run.seconds)
    return run.ok


@shared_task(name="core.send_notification_emails_task", acks_late=True)
def send_notification_emails_task(ids):
    sent = services.send_notification_emails(ids)
    log.info("sent %d notification e-mails", sent)
    return sent


@shared_task(name="core.send_pending_emails_task", acks_late=True)
def send_pending_emails_task():
    """Drain the e-mail outbox: notifications whose e-mail was not sent yet (broker outage, crash)."""
    sent = services.send_notification_emails()
    if sent:
        log.info("outbox: sent %d pending notification e-mails", sent)
    return sent


@shared_task(name="core.drain_outbox_task", acks_late=True)
def drain_outbox_task():
    """Send the tasks that were queued while the broker was down."""
    from .outbox import drain

    sent = drain()
    if sent:
        log.info("outbox: sent %d queued tasks", sent)
    return sent


@shared_task(name="core.flush_outbox_task", acks_late=True)
def flush_outbox_task(task_name):
    """Send the batched outbox rows of `task_name` as one task (queued by `outbox.flush_soon`)."""
    from .outbox import flush

    return flush(task_name)


@shared_task(name="core.prune_form_submissions_task", acks_late=True)
def prune_form_submissions_task(days=7):
    """One-time form tokens are kept a week (long enough for any resent page)."""
    from .models import FormSubmission

    deleted, _ = FormSubmission.objects.filter(created_at__lt=timezone.now() - timezone.timedelta(days=days)).delete()
    return deleted


@shared_task(name="core.run_export_task", acks_late=True)
def run_export_task(job_id):
    """Write a list export queued by a list page (queue `io`)."""
    from .export_jobs import run_export

    job = run_export(job_id)
    return job.status if job else None


@shared_task(name="core.prune_exports_task", acks_late=True)
def prune_exports_task():
    """Hourly: expired export files are deleted."""
    from .export_jobs import prune_exports

    return prune_exports()
