"""Threshold alerts: raised once per crossing, cleared when stock returns to range."""

import logging
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, CharField, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hardware_erp.core import notifications
from hardware_erp.core.roles import ROLES
from hardware_erp.core.services import lazy_format, notify
from hardware_erp.core.signals import business_event
from hardware_erp.core.templatetags.erp import qty as fmt_qty

from .choices import AlertKind
from .models import Reservation, StockAlert, StockLevel, StockThreshold

log = logging.getLogger(__name__)
ALERT_ROLES = ("purchaser", "warehouse_clerk")
QTY = DecimalField(max_digits=14, decimal_places=3)


def _alerts_text(n):
    return ngettext("%(n)s stock alert: products below their minimum or above their maximum",
                    "%(n)s stock alerts: products below their minimum or above their maximum", n) % {"n": n}


# one line under the bell for every stock alert, opening the alerts list (not one line a product)
notifications.summarise("stock-alert", _alerts_text, "inventory:alert_list")


def _sum_sq(model, field, **extra):
    return Coalesce(Subquery(
        model.objects.filter(product=OuterRef("product_id"), warehouse=OuterRef("warehouse_id"), **extra)
        .values("product").annotate(s=Sum(field)).values("s")[:1], output_field=QTY), Value(Decimal("0")),
        output_field=QTY)


def thresholds_with_available(qs=None):
    """Thresholds annotated with on_hand, reserved, available and the state they should be in (one query)."""
    qs = StockThreshold.objects.all() if qs is None else qs
    return qs.annotate(
        on_hand=_sum_sq(StockLevel, "on_hand"),
        reserved=_sum_sq(Reservation, "quantity", released_at__isnull=True),
    ).annotate(available=F("on_hand") - F("reserved")).annotate(new_state=Case(
        When(available__lt=F("minimum"), then=Value(AlertKind.LOW)),
        When(Q(maximum__gt=0) & Q(available__gt=F("maximum")), then=Value(AlertKind.HIGH)),
        default=Value("ok"), output_field=CharField()))


def alert_recipients():
    groups = [ROLES[r].group for r in ALERT_ROLES]
    return list(get_user_model().objects.filter(is_active=True, groups__name__in=groups).distinct())


@transaction.atomic
def check_thresholds(product_ids=None) -> dict:
    """Compare available stock with every threshold (or those of `product_ids`); open and clear alerts.

    Only thresholds whose state changes are touched, so running it again changes nothing.
    """
    qs = StockThreshold.objects.all()
    if product_ids:
        qs = qs.filter(product_id__in=product_ids)
    changed = list(thresholds_with_available(qs).exclude(new_state=F("state"))
                   .select_related("product", "warehouse").select_for_update(of=("self",)))
    now = timezone.now()
    opened = cleared = 0
    recipients = None
    for th in changed:
        cleared += StockAlert.objects.filter(product_id=th.product_id, warehouse_id=th.warehouse_id,
                                             cleared_at__isnull=True).update(cleared_at=now)
        if th.new_state != "ok":
            limit = th.minimum if th.new_state == AlertKind.LOW else th.maximum
            alert = StockAlert.objects.create(product_id=th.product_id, warehouse_id=th.warehouse_id,
                                              kind=th.new_state, available=th.available, limit=limit)
            opened += 1
            if recipients is None:
                recipients = alert_recipients()
            params = {"sku": th.product.sku, "name": th.product.name_zh, "wh": th.warehouse.name_zh,
                      "avail": fmt_qty(th.available), "limit": fmt_qty(limit)}
            msg = (_("Low stock: %(sku)s %(name)s in %(wh)s has %(avail)s available, minimum %(limit)s.")
                   if th.new_state == AlertKind.LOW else
                   _("Overstock: %(sku)s %(name)s in %(wh)s has %(avail)s available, maximum %(limit)s."))
            notify(recipients, lazy_format(msg, **params), reverse("inventory:product", args=[th.product_id]),
                   level="warning", key=f"stock-alert:{alert.pk}")
            if th.new_state == AlertKind.LOW:
                business_event.send(sender="inventory", event="stock.below_minimum", instance=alert)
        StockThreshold.objects.filter(pk=th.pk).update(state=th.new_state)
    if changed:
        log.info("thresholds: %d changed, %d alerts opened, %d cleared", len(changed), opened, cleared)
    return {"changed": len(changed), "opened": opened, "cleared": cleared}

