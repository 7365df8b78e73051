"""Celery tasks: thin, take ids, call the services, idempotent."""

import logging

from celery import shared_task

from . import notices, tracking
from .models import Shipment

log = logging.getLogger(__name__)


@shared_task(name="orders.poll_tracking_task", acks_late=True)
def poll_tracking_task():
    stats = tracking.poll_all()
    log.info("tracking poll: %s", stats)
    return stats


@shared_task(name="orders.subscribe_tracking_task", acks_late=True)
def subscribe_tracking_task(shipment_id):
    shipment = Shipment.objects.select_related("carrier", "order").filter(pk=shipment_id).first()
    if shipment is None or shipment.push_subscribed:
        return False
    return tracking.subscribe(shipment)


@shared_task(name="orders.email_customer_status_task", acks_late=True)
def email_customer_status_task(event_id):
    return notices.send_customer_status_email(event_id)


@shared_task(name="orders.send_pending_customer_emails_task", acks_late=True)
def send_pending_customer_emails_task():
    sent = sum(1 for pk in list(notices.pending_customer_emails()) if notices.send_customer_status_email(pk))
    if sent:
        log.info("sent %d pending customer status e-mails", sent)
    return sent


@shared_task(name="orders.send_overdue_reminders_task", acks_late=True)
def send_overdue_reminders_task():
    sent = notices.send_overdue_reminders()
    log.info("overdue reminders: %d sent", sent)
    return sent


@shared_task(name="orders.refresh_sales_rollup_task", acks_late=True)
def refresh_sales_rollup_task(slices):
    """Recompute the daily sales rollup of these [order date, customer id] slices (queued after order events)."""
    from .rollups import refresh

    written = refresh(slices)
    log.info("sales rollup: %d slices refreshed, %d rows", len(slices), written)
    return written
