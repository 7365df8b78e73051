import logging

from celery import shared_task

from . import services

log = logging.getLogger(__name__)


@shared_task(name="support.check_ticket_slas_task", acks_late=True)
def check_ticket_slas_task():
    """Warn before and escalate on SLA breaches (once each: safe to run again)."""
    return services.check_slas()
