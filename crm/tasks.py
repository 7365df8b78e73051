"""Celery tasks of the CRM: thin, idempotent (the notification keys make each reminder once-only)."""

import logging

from celery import shared_task

from . import services

log = logging.getLogger(__name__)


@shared_task(name="crm.send_followup_reminders_task", acks_late=True)
def send_followup_reminders_task():
    sent = services.send_followup_reminders()
    log.info("follow-up reminders sent: %s", sent)
    return sent


@shared_task(name="crm.send_morning_digest_task", acks_late=True)
def send_morning_digest_task():
    sent = services.send_morning_digest()
    log.info("morning digests sent: %d", sent)
    return sent


@shared_task(name="crm.flag_stale_opportunities_task", acks_late=True)
def flag_stale_opportunities_task():
    sent = services.flag_stale_opportunities()
    log.info("stale opportunity notices sent: %d", sent)
    return sent
