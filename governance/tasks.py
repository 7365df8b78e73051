"""Governance Celery tasks: the nightly backup and the weekly verification (thin: the services do the work)."""

import logging

from celery import shared_task

from .services import record_backup, record_verification

log = logging.getLogger(__name__)


@shared_task(name="governance.run_backup_task", acks_late=True)
def run_backup_task():
    run = record_backup()
    log.info("backup %s: %s", run.file_name, "ok" if run.ok else run.error)
    return run.pk


@shared_task(name="governance.verify_backup_task", acks_late=True)
def verify_backup_task():
    run = record_verification()
    log.info("verification of %s: %s", run.file_name, "ok" if run.ok else run.error)
    return run.pk
