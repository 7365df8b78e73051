"""Celery tasks of the API app: thin, take ids, call services."""

import logging

from celery import shared_task

from . import services

log = logging.getLogger(__name__)


@shared_task(name="api.deliver_task", acks_late=True)
def deliver_task(delivery_id):
    d = services.deliver(delivery_id)
    if d is not None:
        log.info("delivery %s: %s (%s)", delivery_id, d.status, d.response_code)


@shared_task(name="api.retry_deliveries_task", acks_late=True)
def retry_deliveries_task():
    n = services.retry_due()
    if n:
        log.info("retried %d deliveries", n)
    return n


@shared_task(name="api.prune_task", acks_late=True)
def prune_task():
    result = services.prune()
    log.info("pruned %s", result)
    return result
