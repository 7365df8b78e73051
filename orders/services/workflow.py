"""The order's state machine: the transitions, who may start them, the one transition service; reservations and
closing."""

import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.outbox import enqueue_after_commit
from hardware_erp.core.signals import business_event
from hardware_erp.core.states import StateMachine, Transition
from inventory import services as stock

from ..choices import (
    CUSTOMER_NOTICE_STATES,
    REVIEW_ROLE_OF,
    SOLD_STATES,
    DocKind,
    OrderStatus,
    ReviewRole,
    StepStatus,
)
from ..models import (
    OrderLine,
    ReviewStep,
    SalesOrder,
)
from .base import _check_access, _event, _lock, refresh_last_order_dates

log = logging.getLogger(__name__)
ZERO = Decimal("0")
HUNDRED = Decimal("100")
S = OrderStatus


# The order's transitions, declared once on the kernel's StateMachine. Manual ones are started by a button on the
# order page (approval and rejection step by step, through review); the others follow from shipments and payments.
MACHINE = StateMachine([
    Transition({S.DRAFT}, S.SUBMITTED, "orders.change_salesorder", _("Submit for approval")),
    Transition({S.SUBMITTED}, S.APPROVED, "orders.approve_salesorder", _("Approve")),
    Transition({S.SUBMITTED}, S.REJECTED, "orders.approve_salesorder", _("Reject"), style="danger"),
    Transition({S.REJECTED}, S.DRAFT, "orders.change_salesorder", _("Reopen as draft")),
    Transition({S.APPROVED}, S.PICKING, "orders.ship_salesorder", _("Start picking")),
    Transition({S.PICKING, S.PARTIALLY_SHIPPED}, S.PARTIALLY_SHIPPED, "orders.ship_salesorder", _("Ship part"),
               manual=False),
    Transition({S.PICKING, S.PARTIALLY_SHIPPED}, S.SHIPPED, "orders.ship_salesorder", _("Ship"), manual=False),
    Transition({S.SHIPPED}, S.DELIVERED, "orders.ship_salesorder", _("Mark delivered")),
    Transition({S.DELIVERED, S.PARTIALLY_PAID}, S.PARTIALLY_PAID, "orders.add_payment", _("Part paid"), manual=False),
    Transition({S.DELIVERED, S.PARTIALLY_PAID}, S.PAID, "orders.add_payment", _("Paid"), manual=False),
    Transition({S.PAID}, S.CLOSED, "orders.approve_salesorder", _("Close")),
    Transition({S.DRAFT, S.SUBMITTED, S.REJECTED, S.APPROVED, S.PICKING}, S.CANCELLED, "orders.cancel_salesorder",
               _("Cancel"), style="danger"),
])


def rule(to) -> Transition:
    """The one transition into `to` (each order state is entered by one transition)."""
    return MACHINE.by_target[to][0]


def allowed_transitions(order, user) -> list:
    """The manual transitions `user` may start on `order` now (for the buttons)."""
    out = []
    for t in MACHINE.transitions:
        if not t.manual or t.target in (S.APPROVED, S.REJECTED):
            continue  # approval and rejection are decided step by step: review_actions
        if order.kind == DocKind.QUOTATION and t.target != S.CANCELLED:
            continue
        if order.status in t.sources and _may(order, t.target, user) is None:
            out.append((t.target, t.label))
    return out


def _may(order, to, actor):
    """None when actor may move order to `to`, else the reason why not."""
    t = rule(to)
    if to in (S.APPROVED, S.REJECTED):
        # approval and rejection go step by step (approve_order, reject_order); this says whether any step
        # is the actor's to decide
        steps = list(order.review_steps.all())
        pending = [s for s in steps if s.status == StepStatus.PENDING]
        if not pending:
            if actor.pk in (order.created_by_id, order.salesperson_id):
                return _("Nobody approves or rejects an order they created or sell: ask another manager.")
            return None if actor.has_perm(t.permission) else _("You may not approve orders.")
        reasons = [step_refusal(order, s, actor, steps) for s in pending]
        return None if any(r is None for r in reasons) else reasons[0]
    if not actor.has_perm(t.permission):
        return _("You may not do “%(what)s” on orders.") % {"what": t.label}
    return None


def transition(order, to, *, actor, note="", system=False, code="", params=None) -> SalesOrder:
    """Move `order` to status `to`: checks the source state and the actor's permission, writes the event.

    With `system=True` the move follows from another service (a shipment, a payment, the carrier) whose
    own permission check already ran. Moving to the state the order is already in returns it unchanged
    (a double-clicked button). Runs inside the caller's transaction, under a row lock.
    """
    to = S(to)
    with transaction.atomic():
        order = _lock(order)
        if not system:
            if actor is None:
                raise BusinessRuleError(_("Sign in first."), code="anonymous")
            if not actor.has_perm("orders.view_all_salesorders"):
                _check_access(order, actor)
        if order.status == to == S.SUBMITTED:
            return order  # a double-clicked submit
        if MACHINE.find(order, to) is None:
            if to == S.APPROVED and order.status in SOLD_STATES:
                raise BusinessRuleError(_("Order %(n)s was already approved by %(who)s."),
                                        params={"n": order.number, "who": order.approved_by or _("the system")},
                                        code="already")
            raise BusinessRuleError(
                _("Order %(n)s is %(from)s: it cannot go to %(to)s from there."),
                params={"n": order.number, "from": order.get_status_display(), "to": S(to).label}, code="state")
        if not system:
            if to in (S.APPROVED, S.REJECTED):
                raise BusinessRuleError(_("Orders are approved and rejected step by step on the order page."),
                                        code="steps")
            reason = _may(order, to, actor)
            if reason:
                raise BusinessRuleError(reason, code="permission")
        if to == S.REJECTED and not str(note).strip():
            raise BusinessRuleError(_("Say why the order is rejected."), code="reason")
        from_status = order.status
        now = timezone.now()
        updates = {"status": to}
        if to == S.SUBMITTED:
            updates["submitted_at"] = now
        elif to == S.APPROVED:
            updates.update(approved_at=now, approved_by=actor)
        elif to == S.REJECTED:
            updates["rejection_reason"] = str(note)[:255]
        elif to == S.DELIVERED:
            updates["delivered_at"] = now
        elif to == S.PAID:
            updates["paid_at"] = now
        elif to == S.CLOSED:
            updates["closed_at"] = now
        elif to == S.CANCELLED:
            updates["cancelled_at"] = now
        for k, v in updates.items():
            setattr(order, k, v)
        order.save(update_fields=[*updates, "updated_at"])
        event = _event(order, actor=actor, from_status=from_status, to_status=to, note=note, code=code,
                       params=params)
        if (from_status in SOLD_STATES) != (to in SOLD_STATES) and order.kind == DocKind.ORDER:
            refresh_last_order_dates([order.customer_id])
        if to in CUSTOMER_NOTICE_STATES and order.customer_email and order.kind == DocKind.ORDER:
            enqueue_after_commit("orders.email_customer_status_task", event.pk)
        if order.kind == DocKind.ORDER:  # webhooks and group robots subscribe to order.approved, .shipped, ...
            business_event.send(sender="orders", event=f"order.{to}", instance=order)
    return order


def _open_steps(order, codes) -> list:
    by_role = {}
    for code in codes:
        by_role.setdefault(REVIEW_ROLE_OF.get(code, ReviewRole.SALES), []).append(str(code))
    if not by_role:
        by_role[ReviewRole.SALES] = []  # waiting with no recorded reason: a sales manager decides
    return [ReviewStep.objects.create(order=order, role=role, reasons=by_role[role])
            for role in (ReviewRole.SALES, ReviewRole.FINANCE) if role in by_role]


def _steps(order) -> list:
    """The order's review steps, locked, in pk order (opened for an order submitted before steps existed)."""
    steps = list(ReviewStep.objects.select_for_update().filter(order=order).order_by("pk"))
    if not steps and order.status == S.SUBMITTED:
        _open_steps(order, [r.get("code") for r in order.review_reasons or [] if isinstance(r, dict)])
        steps = list(ReviewStep.objects.select_for_update().filter(order=order).order_by("pk"))
    return steps


def step_refusal(order, step, user, steps=None):
    """None when `user` may approve or reject `step` now, else why not (shown where the button would be)."""
    if order.status != S.SUBMITTED or step.status != StepStatus.PENDING:
        return _("This step is decided.")
    if user.pk in (order.created_by_id, order.salesperson_id):
        return _("Nobody approves or rejects an order they created or sell: ask another manager.")
    if not user.has_perm(step.permission):
        if step.role == ReviewRole.FINANCE:
            return _("Order %(n)s is over the customer's credit or has an overdue balance: Finance approves it.") % {
                "n": order.number}
        return _("A Sales Manager approves discounts, margins and short stock.")
    others = steps if steps is not None else order.review_steps.all()
    if any(s.pk != step.pk and s.decided_by_id == user.pk for s in others):
        return _("You decided the other step of this order: another reviewer decides this one.")
    return None


def _reserve(order, *, actor):
    """Reserve each line's quantity in the order's warehouse, as far as stock is available (rest: back-order)."""
    for line in order.lines.select_related("product").order_by("pk"):
        want = line.base_quantity - line.shipped_quantity - line.reserved_quantity
        if want <= 0:
            continue
        avail = stock.available_quantity(line.product, order.warehouse)
        qty = min(want, avail) if not line.product.allow_negative else want
        if qty <= 0:
            continue
        stock.reserve_stock(product=line.product, warehouse=order.warehouse, quantity=qty, reference=order.number,
                            key=line.reservation_key, actor=actor or order.created_by)
        OrderLine.objects.filter(pk=line.pk).update(reserved_quantity=F("reserved_quantity") + qty)


def _release(order, *, actor):
    for line in order.lines.filter(reserved_quantity__gt=0).order_by("pk"):
        try:
            stock.release_reservation(key=line.reservation_key, actor=actor)
        except BusinessRuleError:
            log.warning("no reservation %s to release", line.reservation_key)
        OrderLine.objects.filter(pk=line.pk).update(reserved_quantity=ZERO)


@transaction.atomic
def close_order(order, *, actor, note="") -> SalesOrder:
    return transition(order, S.CLOSED, actor=actor, note=note)
