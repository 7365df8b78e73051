"""Review before approval: the reasons an order needs one, the steps each role decides, submit/approve/reject."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.money import money
from inventory import services as stock

from ..choices import (
    FINANCE_REASONS,
    SOLD_STATES,
    DocKind,
    EventKind,
    OrderStatus,
    ReviewReason,
    StepStatus,
)
from ..models import (
    ReviewSettings,
    ReviewStep,
    SalesOrder,
)
from .base import _check_access, _event, _lock, _reason, customer_balance
from .workflow import _open_steps, _reserve, _steps, step_refusal, transition

ZERO = Decimal("0")
HUNDRED = Decimal("100")
S = OrderStatus


def review(order) -> list[dict]:
    """The reasons an order needs a person's approval: [{code, params, text}]; empty when every rule passes."""
    rules = ReviewSettings.current()
    reasons = []
    customer = order.customer
    if rules.check_credit:
        bal = customer_balance(customer, exclude_order=order)
        grace = timezone.localdate() - timedelta(days=rules.overdue_grace_days)
        overdue = SalesOrder.objects.orders().filter(
            customer=customer, status__in=SOLD_STATES, due_date__lt=grace).exclude(pk=order.pk).aggregate(
            s=Sum(F("total") - F("credited_amount") - F("paid_amount"), default=ZERO))["s"]
        if customer.credit_limit and bal["open"] + order.total > customer.credit_limit:
            reasons.append(_reason(ReviewReason.CREDIT, open=money(bal["open"]), total=order.total,
                                   limit=customer.credit_limit))
        if overdue > 0:
            reasons.append(_reason(ReviewReason.OVERDUE, amount=money(overdue)))
    if order.net_total > 0:
        margin = (order.net_total - order.cost_total) * HUNDRED / order.net_total
        if margin < rules.min_margin_percent:
            reasons.append(_reason(ReviewReason.MARGIN, m=margin.quantize(Decimal("0.1")),
                                   min=rules.min_margin_percent))
    lines = list(order.lines.select_related("product"))
    big = [ln for ln in lines if ln.discount_percent > rules.max_discount_percent]
    if big:
        reasons.append(_reason(ReviewReason.DISCOUNT, max=rules.max_discount_percent, skus=", ".join(
            f"{ln.product.sku} ({ln.discount_percent.normalize():f}%)" for ln in big)))
    if rules.check_stock:
        need = {}
        for ln in lines:
            need[ln.product_id] = need.get(ln.product_id, ZERO) + ln.base_quantity
        short = []
        for ln in lines:
            if ln.product_id in need:
                avail = stock.available_quantity(ln.product, order.warehouse)
                if need[ln.product_id] > avail:
                    short.append(f"{ln.product.sku} ({max(avail, ZERO).normalize():f}/"
                                 f"{need[ln.product_id].normalize():f})")
                need.pop(ln.product_id)
        if short:
            reasons.append(_reason(ReviewReason.STOCK, wh=order.warehouse.name, items=", ".join(short)))
    return reasons


@transaction.atomic
def submit_order(order, *, actor, note="") -> SalesOrder:
    """Submit a draft: run the review rules; approve at once when all pass, else open one review step per role
    the reasons need (Sales Manager: discount, margin, stock; Finance: credit, overdue).

    A second submit of the same order (a double click) changes nothing.
    """
    order = _lock(order)
    if order.status in (S.SUBMITTED, *SOLD_STATES) and order.submitted_at:
        return order  # submitted already (a double click): nothing happens twice
    if order.kind != DocKind.ORDER:
        raise BusinessRuleError(_("A quotation is not submitted; convert it to an order first."), code="kind")
    if not order.lines.exists():
        raise BusinessRuleError(_("Add at least one line before submitting."), code="no_lines")
    reasons = review(order)
    order.review_reasons = reasons
    order.needs_finance = any(r["code"] in FINANCE_REASONS for r in reasons)
    order.rejection_reason = ""
    order.save(update_fields=["review_reasons", "needs_finance", "rejection_reason"])
    order = transition(order, S.SUBMITTED, actor=actor, note=note)
    ReviewStep.objects.filter(order=order).delete()  # a new submission is reviewed afresh
    if not reasons:
        order = transition(order, S.APPROVED, actor=None, system=True, code="review.auto")
        _reserve(order, actor=actor)
    else:
        _open_steps(order, [r["code"] for r in reasons])
        _event(order, actor=None, kind=EventKind.REVIEW, code="review.waiting",
               params={"reasons": [r["code"] for r in reasons]})
        transaction.on_commit(lambda: _notify_approvers(order.pk))
    return order


def review_actions(order, user) -> list[dict]:
    """The order's review steps as the page shows them: each with whether `user` may decide it, and why not."""
    steps = list(order.review_steps.select_related("decided_by").order_by("pk"))
    out = []
    for step in steps:
        reason = step_refusal(order, step, user, steps) if step.status == StepStatus.PENDING else None
        out.append({"step": step, "allowed": step.status == StepStatus.PENDING and reason is None,
                    "reason": reason if step.status == StepStatus.PENDING and order.status == S.SUBMITTED else ""})
    return out


def _pick_step(order, steps, actor, step):
    """The step `actor` decides: the one named, else the first pending one they may decide."""
    if order.status != S.SUBMITTED:
        return None
    if step is not None:
        chosen = next((s for s in steps if s.pk == getattr(step, "pk", step)), None)
        if chosen is None:
            raise BusinessRuleError(_("That review step is not on order %(n)s."), params={"n": order.number},
                                    code="step")
        reason = step_refusal(order, chosen, actor, steps)
        if reason:
            raise BusinessRuleError(reason, code="permission")
        return chosen
    pending = [s for s in steps if s.status == StepStatus.PENDING]
    for s in pending:
        if step_refusal(order, s, actor, steps) is None:
            return s
    if pending:
        raise BusinessRuleError(step_refusal(order, pending[0], actor, steps), code="permission")
    return None


def _notify_approvers(order_id, roles=None):
    from django.urls import reverse

    from hardware_erp.core.services import lazy_format, notify, users_with_perm

    order = SalesOrder.objects.select_related("customer").get(pk=order_id)
    steps = order.review_steps.filter(status=StepStatus.PENDING)
    if roles is not None:
        steps = steps.filter(role__in=roles)
    for step in steps:
        users = users_with_perm(step.permission).filter(is_active=True).exclude(
            pk__in=[order.created_by_id, order.salesperson_id])
        notify(list(users), lazy_format(_("Order %(n)s for %(c)s waits for your approval."), n=order.number,
                                        c=order.customer),
               reverse("orders:order", args=[order.pk]), level="warning",
               key=f"order:{order.pk}:approval:{step.role}:{order.submitted_at:%Y%m%d%H%M%S}")


def _decide_step(order, *, actor, step, to, note):
    """Lock the order and its steps, pick the step `actor` decides and mark it; None when the order is no
    longer waiting (the caller's transition then raises the state error)."""
    if actor is None:
        raise BusinessRuleError(_("Sign in first."), code="anonymous")
    if not actor.has_perm("orders.view_all_salesorders"):
        _check_access(order, actor)
    steps = _steps(order)
    chosen = _pick_step(order, steps, actor, step)
    if chosen is None:
        return None, steps
    if to == S.REJECTED and not str(note).strip():
        raise BusinessRuleError(_("Say why the order is rejected."), code="reason")
    chosen.status = StepStatus.APPROVED if to == S.APPROVED else StepStatus.REJECTED
    chosen.decided_by, chosen.decided_at, chosen.note = actor, timezone.now(), str(note)[:500]
    chosen.save(update_fields=["status", "decided_by", "decided_at", "note"])
    return chosen, steps


@transaction.atomic
def approve_order(order, *, actor, note="", step=None) -> SalesOrder:
    """One reviewer's approval of one step (the one named, else the first they may decide). The order is
    approved, and its stock reserved, when every step is approved. Exactly one wins when two approve the
    same step at once (row locks on the order and its steps)."""
    order = _lock(order)
    chosen, steps = _decide_step(order, actor=actor, step=step, to=S.APPROVED, note=note)
    if chosen is None:
        return transition(order, S.APPROVED, actor=actor, note=note)  # raises the state error
    if any(s.status != StepStatus.APPROVED for s in steps):
        _event(order, actor=actor, kind=EventKind.REVIEW, code="review.step_approved", params={"role": chosen.role},
               note=note)
        return order
    order = transition(order, S.APPROVED, actor=actor, system=True, note=note, code="review.step_approved",
                       params={"role": chosen.role})
    _reserve(order, actor=actor)
    return order


@transaction.atomic
def reject_order(order, *, actor, reason, step=None) -> SalesOrder:
    """A reviewer rejects their step, which rejects the order (with the reason)."""
    order = _lock(order)
    chosen, _steps_ = _decide_step(order, actor=actor, step=step, to=S.REJECTED, note=reason)
    if chosen is None:
        return transition(order, S.REJECTED, actor=actor, note=reason)  # raises the state error
    return transition(order, S.REJECTED, actor=actor, system=True, note=reason, code="review.step_rejected",
                      params={"role": chosen.role})
