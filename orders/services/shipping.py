"""Picking, shipping, tracking and delivery."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.money import quantity
from hardware_erp.core.outbox import enqueue_after_commit
from inventory import services as stock
from inventory.choices import MovementKind
from inventory.models import StockLevel

from .. import events
from ..choices import (
    EventKind,
    OrderStatus,
    ShipmentStatus,
)
from ..models import (
    OrderLine,
    SalesOrder,
    Shipment,
    ShipmentLine,
    TrackingEvent,
)
from .base import _event, _lock, _lock_stock_levels, next_number
from .payments import sync_payment_status
from .workflow import _may, transition

ZERO = Decimal("0")
HUNDRED = Decimal("100")
S = OrderStatus


def picking_plan(order) -> list[dict]:
    """For each line still to ship: which bins to take it from, in bin order (the picking list)."""
    out = []
    lines = list(order.lines.select_related("product", "product__base_unit").filter(
        shipped_quantity__lt=F("base_quantity")).order_by("position"))
    levels = {}
    for lv in (StockLevel.objects.filter(product__in=[ln.product_id for ln in lines], warehouse=order.warehouse,
                                         on_hand__gt=0, location__active=True)
               .select_related("location").order_by("location__code")):
        levels.setdefault(lv.product_id, []).append(lv)
    for line in lines:
        left = line.outstanding
        for lv in levels.get(line.product_id, []):
            if left <= 0:
                break
            take = min(left, lv.on_hand)
            out.append({"line": line, "location": lv.location, "quantity": take, "on_hand": lv.on_hand})
            left -= take
        if left > 0:
            out.append({"line": line, "location": None, "quantity": left, "on_hand": ZERO})
    out.sort(key=lambda r: (r["location"] is None, r["location"].code if r["location"] else "", r["line"].position))
    return out


@transaction.atomic
def start_picking(order, *, actor, note="") -> SalesOrder:
    return transition(order, S.PICKING, actor=actor, note=note)


def _locked_lines(order, quantities, nothing_message):
    """The non-zero quantities by line id, those lines of `order` locked, and errors for unknown lines."""
    wanted = {int(k): quantity(v) for k, v in quantities.items() if v not in (None, "") and quantity(v) != 0}
    if not wanted:
        raise BusinessRuleError(nothing_message, code="nothing")
    # of=("self",): only the lines; a plain FOR UPDATE would lock their products too, one by one in line order,
    # and block every stock posting of those products (its movement's foreign key) until this one commits
    lines = {ln.pk: ln for ln in OrderLine.objects.select_for_update(of=("self",)).select_related("product").filter(
        order=order, pk__in=wanted).order_by("pk")}
    errors = [_("Line %(pk)s is not on this order.") % {"pk": pk} for pk in wanted if pk not in lines]
    return wanted, lines, errors


@transaction.atomic
def ship_order(order, *, quantities: dict, actor, carrier=None, tracking_number="", packages=1, weight_kg=None,
               note="") -> Shipment:
    """Ship quantities (base units, by order line id): a shipment, issue movements from the bins through the
    inventory ledger, the reservations consumed, all in one transaction. Less than ordered leaves a
    back-order (partially shipped)."""
    order = _lock(order)
    if not actor.has_perm("orders.ship_salesorder"):
        raise BusinessRuleError(_("You may not ship orders."), code="permission")
    if order.status == S.APPROVED:
        order = transition(order, S.PICKING, actor=actor, code="picking.started")
    if order.status not in (S.PICKING, S.PARTIALLY_SHIPPED):
        raise BusinessRuleError(_("Order %(n)s is %(s)s: it cannot be shipped."),
                                params={"n": order.number, "s": order.get_status_display()}, code="state")
    wanted, lines, errors = _locked_lines(order, quantities, _("Enter a quantity to ship on at least one line."))
    _lock_stock_levels(products=[ln.product_id for ln in lines.values()], warehouse=order.warehouse)
    for pk, qty in wanted.items():
        line = lines.get(pk)
        if line is None:
            continue
        if qty < 0:
            errors.append(_("%(sku)s: a quantity to ship must be positive.") % {"sku": line.product.sku})
        elif qty > line.outstanding:
            errors.append(_("%(sku)s: %(qty)s is more than the %(left)s still to ship.") % {
                "sku": line.product.sku, "qty": qty.normalize(), "left": line.outstanding.normalize()})
        else:
            free = max(stock.available_quantity(line.product, order.warehouse), ZERO)
            if qty > line.reserved_quantity + free:
                errors.append(_("%(sku)s: only %(n)s can be shipped (reserved for this order plus available).") % {
                    "sku": line.product.sku, "n": (line.reserved_quantity + free).normalize()})
    if errors:
        raise BusinessRuleError(errors)
    if tracking_number and Shipment.objects.filter(carrier=carrier, tracking_number=tracking_number).exists():
        raise BusinessRuleError(_("Tracking number %(t)s is already on another shipment."),
                                params={"t": tracking_number}, code="tracking_taken")
    shipment = Shipment.objects.create(
        order=order, number=next_number("SH"), warehouse=order.warehouse, carrier=carrier,
        tracking_number=(tracking_number or "").strip(), packages=packages or 1, weight_kg=weight_kg, note=note,
        created_by=actor)
    for pk, qty in wanted.items():
        line = lines[pk]
        left = qty
        bins = (StockLevel.objects.filter(product=line.product, warehouse=order.warehouse, on_hand__gt=0,
                                          location__active=True).select_related("location").order_by("location__code"))
        for lv in bins:
            if left <= 0:
                break
            take = min(left, lv.on_hand)
            movement = stock.post_movement(
                product=line.product, quantity=take, from_location=lv.location, kind=MovementKind.ISSUE, actor=actor,
                reference=order.number, reason_code=events.SHIPMENT_MOVEMENT, reason_params={"s": shipment.number},
                idempotency_key=f"shipment:{shipment.pk}:{line.pk}:{lv.location_id}")
            ShipmentLine.objects.create(shipment=shipment, order_line=line, location=lv.location, quantity=take,
                                        movement=movement)
            left -= take
        if left > 0:
            raise BusinessRuleError(_("%(sku)s: %(left)s more are needed than are on hand in %(wh)s."),
                                    params={"sku": line.product.sku, "left": left.normalize(),
                                            "wh": order.warehouse.name}, code="not_on_hand")
        use = min(qty, line.reserved_quantity)
        if use > 0:
            stock.release_reservation(key=line.reservation_key, actor=actor, quantity=use)
        OrderLine.objects.filter(pk=line.pk).update(shipped_quantity=F("shipped_quantity") + qty,
                                                    reserved_quantity=F("reserved_quantity") - use)
    complete = not order.lines.filter(shipped_quantity__lt=F("base_quantity")).exists()
    order = transition(order, S.SHIPPED if complete else S.PARTIALLY_SHIPPED, actor=actor, system=True,
                       code="shipment.sent", params={"s": shipment.number})
    _event(order, actor=actor, kind=EventKind.SHIPMENT, code="shipment.sent", params={"s": shipment.number})
    _after_shipping(order, actor=actor)
    if carrier is not None and shipment.tracking_number and carrier.adapter != "manual":
        enqueue_after_commit("orders.subscribe_tracking_task", shipment.pk)
    return shipment


def _after_shipping(order, *, actor):
    """First shipment dates the invoice: due date = first shipment + payment terms."""
    if order.shipped_at is None:
        now = timezone.now()
        SalesOrder.objects.filter(pk=order.pk).update(
            shipped_at=now, due_date=timezone.localdate(now) + timedelta(days=order.payment_terms_days))
        order.shipped_at = now
        order.due_date = timezone.localdate(now) + timedelta(days=order.payment_terms_days)


@transaction.atomic
def record_tracking(shipment, events, *, source="manual", actor=None) -> int:
    """Store new tracking events (each once: repeated pushes and polls add nothing) and follow the
    latest state; a delivered event marks the shipment (and maybe the order) delivered. Returns how many
    events were new."""
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    existing = set(shipment.tracking_events.values_list("occurred_at", "description"))
    new = []
    for ev in events:
        key = (ev["occurred_at"], ev["description"][:500])
        if key in existing:
            continue
        existing.add(key)
        new.append(TrackingEvent(shipment=shipment, occurred_at=ev["occurred_at"], status=ev["status"],
                                 description=ev["description"][:500], location=(ev.get("location") or "")[:120],
                                 source=source, recorded_by=actor))
    TrackingEvent.objects.bulk_create(new, ignore_conflicts=True)
    latest = shipment.tracking_events.order_by("-occurred_at", "-pk").first()
    if latest is not None and shipment.status != ShipmentStatus.DELIVERED:
        if latest.status == ShipmentStatus.DELIVERED:
            mark_delivered(shipment, actor=actor, at=latest.occurred_at, system=actor is None)
        elif latest.status != shipment.status:
            Shipment.objects.filter(pk=shipment.pk).update(status=latest.status)
    return len(new)


@transaction.atomic
def mark_delivered(shipment, *, actor, at=None, system=False) -> Shipment:
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if not system and not actor.has_perm("orders.ship_salesorder"):
        raise BusinessRuleError(_("You may not update shipments."), code="permission")
    if shipment.status == ShipmentStatus.DELIVERED:
        return shipment
    shipment.status = ShipmentStatus.DELIVERED
    shipment.delivered_at = at or timezone.now()
    shipment.save(update_fields=["status", "delivered_at"])
    order = shipment.order
    if order.status == S.SHIPPED and not order.shipments.exclude(status=ShipmentStatus.DELIVERED).exists():
        order = transition(order, S.DELIVERED, actor=actor, system=True, code="shipment.delivered",
                           params={"s": shipment.number})
        sync_payment_status(order, actor=actor)
    return shipment


@transaction.atomic
def deliver_order(order, *, actor, note="") -> SalesOrder:
    """Staff confirm delivery of every shipment (manual carriers, pick-up at the counter)."""
    order = _lock(order)
    if order.status != S.SHIPPED:
        return transition(order, S.DELIVERED, actor=actor, note=note)  # raises the state error
    reason = _may(order, S.DELIVERED, actor)
    if reason:
        raise BusinessRuleError(reason, code="permission")
    for sh in order.shipments.exclude(status=ShipmentStatus.DELIVERED):
        mark_delivered(sh, actor=actor)
    order.refresh_from_db()
    if order.status == S.SHIPPED:  # an order with no shipment rows (should not happen)
        order = transition(order, S.DELIVERED, actor=actor, note=note)
    return order
