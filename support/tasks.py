import logging

from celery import shared_task

from . import services

log = logging.getLogger(__name__)


@shared_task(name="support.check_ticket_slas_task", acks_late=True)
def check_ticket_slas_task():
    """Warn before and escalate on SLA breaches (once each: safe to run again)."""
    return services.check_slas()


@shared_task(name="support.create_due_inspections_task", acks_late=True)
def create_due_inspections_task():
    """Create today's due inspections from the checklists (once per checklist and day)."""
    created = services.create_due_inspections()
    log.info("created %d due inspections", len(created))
    return len(created)


@shared_task(name="support.check_systems_task", acks_late=True)
def check_systems_task():
    """Run the status checks; a failing one opens an incident draft for IT (once while it fails)."""
    from . import status

    results = status.run_all()
    drafts = status.open_drafts_for_failures(results)
    if drafts:
        log.warning("status checks failing: %s", ", ".join(d.source_check for d in drafts))
    return len(drafts)


@shared_task(name="support.prune_request_records_task", acks_late=True)
def prune_request_records_task(days=30):
    """Keep 30 days of slow-request and error records."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import RequestRecord

    deleted, _ = RequestRecord.objects.filter(created_at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted
