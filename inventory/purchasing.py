"""Purchase order services: creation, the lifecycle (one transitions table), receiving into locations."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.money import price as to_price
from hardware_erp.core.phrases import qty as qty_param
from hardware_erp.core.states import StateMachine, Transition
from hardware_erp.core.templatetags.erp import qty as fmt_qty

from . import events, services
from .choices import MovementKind, POStatus
from .models import PurchaseOrder, PurchaseOrderEvent, PurchaseOrderLine, StockMovement, SupplierProduct

P = POStatus

# a purchase order's life; receipts (partial / received) follow from receiving, not from a button
MACHINE = StateMachine([
    Transition({P.DRAFT}, P.APPROVED, "inventory.approve_purchaseorder", _("Approve"), style="success"),
    Transition({P.APPROVED}, P.SENT, "inventory.change_purchaseorder", _("Send to supplier")),
    Transition({P.APPROVED}, P.DRAFT, "inventory.change_purchaseorder", _("Back to draft"),
               style="outline-secondary"),
    Transition({P.SENT, P.PARTIAL}, P.PARTIAL, "inventory.receive_purchaseorder", _("Receive"), manual=False),
    Transition({P.SENT, P.PARTIAL}, P.RECEIVED, "inventory.receive_purchaseorder", _("Receive"), manual=False),
    Transition({P.DRAFT, P.APPROVED, P.SENT}, P.CANCELLED, "inventory.change_purchaseorder", _("Cancel order"),
               style="outline-danger"),
])


def allowed_transitions(order, user) -> list[str]:
    return [a.target for a in MACHINE.actions(order, user) if a.allowed]


@transaction.atomic
def transition(order, to, *, actor, note="") -> PurchaseOrder:
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    to = POStatus(to)
    MACHINE.check(order, to, actor)
    if to == POStatus.APPROVED and not order.lines.exists():
        raise BusinessRuleError(_("Add at least one line before approving."), code="empty")
    PurchaseOrderEvent.objects.create(order=order, from_status=order.status, to_status=to, actor=actor, note=note)
    order.status = to
    order.save(update_fields=["status", "updated_at"])
    return order


@transaction.atomic
def create_purchase_order(*, supplier, warehouse, lines, actor, expected_at=None, note="",
                          origin="") -> PurchaseOrder:
    """lines: [(product, quantity, unit_price or None)]; the price defaults to the supplier's price. `note` is what
    the purchaser typed; `origin` an event code saying where the order came from (inventory/events.py)."""
    if not lines:
        raise BusinessRuleError(_("A purchase order needs at least one line."), code="empty")
    prices = dict(SupplierProduct.objects.filter(supplier=supplier, product__in=[p for p, *_ in lines])
                  .values_list("product_id", "price"))
    order = PurchaseOrder.objects.create(number="", supplier=supplier, warehouse=warehouse, expected_at=expected_at,
                                         note=note, created_by=actor)
    order.number = f"PO{order.pk:06d}"
    order.save(update_fields=["number"])
    PurchaseOrderLine.objects.bulk_create([
        PurchaseOrderLine(order=order, product=p, quantity=services.parse_quantity(q),
                          unit_price=to_price(price if price is not None else prices.get(p.pk, p.standard_cost)))
        for p, q, price in lines])
    PurchaseOrderEvent.objects.create(order=order, from_status="", to_status=POStatus.DRAFT, actor=actor, note=note,
                                      code=origin)
    return order


@transaction.atomic
def receive_purchase_order(*, order, receipts, actor, key) -> list:
    """receipts: [(line, quantity, location)]. Posts one receipt movement per line at the line's price.

    Every line is checked before anything is written; over-receipt and wrong warehouses are refused
    with all problems listed at once. `key` (one per submitted form) makes a retried submission harmless.
    """
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    if not actor.has_perm("inventory.receive_purchaseorder"):
        raise PermissionDenied(_("You may not receive purchase orders."))
    if order.status not in (POStatus.SENT, POStatus.PARTIAL):
        raise BusinessRuleError(_("Only a sent purchase order can be received (%(number)s is %(status)s)."),
                                params={"number": order.number, "status": order.get_status_display()})
    replay = StockMovement.objects.filter(idempotency_key__startswith=f"po-receipt:{key}:")
    if replay.exists():  # the same form submitted again: already done
        return list(replay)
    lines = {ln.pk: ln for ln in PurchaseOrderLine.objects.select_for_update().filter(order=order)
             .select_related("product").order_by("pk")}
    errors, todo = [], []
    for line, qty, location in receipts:
        if qty in (None, "", 0, Decimal(0), "0"):
            continue
        line = lines.get(line.pk)
        if line is None:
            errors.append(_("A line does not belong to this purchase order."))
            continue
        try:
            q = services.parse_quantity(qty)
        except BusinessRuleError as exc:
            errors.append(f"{line.product.sku}: {exc.messages[0]}")
            continue
        if location is None or location.warehouse_id != order.warehouse_id:
            errors.append(_("%(sku)s: choose a location in %(wh)s.") % {"sku": line.product.sku,
                                                                       "wh": order.warehouse.name})
            continue
        if q > line.outstanding:
            errors.append(_("%(sku)s: %(qty)s is more than the %(left)s still to receive; over-receipt is refused.")
                          % {"sku": line.product.sku, "qty": fmt_qty(q), "left": fmt_qty(line.outstanding)})
            continue
        todo.append((line, q, location))
    if errors:
        raise BusinessRuleError(errors)
    if not todo:
        raise BusinessRuleError(_("Enter the quantity received on at least one line."), code="empty")
    movements = []
    for line, q, location in todo:
        movements.append(services.post_movement(
            product=line.product, quantity=q, to_location=location, kind=MovementKind.RECEIPT, actor=actor,
            reference=order.number, unit_cost=line.unit_price, idempotency_key=f"po-receipt:{key}:{line.pk}"))
        PurchaseOrderLine.objects.filter(pk=line.pk).update(received_quantity=F("received_quantity") + q)
    done = not PurchaseOrderLine.objects.filter(order=order, received_quantity__lt=F("quantity")).exists()
    to = POStatus.RECEIVED if done else POStatus.PARTIAL
    MACHINE.check(order, to, actor)
    PurchaseOrderEvent.objects.create(order=order, from_status=order.status, to_status=to, actor=actor,
                                      code=events.PO_RECEIVED,
                                      params={"lines": [{"code": events.PO_LINE, "params": {
                                          "sku": ln.product.sku, "q": qty_param(q)}} for ln, q, _ in todo]})
    order.status = to
    order.save(update_fields=["status", "updated_at"])
    return movements
