"""Cancelling an order, or the back-order of a partly shipped one: reservations released, money paid becomes credit."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.money import quantity

from ..choices import (
    EventKind,
    OrderStatus,
)
from ..models import (
    OrderLine,
    SalesOrder,
)
from .base import _check_access, _event, _lock
from .payments import release_overpayment
from .pricing import recalculate, refigure_line
from .shipping import _after_shipping
from .workflow import _release, transition

ZERO = Decimal("0")
HUNDRED = Decimal("100")
S = OrderStatus


@transaction.atomic
def cancel_order(order, *, actor, reason="") -> SalesOrder:
    """Cancel before anything shipped: reservations are released so the stock is available again. Money
    already paid on the order becomes the customer's credit (to apply to another order or refund)."""
    order = _lock(order)
    order = transition(order, S.CANCELLED, actor=actor, note=reason)
    _release(order, actor=actor)
    release_overpayment(order, actor=actor)
    return order


@transaction.atomic
def cancel_backorder(order, *, actor, reason="") -> SalesOrder:
    """The customer will not take the rest of a partially shipped order: each line shrinks to what shipped, in
    its own unit and at its own price (10 boxes of 20 at ¥147.44 a box stay boxes at ¥147.44). Money paid beyond
    the new total becomes the customer's credit."""
    order = _lock(order)
    _check_access(order, actor)
    if not actor.has_perm("orders.cancel_salesorder"):
        raise BusinessRuleError(_("You may not cancel orders."), code="permission")
    if order.status != S.PARTIALLY_SHIPPED:
        raise BusinessRuleError(_("Only a partially shipped order has a back-order to cancel."), code="state")
    _release(order, actor=actor)
    for line in OrderLine.objects.select_for_update().filter(order=order).order_by("pk"):
        if line.outstanding <= 0:
            continue
        if line.shipped_quantity == 0:
            line.delete()
            continue
        base = line.shipped_quantity
        line.base_quantity = base
        line.quantity = quantity(base / line.factor)
        refigure_line(line, order)
        line.reserved_quantity = ZERO
        line.save(update_fields=["base_quantity", "quantity", "gross_amount", "net_amount", "tax_amount", "amount",
                                 "cost_amount", "reserved_quantity"])
    recalculate(order)
    _event(order, actor=actor, kind=EventKind.NOTE, code="backorder.cancelled", note=reason)
    order = transition(order, S.SHIPPED, actor=actor, system=True, code="backorder.rest")
    _after_shipping(order, actor=actor)
    release_overpayment(order, actor=actor)
    return order
