"""Returns: goods back into a bin, a credit on the order, a red-letter request when it was invoiced."""

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.money import money
from inventory import services as stock
from inventory.choices import MovementKind
from inventory.models import Location

from .. import events
from ..choices import (
    INVOICED_STATES,
    EventKind,
)
from ..models import (
    OrderLine,
    OrderReturn,
    ReturnLine,
    SalesOrder,
)
from .base import _check_access, _event, _lock, _lock_stock_levels, next_number
from .invoices import request_red_letter
from .payments import release_overpayment, sync_payment_status
from .shipping import _locked_lines

ZERO = Decimal("0")
HUNDRED = Decimal("100")


@transaction.atomic
def create_return(order, *, quantities: dict, actor, reason, location=None) -> OrderReturn:
    """Goods back from the customer: stock posted back into a bin through the ledger, a credit on the order."""
    order = _lock(order)
    if not actor.has_perm("orders.add_orderreturn"):
        raise BusinessRuleError(_("You may not record returns."), code="permission")
    _check_access(order, actor)
    if not str(reason).strip():
        raise BusinessRuleError(_("Say why the goods came back."), code="reason")
    if order.status not in INVOICED_STATES:
        raise BusinessRuleError(_("Nothing of %(n)s has shipped, so nothing can come back."),
                                params={"n": order.number}, code="state")
    wanted, lines, errors = _locked_lines(order, quantities, _("Enter a quantity on at least one line."))
    for pk, qty in wanted.items():
        line = lines.get(pk)
        if line is None:
            continue
        if qty < 0 or qty > line.shipped_quantity - line.returned_quantity:
            errors.append(_("%(sku)s: between 0 and %(n)s can come back.") % {
                "sku": line.product.sku, "n": (line.shipped_quantity - line.returned_quantity).normalize()})
    if errors:
        raise BusinessRuleError(errors)
    places = {pk: location or _return_location(order, lines[pk]) for pk in wanted}
    _lock_stock_levels(places=[(lines[pk].product, loc) for pk, loc in places.items()])
    ret = OrderReturn.objects.create(order=order, number=next_number("RT"), reason=reason, created_by=actor)
    total = ZERO
    for pk, qty in wanted.items():
        line = lines[pk]
        loc = places[pk]
        movement = stock.post_movement(product=line.product, quantity=qty, to_location=loc, kind=MovementKind.RETURN,
                                       actor=actor, reference=order.number,
                                       reason_code=events.RETURN_MOVEMENT, reason_params={"r": ret.number},
                                       idempotency_key=f"return:{ret.pk}:{line.pk}")
        credit = money(line.amount * qty / line.base_quantity)
        ReturnLine.objects.create(order_return=ret, order_line=line, location=loc, quantity=qty,
                                  credit_amount=credit, movement=movement)
        OrderLine.objects.filter(pk=line.pk).update(returned_quantity=F("returned_quantity") + qty)
        total += credit
    ret.credit_amount = total
    ret.save(update_fields=["credit_amount"])
    SalesOrder.objects.filter(pk=order.pk).update(credited_amount=F("credited_amount") + total)
    _event(order, actor=actor, kind=EventKind.RETURN, code="return.recorded",
           params={"ret": ret.number, "amount": str(total)}, note=reason)
    release_overpayment(order, actor=actor)
    sync_payment_status(order, actor=actor)
    request_red_letter(ret, actor=actor)
    return ret


def _return_location(order, line) -> Location:
    shipped_from = line.shipment_lines.order_by("-pk").values_list("location_id", flat=True).first()
    if shipped_from:
        return Location.objects.get(pk=shipped_from)
    loc = Location.objects.filter(warehouse=order.warehouse, active=True).order_by("code").first()
    if loc is None:
        raise BusinessRuleError(_("%(wh)s has no open bin to take the return into."),
                                params={"wh": order.warehouse.name}, code="no_bin")
    return loc
