"""Tracking through the carrier adapters: poll, subscribe, take a push. Services over record_tracking."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from . import services
from .carriers import CarrierError, RateLimited, adapter_for
from .choices import CarrierAdapter, ShipmentStatus
from .models import Shipment

log = logging.getLogger(__name__)
POLL_EVERY = timedelta(hours=2)


def poll_shipment(shipment) -> int:
    """Ask the carrier for the shipment's events; store new ones. Returns how many were new.

    Errors are kept on the shipment (last_error) and raised again so the caller can stop on a rate limit.
    """
    adapter = adapter_for(shipment.carrier)
    now = timezone.now()
    try:
        events = adapter.query(shipment)
    except CarrierError as exc:
        Shipment.objects.filter(pk=shipment.pk).update(last_polled_at=now, last_error=str(exc)[:255])
        raise
    with transaction.atomic():
        new = services.record_tracking(shipment, events, source="poll")
        Shipment.objects.filter(pk=shipment.pk).update(last_polled_at=now, last_error="")
    return new


def shipments_to_poll(now=None):
    """In-transit shipments of carriers with an API, that have no push subscription and were not asked lately."""
    now = now or timezone.now()
    return (Shipment.objects.exclude(status=ShipmentStatus.DELIVERED)
            .filter(carrier__adapter=CarrierAdapter.KUAIDI100, push_subscribed=False)
            .exclude(tracking_number="")
            .exclude(last_polled_at__gt=now - POLL_EVERY)
            .select_related("carrier", "order").order_by("last_polled_at", "pk"))


def poll_all(limit=200) -> dict:
    """One round of polling; stops at a rate limit so the carrier is not hammered."""
    stats = {"polled": 0, "new_events": 0, "errors": 0, "rate_limited": False}
    for shipment in shipments_to_poll()[:limit]:
        try:
            stats["new_events"] += poll_shipment(shipment)
            stats["polled"] += 1
        except RateLimited:
            stats["rate_limited"] = True
            break
        except CarrierError as exc:
            log.warning("tracking %s: %s", shipment.number, exc)
            stats["errors"] += 1
    return stats


def subscribe(shipment) -> bool:
    adapter = adapter_for(shipment.carrier)
    try:
        ok = adapter.subscribe(shipment)
    except CarrierError as exc:
        Shipment.objects.filter(pk=shipment.pk).update(last_error=str(exc)[:255])
        log.warning("subscription of %s refused: %s", shipment.number, exc)
        return False
    if ok:
        Shipment.objects.filter(pk=shipment.pk).update(push_subscribed=True, last_error="")
    return ok


def take_push(form, adapter) -> tuple[int, int]:
    """A checked push: store its events on every matching shipment. Returns (shipments, new events).
    A repeated push stores nothing new."""
    update = adapter.parse_push(form)
    shipments = Shipment.objects.filter(tracking_number=update.number)
    if update.company:
        shipments = shipments.filter(carrier__code=update.company)
    matched = new = 0
    for shipment in shipments:
        matched += 1
        new += services.record_tracking(shipment, update.events, source="push")
    return matched, new
