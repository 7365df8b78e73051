"""Orders writes: quotations and orders, the state machine, review, stock, shipping, payments, returns.

Every function is keyword-only after its subject, takes the acting user and raises BusinessRuleError
with a message a user can read. Rows several people change at once (orders, lines) are locked with
select_for_update in primary-key order; stock goes through inventory.services only.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm import services as crm_services
from crm.models import Customer
from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.money import money, quantity
from hardware_erp.core.outbox import enqueue_after_commit
from inventory import services as stock
from inventory.choices import MovementKind
from inventory.models import Location, Product, StockLevel

from .choices import (
    CUSTOMER_NOTICE_STATES,
    FINANCE_REASONS,
    INVOICED_STATES,
    REVIEW_ROLE_OF,
    SOLD_STATES,
    CarrierAdapter,
    CreditSource,
    DocKind,
    EventKind,
    InvoiceStatus,
    OrderStatus,
    RefundStatus,
    ReviewReason,
    ReviewRole,
    ShipmentStatus,
    StepStatus,
)
from .events import reason_text
from .models import (
    Carrier,
    CreditApplication,
    CustomerCredit,
    DocumentCounter,
    InvoiceRequest,
    OrderEvent,
    OrderLine,
    OrderReturn,
    Payment,
    PaymentAllocation,
    PriceRule,
    Refund,
    ReturnLine,
    ReviewSettings,
    ReviewStep,
    SalesOrder,
    Shipment,
    ShipmentLine,
    TrackingEvent,
)
from .selectors import last_order_date_expression

log = logging.getLogger(__name__)
ZERO = Decimal("0")
HUNDRED = Decimal("100")
S = OrderStatus


# --------------------------------------------------------------------------- numbering

def next_number(prefix: str) -> str:
    """SO20261100017: prefix, year and month, a counter per month taken under a row lock."""
    key = f"{prefix}{timezone.localdate():%Y%m}"
    with transaction.atomic():
        DocumentCounter.objects.get_or_create(prefix=key)
        counter = DocumentCounter.objects.select_for_update().get(prefix=key)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"{key}{counter.last:05d}"


# --------------------------------------------------------------------------- pricing

def _rule_discount(customer, product, base_qty) -> Decimal:
    rules = (PriceRule.objects.filter(active=True, min_quantity__lte=base_qty)
             .filter(Q(level="") | Q(level=customer.level))
             .filter(Q(product=product) | Q(product__isnull=True))
             .filter(Q(category__isnull=True) | Q(category_id=product.category_id)))
    best = rules.aggregate(m=Max("discount_percent"))["m"]
    return Decimal(best or ZERO)


def price_for(customer, product, base_qty) -> tuple[Decimal, Decimal]:
    """(list price per base unit, discount %) from the customer's level and the quantity breaks."""
    return Decimal(product.list_price), _rule_discount(customer, product, base_qty)


def price_floor(product) -> Decimal:
    """The lowest price per base unit anyone may sell at: the cost of the product."""
    return Decimal(product.standard_cost or product.average_cost or 0)


@dataclass
class LineInput:
    product: Product
    quantity: Decimal
    unit: object = None
    discount_percent: Decimal | None = None
    unit_price: Decimal | None = None
    tax_rate: Decimal | None = None


def _factor(product, unit) -> Decimal:
    if unit is None or unit.pk == product.base_unit_id:
        return Decimal("1")
    pu = product.units.filter(unit=unit).first()
    if pu is None:
        raise BusinessRuleError(
            _("%(product)s is not sold in %(unit)s; choose %(base)s or a unit set up on the product."),
            params={"product": product.sku, "unit": unit.name, "base": product.base_unit.name}, code="unit")
    return pu.factor


def _fill_line(line: OrderLine, order: SalesOrder, data: LineInput, settings_row: ReviewSettings):
    product = data.product
    if not product.active:
        raise BusinessRuleError(_("%(sku)s is no longer sold."), params={"sku": product.sku}, code="inactive")
    qty = stock.parse_quantity(data.quantity)
    unit = data.unit or product.base_unit
    factor = _factor(product, unit)
    base_qty = quantity(qty * factor)
    list_base, rule_disc = price_for(order.customer, product, base_qty)
    list_unit = money(list_base * factor)
    if data.unit_price not in (None, ""):
        unit_price = money(data.unit_price)
        if unit_price < 0:
            raise BusinessRuleError(_("A price cannot be negative."), code="price")
        disc = ((1 - unit_price / list_unit) * HUNDRED).quantize(Decimal("0.01")) if list_unit else ZERO
    else:
        disc = Decimal(data.discount_percent) if data.discount_percent not in (None, "") else rule_disc
        if disc < 0 or disc > HUNDRED:
            raise BusinessRuleError(_("A discount is between 0 and 100%% (it was %(d)s%%)."), params={"d": disc},
                                    code="discount")
        unit_price = money(list_unit * (1 - disc / HUNDRED))
    floor = money(price_floor(product) * factor)
    if unit_price < floor:
        raise BusinessRuleError(
            _("The price %(price)s for %(sku)s per %(unit)s is below the floor of %(floor)s (the cost)."),
            params={"price": unit_price, "sku": product.sku, "unit": unit.name, "floor": floor}, code="floor")
    tax_rate = Decimal(data.tax_rate) if data.tax_rate not in (None, "") else settings_row.default_tax_rate
    line.product, line.unit, line.quantity, line.factor, line.base_quantity = product, unit, qty, factor, base_qty
    line.list_price, line.unit_price, line.discount_percent, line.tax_rate = list_unit, unit_price, disc, tax_rate
    line.gross_amount = money(qty * list_unit)
    line.net_amount = money(qty * unit_price)
    line.tax_amount = money(line.net_amount * tax_rate / HUNDRED)
    line.amount = line.net_amount + line.tax_amount
    line.unit_cost = Decimal(product.average_cost or product.standard_cost or 0)
    line.cost_amount = money(base_qty * line.unit_cost)
    return line


def recalculate(order: SalesOrder) -> SalesOrder:
    """Order totals as the sums of the lines (each line rounded once)."""
    agg = order.lines.aggregate(gross=Sum("gross_amount"), net=Sum("net_amount"), tax=Sum("tax_amount"),
                                amount=Sum("amount"), cost=Sum("cost_amount"))
    order.subtotal = agg["gross"] or ZERO
    order.net_total = agg["net"] or ZERO
    order.discount_total = order.subtotal - order.net_total
    order.tax_total = agg["tax"] or ZERO
    order.total = agg["amount"] or ZERO
    order.cost_total = agg["cost"] or ZERO
    SalesOrder.objects.filter(pk=order.pk).update(
        subtotal=order.subtotal, net_total=order.net_total, discount_total=order.discount_total,
        tax_total=order.tax_total, total=order.total, cost_total=order.cost_total)
    return order


HEADER_FIELDS = ("warehouse", "requested_date", "valid_until", "delivery_address", "contact_name", "contact_phone",
                 "customer_email", "payment_terms_days", "notes", "salesperson")


def _event(order, *, actor, kind=EventKind.TRANSITION, from_status="", to_status="", note="", code="",
           params=None) -> OrderEvent:
    return OrderEvent.objects.create(order=order, actor=actor, kind=kind, from_status=from_status,
                                     to_status=to_status, note=str(note or ""), code=code, params=params or {})


@transaction.atomic
def create_order(*, customer, lines, actor, kind=DocKind.ORDER, warehouse, opportunity=None, quotation=None,
                 **header) -> SalesOrder:
    """A draft quotation or order with its lines priced from the customer's level."""
    if customer.merged_into_id:
        raise BusinessRuleError(_("%(c)s was merged into another customer; use that one."),
                                params={"c": customer}, code="merged")
    lines = [ln if isinstance(ln, LineInput) else LineInput(**ln) for ln in lines]
    if not lines:
        raise BusinessRuleError(_("Add at least one line."), code="no_lines")
    order = SalesOrder(kind=kind, number=next_number("QT" if kind == DocKind.QUOTATION else "SO"),
                       customer=customer, created_by=actor, warehouse=warehouse, opportunity=opportunity,
                       quotation=quotation)
    order.salesperson = header.pop("salesperson", None) or customer.owner or actor
    for name, value in _header_defaults(customer, header).items():
        if name not in HEADER_FIELDS:
            raise TypeError(f"unknown order field {name}")
        if value is not None:
            setattr(order, name, value)
    if kind == DocKind.QUOTATION and not order.valid_until:
        order.valid_until = timezone.localdate() + timedelta(days=30)
    order.save()
    _write_lines(order, lines)
    recalculate(order)
    _event(order, actor=actor, to_status=S.DRAFT,
           note=_("Created from quotation %(q)s") % {"q": quotation.number} if quotation else "")
    return order


def _header_defaults(customer, header, *, given_only=False) -> dict:
    """Empty payment terms and delivery address come from the customer (`given_only`: only those in `header`)."""
    header = dict(header)
    if header.get("payment_terms_days") is None and (not given_only or "payment_terms_days" in header):
        header["payment_terms_days"] = customer.payment_terms_days
    if not header.get("delivery_address") and (not given_only or "delivery_address" in header):
        header["delivery_address"] = " ".join(
            p for p in (customer.province, customer.city, customer.district, customer.address) if p)
    return header


def _write_lines(order, lines):
    settings_row = ReviewSettings.current()
    objs = []
    for pos, data in enumerate(lines, start=1):
        objs.append(_fill_line(OrderLine(order=order, position=pos), order, data, settings_row))
    OrderLine.objects.bulk_create(objs)


def _lock(order) -> SalesOrder:
    return SalesOrder.objects.select_for_update().select_related("customer").get(pk=order.pk)


@transaction.atomic
def update_order(order, *, lines=None, actor, customer=None, **header) -> SalesOrder:
    """Change a draft: header fields and (when given) all its lines. The customer never changes."""
    order = _lock(order)
    _check_access(order, actor)
    if order.status != S.DRAFT:
        raise BusinessRuleError(_("Only a draft can be changed; %(number)s is %(status)s."),
                                params={"number": order.number, "status": order.get_status_display()},
                                code="not_draft")
    if customer is not None and customer.pk != order.customer_id:
        raise BusinessRuleError(_("The customer of an order cannot change; start a new one."), code="customer")
    header = _header_defaults(order.customer, header, given_only=True)
    for name, value in header.items():
        if name not in HEADER_FIELDS:
            raise TypeError(f"unknown order field {name}")
        setattr(order, name, value)
    order.save()
    if lines is not None:
        lines = [ln if isinstance(ln, LineInput) else LineInput(**ln) for ln in lines]
        if not lines:
            raise BusinessRuleError(_("Add at least one line."), code="no_lines")
        order.lines.all().delete()
        _write_lines(order, lines)
    recalculate(order)
    return order


@transaction.atomic
def convert_quotation(quotation, *, actor) -> SalesOrder:
    """A draft order with the quotation's lines and prices; the quotation is marked converted. Once only."""
    quotation = _lock(quotation)
    _check_access(quotation, actor)
    if quotation.kind != DocKind.QUOTATION:
        raise BusinessRuleError(_("%(n)s is not a quotation."), params={"n": quotation.number}, code="kind")
    if quotation.status == S.CONVERTED:
        done = quotation.converted_orders.order_by("pk").first()
        if done is not None:
            return done
    if quotation.status != S.DRAFT:
        raise BusinessRuleError(_("The quotation %(n)s is %(s)s and cannot become an order."),
                                params={"n": quotation.number, "s": quotation.get_status_display()}, code="state")
    if quotation.valid_until and quotation.valid_until < timezone.localdate():
        raise BusinessRuleError(_("The quotation %(n)s expired on %(d)s; copy it into a new quotation first."),
                                params={"n": quotation.number, "d": quotation.valid_until}, code="expired")
    order = SalesOrder.objects.create(
        kind=DocKind.ORDER, number=next_number("SO"), customer=quotation.customer, salesperson=quotation.salesperson,
        created_by=actor, warehouse=quotation.warehouse, quotation=quotation, opportunity=quotation.opportunity,
        requested_date=quotation.requested_date, delivery_address=quotation.delivery_address,
        contact_name=quotation.contact_name, contact_phone=quotation.contact_phone,
        customer_email=quotation.customer_email, payment_terms_days=quotation.payment_terms_days,
        notes=quotation.notes)
    copies = []
    for line in quotation.lines.all():
        line.pk, line.order = None, order
        line.reserved_quantity = line.shipped_quantity = line.returned_quantity = ZERO
        copies.append(line)
    OrderLine.objects.bulk_create(copies)
    recalculate(order)
    _event(order, actor=actor, to_status=S.DRAFT, note=_("Created from quotation %(q)s") % {"q": quotation.number})
    SalesOrder.objects.filter(pk=quotation.pk).update(status=S.CONVERTED)
    _event(quotation, actor=actor, from_status=S.DRAFT, to_status=S.CONVERTED,
           note=_("Converted to order %(o)s") % {"o": order.number})
    return order


# --------------------------------------------------------------------------- the state machine

@dataclass(frozen=True)
class Rule:
    sources: frozenset
    perm: str
    label: object


TRANSITIONS = {
    S.SUBMITTED: Rule(frozenset({S.DRAFT}), "orders.change_salesorder", _("Submit for approval")),
    S.APPROVED: Rule(frozenset({S.SUBMITTED}), "orders.approve_salesorder", _("Approve")),
    S.REJECTED: Rule(frozenset({S.SUBMITTED}), "orders.approve_salesorder", _("Reject")),
    S.DRAFT: Rule(frozenset({S.REJECTED}), "orders.change_salesorder", _("Reopen as draft")),
    S.PICKING: Rule(frozenset({S.APPROVED}), "orders.ship_salesorder", _("Start picking")),
    S.PARTIALLY_SHIPPED: Rule(frozenset({S.PICKING, S.PARTIALLY_SHIPPED}), "orders.ship_salesorder",
                              _("Ship part")),
    S.SHIPPED: Rule(frozenset({S.PICKING, S.PARTIALLY_SHIPPED}), "orders.ship_salesorder", _("Ship")),
    S.DELIVERED: Rule(frozenset({S.SHIPPED}), "orders.ship_salesorder", _("Mark delivered")),
    S.PARTIALLY_PAID: Rule(frozenset({S.DELIVERED, S.PARTIALLY_PAID}), "orders.add_payment", _("Part paid")),
    S.PAID: Rule(frozenset({S.DELIVERED, S.PARTIALLY_PAID}), "orders.add_payment", _("Paid")),
    S.CLOSED: Rule(frozenset({S.PAID}), "orders.approve_salesorder", _("Close")),
    S.CANCELLED: Rule(frozenset({S.DRAFT, S.SUBMITTED, S.REJECTED, S.APPROVED, S.PICKING}),
                      "orders.cancel_salesorder", _("Cancel")),
}
# Transitions a user starts with a button on the order page (the others follow from shipments and payments).
MANUAL = (S.SUBMITTED, S.APPROVED, S.REJECTED, S.DRAFT, S.PICKING, S.DELIVERED, S.CLOSED, S.CANCELLED)


def _check_access(order, actor):
    if actor is None:
        return
    if not SalesOrder.objects.for_user(actor).filter(pk=order.pk).exists():
        raise BusinessRuleError(_("You cannot work on order %(n)s: it belongs to another salesperson."),
                                params={"n": order.number}, code="not_yours")


def allowed_transitions(order, user) -> list:
    """The manual transitions `user` may start on `order` now (for the buttons)."""
    out = []
    for to in MANUAL:
        rule = TRANSITIONS[to]
        if to in (S.APPROVED, S.REJECTED):
            continue  # decided step by step: review_actions
        if order.kind == DocKind.QUOTATION and to != S.CANCELLED:
            continue
        if order.status in rule.sources and _may(order, to, user) is None:
            out.append((to, rule.label))
    return out


def _may(order, to, actor):
    """None when actor may move order to `to`, else the reason why not."""
    rule = TRANSITIONS[to]
    if to in (S.APPROVED, S.REJECTED):
        # approval and rejection go step by step (approve_order, reject_order); this says whether any step
        # is the actor's to decide
        steps = list(order.review_steps.all())
        pending = [s for s in steps if s.status == StepStatus.PENDING]
        if not pending:
            if actor.pk in (order.created_by_id, order.salesperson_id):
                return _("Nobody approves or rejects an order they created or sell: ask another manager.")
            return None if actor.has_perm(rule.perm) else _("You may not approve orders.")
        reasons = [step_refusal(order, s, actor, steps) for s in pending]
        return None if any(r is None for r in reasons) else reasons[0]
    if not actor.has_perm(rule.perm):
        return _("You may not do “%(what)s” on orders.") % {"what": rule.label}
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
        rule = TRANSITIONS[to]
        if order.status not in rule.sources:
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
    return order


def refresh_last_order_dates(customer_ids=None) -> int:
    """Recompute the customers' last order date kept by the CRM (all customers when `customer_ids` is None)."""
    return crm_services.set_last_order_dates(last_order_date_expression(), customer_ids=customer_ids)


# --------------------------------------------------------------------------- review

def customer_balance(customer, *, exclude_order=None) -> dict:
    """Outstanding amounts of a customer over approved and later orders: total and overdue."""
    qs = SalesOrder.objects.orders().filter(customer=customer, status__in=SOLD_STATES)
    if exclude_order is not None:
        qs = qs.exclude(pk=exclude_order.pk)
    bal = F("total") - F("credited_amount") - F("paid_amount")
    today = timezone.localdate()
    agg = qs.aggregate(open=Sum(bal, default=ZERO),
                       overdue=Sum(bal, filter=Q(due_date__lt=today), default=ZERO))
    return {"open": agg["open"], "overdue": agg["overdue"]}


def _reason(code, **params) -> dict:
    """A review reason: its code, its figures (as text) and its sentence in the submitter's language; pages
    render it again from code and figures in the reader's language (events.reason_text)."""
    params = {k: str(v) for k, v in params.items()}
    return {"code": str(code), "params": params, "text": reason_text({"code": code, "params": params})}


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
        line.gross_amount = money(line.list_price * base / line.factor)
        line.net_amount = money(line.unit_price * base / line.factor)
        line.tax_amount = money(line.net_amount * line.tax_rate / HUNDRED)
        line.amount = line.net_amount + line.tax_amount
        line.cost_amount = money(base * line.unit_cost)
        line.reserved_quantity = ZERO
        line.save(update_fields=["base_quantity", "quantity", "gross_amount", "net_amount", "tax_amount", "amount",
                                 "cost_amount", "reserved_quantity"])
    recalculate(order)
    _event(order, actor=actor, kind=EventKind.NOTE, code="backorder.cancelled", note=reason)
    order = transition(order, S.SHIPPED, actor=actor, system=True, code="backorder.rest")
    _after_shipping(order, actor=actor)
    release_overpayment(order, actor=actor)
    return order


@transaction.atomic
def close_order(order, *, actor, note="") -> SalesOrder:
    return transition(order, S.CLOSED, actor=actor, note=note)


# --------------------------------------------------------------------------- picking and shipping

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


def _lock_stock_levels(*, products=(), warehouse=None, places=()) -> list[int]:
    """Every stock level a shipment or return will post to, locked at once in primary-key order (as inventory's
    `lock_levels` does for one product), before the first movement: two postings of the same products in
    opposite line order then wait for each other instead of deadlocking.

    `products` in `warehouse`: all their levels there; `places`: (product, location) pairs, created when missing.
    """
    q = Q(pk__in=[])
    if products:
        q |= Q(product_id__in={getattr(p, "pk", p) for p in products}, warehouse=warehouse)
    if places:
        StockLevel.objects.bulk_create(
            [StockLevel(product_id=p.pk, location=loc, warehouse_id=loc.warehouse_id, allow_negative=p.allow_negative)
             for p, loc in places], ignore_conflicts=True)
        for p, loc in places:
            q |= Q(product_id=p.pk, location_id=loc.pk)
    return list(StockLevel.objects.select_for_update(of=("self",), no_key=True).filter(q).order_by("pk")
                .values_list("pk", flat=True))


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
        order = transition(order, S.PICKING, actor=actor, note=_("Picking started with the shipment."))
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
                reference=order.number, reason=str(_("Shipment %(s)s") % {"s": shipment.number}),
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
    note_text = _("Shipment %(s)s") % {"s": shipment.number}
    order = transition(order, S.SHIPPED if complete else S.PARTIALLY_SHIPPED, actor=actor, system=True,
                       note=note_text)
    _event(order, actor=actor, kind=EventKind.SHIPMENT, note=note_text)
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
        order = transition(order, S.DELIVERED, actor=actor, system=True,
                           note=_("Shipment %(s)s delivered") % {"s": shipment.number})
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


# --------------------------------------------------------------------------- payments

def sync_payment_status(order, *, actor=None) -> SalesOrder:
    """A delivered order follows its balance: partially paid, paid."""
    order = _lock(order)
    if order.status not in (S.DELIVERED, S.PARTIALLY_PAID):
        return order
    if order.balance <= 0:
        return transition(order, S.PAID, actor=actor, system=True)
    if order.paid_amount > 0 and order.status == S.DELIVERED:
        return transition(order, S.PARTIALLY_PAID, actor=actor, system=True)
    return order


@transaction.atomic
def record_payment(*, customer, amount, allocations, actor, method="bank", received_on=None, reference="",
                   note="") -> Payment:
    """A receipt split over one or more of the customer's orders. Refused when any part is more than the
    order's balance, when the parts do not add up to the amount, or when the reference was recorded."""
    if not actor.has_perm("orders.add_payment"):
        raise BusinessRuleError(_("You may not record payments."), code="permission")
    amount = money(amount)
    if amount <= 0:
        raise BusinessRuleError(_("A payment must be more than zero."), code="amount")
    parts = [(o, money(a)) for o, a in allocations if a not in (None, "") and money(a) != 0]
    if not parts:
        raise BusinessRuleError(_("Say which orders the payment is for."), code="no_orders")
    if sum(a for _o, a in parts) != amount:
        raise BusinessRuleError(_("The amounts for the orders add up to %(sum)s, not the %(amount)s received."),
                                params={"sum": sum(a for _o, a in parts), "amount": amount}, code="sum")
    reference = (reference or "").strip()
    # Lock first, then check: the orders in primary-key order, then the customer (the order `_lock` takes them
    # in), so that two sessions recording the same reference at once run one after the other.
    locked = {o.pk: o for o in SalesOrder.objects.select_for_update(of=("self",)).filter(
        pk__in=[o.pk for o, _a in parts]).order_by("pk")}
    list(Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk", flat=True))
    duplicate = BusinessRuleError(_("A payment with reference %(r)s is already recorded for this customer."),
                                  params={"r": reference}, code="duplicate")
    if reference and Payment.objects.filter(customer=customer, method=method, reference=reference).exists():
        raise duplicate
    errors = []
    for o, a in parts:
        order = locked[o.pk]
        if order.customer_id != customer.pk:
            errors.append(_("%(n)s is another customer's order.") % {"n": order.number})
        elif order.kind != DocKind.ORDER or order.status not in SOLD_STATES or order.status == S.CLOSED:
            errors.append(_("%(n)s is %(s)s: no payment can be recorded on it.") % {
                "n": order.number, "s": order.get_status_display()})
        elif a < 0:
            errors.append(_("%(n)s: an amount must be positive.") % {"n": order.number})
        elif a > order.balance:
            errors.append(_("%(n)s: %(a)s is more than its balance of %(b)s.") % {
                "n": order.number, "a": a, "b": order.balance})
    if errors:
        raise BusinessRuleError(errors)
    try:
        with transaction.atomic():
            payment = Payment.objects.create(number=next_number("RC"), customer=customer, method=method,
                                             amount=amount, received_on=received_on or timezone.localdate(),
                                             reference=reference, note=note, recorded_by=actor)
    except IntegrityError:  # the database's unique reference per customer and method
        raise duplicate from None
    for o, a in parts:
        PaymentAllocation.objects.create(payment=payment, order=o, amount=a)
        SalesOrder.objects.filter(pk=o.pk).update(paid_amount=F("paid_amount") + a)
        _event(o, actor=actor, kind=EventKind.PAYMENT,
               note=_("Payment %(p)s: %(a)s") % {"p": payment.number, "a": a})
        sync_payment_status(o, actor=actor)
    return payment


# --------------------------------------------------------------------------- customer credit and refunds

def release_overpayment(order, *, actor) -> CustomerCredit | None:
    """Money on `order` beyond what it owes (all of it when the order is cancelled) leaves the order and becomes
    the customer's credit, so no order shows a negative balance. Runs under the caller's lock on the order."""
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    owed = ZERO if order.status == S.CANCELLED else max(order.total - order.credited_amount, ZERO)
    excess = money(order.paid_amount - owed)
    if excess <= 0:
        return None
    credit = CustomerCredit.objects.create(
        number=next_number("CN"), customer_id=order.customer_id, order=order, amount=excess, remaining=excess,
        source=CreditSource.CANCELLED if order.status == S.CANCELLED else CreditSource.OVERPAID, created_by=actor)
    SalesOrder.objects.filter(pk=order.pk).update(paid_amount=F("paid_amount") - excess)
    _event(order, actor=actor, kind=EventKind.PAYMENT, code="credit.created",
           params={"credit": credit.number, "amount": str(excess)})
    return credit


def _lock_credit(credit) -> CustomerCredit:
    return CustomerCredit.objects.select_for_update().select_related("order").get(pk=credit.pk)


@transaction.atomic
def apply_credit(credit, *, order, amount, actor) -> CreditApplication:
    """Use part of a customer's credit to pay another of the same customer's orders (Finance). The credit is
    locked before the order (always in that order), so two uses of one credit cannot both spend it."""
    if not actor.has_perm("orders.add_payment"):
        raise BusinessRuleError(_("You may not use customer credit."), code="permission")
    credit = _lock_credit(credit)
    order = _lock(order)
    amount = money(amount)
    if order.customer_id != credit.customer_id:
        raise BusinessRuleError(_("%(n)s is another customer's order."), params={"n": order.number}, code="customer")
    if order.kind != DocKind.ORDER or order.status not in SOLD_STATES or order.status == S.CLOSED:
        raise BusinessRuleError(_("%(n)s is %(s)s: no payment can be recorded on it."),
                                params={"n": order.number, "s": order.get_status_display()}, code="state")
    if amount <= 0:
        raise BusinessRuleError(_("An amount must be more than zero."), code="amount")
    if amount > credit.remaining:
        raise BusinessRuleError(_("Credit %(c)s has %(left)s left, less than %(a)s."),
                                params={"c": credit.number, "left": credit.remaining, "a": amount}, code="credit")
    if amount > order.balance:
        raise BusinessRuleError(_("%(n)s: %(a)s is more than its balance of %(b)s."),
                                params={"n": order.number, "a": amount, "b": order.balance}, code="balance")
    use = CreditApplication.objects.create(credit=credit, order=order, amount=amount, applied_by=actor)
    CustomerCredit.objects.filter(pk=credit.pk).update(remaining=F("remaining") - amount)
    SalesOrder.objects.filter(pk=order.pk).update(paid_amount=F("paid_amount") + amount)
    _event(order, actor=actor, kind=EventKind.PAYMENT, code="credit.applied",
           params={"credit": credit.number, "amount": str(amount)})
    _event(credit.order, actor=actor, kind=EventKind.PAYMENT, code="credit.applied_from",
           params={"credit": credit.number, "amount": str(amount), "order": order.number})
    sync_payment_status(order, actor=actor)
    return use


@transaction.atomic
def request_refund(credit, *, amount, actor, method="bank", reference="", note="") -> Refund:
    """Finance asks to pay part of a credit back to the customer. The amount is held at once (it cannot be
    applied or requested twice); the general manager approves or rejects it."""
    if not actor.has_perm("orders.add_payment"):
        raise BusinessRuleError(_("You may not request refunds."), code="permission")
    credit = _lock_credit(credit)
    amount = money(amount)
    if amount <= 0:
        raise BusinessRuleError(_("An amount must be more than zero."), code="amount")
    if amount > credit.remaining:
        raise BusinessRuleError(_("Credit %(c)s has %(left)s left, less than %(a)s."),
                                params={"c": credit.number, "left": credit.remaining, "a": amount}, code="credit")
    refund = Refund.objects.create(number=next_number("RF"), customer_id=credit.customer_id, credit=credit,
                                   amount=amount, method=method, reference=(reference or "").strip(), note=note,
                                   requested_by=actor)
    CustomerCredit.objects.filter(pk=credit.pk).update(remaining=F("remaining") - amount)
    _event(credit.order, actor=actor, kind=EventKind.PAYMENT, code="refund.requested",
           params={"refund": refund.number, "amount": str(amount)})
    transaction.on_commit(lambda: _notify_refund_approvers(refund.pk))
    return refund


def _notify_refund_approvers(refund_id):
    from django.urls import reverse

    from hardware_erp.core.services import lazy_format, notify, users_with_perm

    refund = Refund.objects.select_related("customer").get(pk=refund_id)
    users = users_with_perm("orders.approve_refund").filter(is_active=True).exclude(pk=refund.requested_by_id)
    notify(list(users), lazy_format(_("Refund %(n)s of %(a)s to %(c)s waits for your approval."), n=refund.number,
                                    a=refund.amount, c=refund.customer),
           reverse("orders:credit_list"), level="warning", key=f"refund:{refund.pk}:approval")


def _decide_refund(refund, *, actor, approve, note):
    if not actor.has_perm("orders.approve_refund"):
        raise BusinessRuleError(_("Only the general manager approves refunds."), code="permission")
    credit = CustomerCredit.objects.select_for_update().select_related("order").get(pk=refund.credit_id)
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.status != RefundStatus.REQUESTED:
        raise BusinessRuleError(_("Refund %(n)s is %(s)s already."),
                                params={"n": refund.number, "s": refund.get_status_display()}, code="state")
    if actor.pk == refund.requested_by_id:
        raise BusinessRuleError(_("Nobody approves or rejects a refund they requested."), code="own")
    refund.status = RefundStatus.PAID if approve else RefundStatus.REJECTED
    refund.decided_by, refund.decided_at = actor, timezone.now()
    if note:
        refund.note = str(note)[:255]
    refund.save(update_fields=["status", "decided_by", "decided_at", "note"])
    if not approve:
        CustomerCredit.objects.filter(pk=credit.pk).update(remaining=F("remaining") + refund.amount)
    _event(credit.order, actor=actor, kind=EventKind.PAYMENT,
           code="refund.paid" if approve else "refund.rejected",
           params={"refund": refund.number, "amount": str(refund.amount)}, note=note)
    return refund


@transaction.atomic
def approve_refund(refund, *, actor, note="") -> Refund:
    """The general manager approves a refund Finance requested (not their own): the money is paid back."""
    return _decide_refund(refund, actor=actor, approve=True, note=note)


@transaction.atomic
def reject_refund(refund, *, actor, note="") -> Refund:
    """The refund is refused: its amount goes back to the credit."""
    return _decide_refund(refund, actor=actor, approve=False, note=note)


# --------------------------------------------------------------------------- returns

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
                                       reason=str(_("Return %(r)s") % {"r": ret.number}),
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


# --------------------------------------------------------------------------- invoices

@transaction.atomic
def request_invoice(order, *, actor, title="", tax_number="", special=False, address_phone="",
                    bank_account="") -> InvoiceRequest:
    order = _lock(order)
    _check_access(order, actor)
    if order.kind != DocKind.ORDER or order.status not in SOLD_STATES:
        raise BusinessRuleError(_("An invoice is requested for an approved order."), code="state")
    if order.invoice_requests.filter(status__in=[InvoiceStatus.REQUESTED, InvoiceStatus.ISSUED]).exists():
        raise BusinessRuleError(_("A VAT invoice is already requested for %(n)s."), params={"n": order.number},
                                code="duplicate")
    c = order.customer
    title = (title or c.invoice_title or c.name).strip()
    tax_number = (tax_number or c.tax_number).strip()
    if not tax_number:
        raise BusinessRuleError(_("A VAT invoice needs the customer's tax number."), code="tax_number")
    credit_share = (order.credited_amount / order.total) if order.total else ZERO
    net = money(order.net_total * (1 - credit_share))
    tax = money(order.tax_total * (1 - credit_share))
    req = InvoiceRequest.objects.create(
        order=order, title=title, tax_number=tax_number, special=special,
        address_phone=address_phone or " ".join(p for p in (c.invoice_address, c.invoice_phone) if p),
        bank_account=bank_account or c.bank_name, net_amount=net, tax_amount=tax, amount=net + tax,
        requested_by=actor)
    _event(order, actor=actor, kind=EventKind.NOTE, note=_("VAT invoice requested: %(t)s") % {"t": title})
    return req


@transaction.atomic
def issue_invoice(req, *, actor, invoice_number) -> InvoiceRequest:
    if not actor.has_perm("orders.change_invoicerequest"):
        raise BusinessRuleError(_("You may not issue invoices."), code="permission")
    req = InvoiceRequest.objects.select_for_update().get(pk=req.pk)
    if req.status != InvoiceStatus.REQUESTED:
        raise BusinessRuleError(_("This invoice request is %(s)s."), params={"s": req.get_status_display()},
                                code="state")
    if not invoice_number.strip():
        raise BusinessRuleError(_("Enter the invoice number."), code="number")
    req.status, req.invoice_number = InvoiceStatus.ISSUED, invoice_number.strip()
    req.save(update_fields=["status", "invoice_number"])
    _event(req.order, actor=actor, kind=EventKind.NOTE, note=_("VAT invoice %(n)s issued") % {"n": req.invoice_number})
    return req


# --------------------------------------------------------------------------- the order page's buttons

def can_ship(order, user) -> bool:
    return order.status in (S.APPROVED, S.PICKING, S.PARTIALLY_SHIPPED) and user.has_perm("orders.ship_salesorder")


def can_record_payment(order, user) -> bool:
    return (order.kind == DocKind.ORDER and order.status in SOLD_STATES and order.status != S.CLOSED
            and order.balance > 0 and user.has_perm("orders.add_payment"))


def can_return(order, user) -> bool:
    return order.status in INVOICED_STATES and user.has_perm("orders.add_orderreturn")


def can_request_invoice(order, user) -> bool:
    return (order.kind == DocKind.ORDER and order.status in SOLD_STATES and user.has_perm("orders.add_invoicerequest")
            and not order.invoice_requests.filter(status__in=[InvoiceStatus.REQUESTED, InvoiceStatus.ISSUED]).exists())


# --------------------------------------------------------------------------- customer status link

LINK_SALT = "orders.status-link"


def status_link_token(order) -> str:
    return signing.dumps({"o": order.pk, "t": order.status_token.hex}, salt=LINK_SALT, compress=True)


def order_from_token(token: str):
    """The order a status link names, or None when the link is tampered with, revoked or unknown."""
    try:
        data = signing.loads(token, salt=LINK_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    try:
        token_id = uuid.UUID(str(data.get("t")))
    except ValueError:
        return None
    return (SalesOrder.objects.orders().filter(pk=data.get("o"), status_token=token_id, status_link_active=True)
            .select_related("customer").first())


@transaction.atomic
def revoke_status_link(order, *, actor, renew=False) -> SalesOrder:
    """The old link stops working; with `renew`, a new one is made at once."""
    order = _lock(order)
    _check_access(order, actor)
    order.status_token = uuid.uuid4()
    order.status_link_active = bool(renew)
    order.save(update_fields=["status_token", "status_link_active"])
    _event(order, actor=actor, kind=EventKind.LINK,
           note=_("Status link renewed") if renew else _("Status link revoked"))
    return order


# --------------------------------------------------------------------------- settings and merges

@transaction.atomic
def update_review_settings(*, actor, **values) -> ReviewSettings:
    if not actor.has_perm("orders.change_reviewsettings"):
        raise BusinessRuleError(_("Only managers change the review thresholds."), code="permission")
    row = ReviewSettings.current()
    for k, v in values.items():
        setattr(row, k, v)
    row.updated_by = actor
    row.full_clean()
    row.save()
    return row


PRICE_RULE_FIELDS = ("level", "product", "category", "min_quantity", "discount_percent", "active")
CARRIER_FIELDS = ("name", "code", "adapter", "tracking_url", "active")


def _save_checked(row, values, fields, *, actor, perm, refused):
    if not actor.has_perm(perm):
        raise BusinessRuleError(refused, code="permission")
    for k, v in values.items():
        if k not in fields:
            raise TypeError(f"unknown field {k}")
        setattr(row, k, v)
    row.full_clean()
    row.save()
    return row


def _check_price_rule(rule):
    if rule.product_id and rule.category_id:
        raise BusinessRuleError(_("A rule names a product or a category, not both."), code="product_and_category")


@transaction.atomic
def create_price_rule(*, actor, **values) -> PriceRule:
    """A discount for a customer level from a quantity on (a quantity break)."""
    rule = PriceRule(**{k: v for k, v in values.items() if k in PRICE_RULE_FIELDS})
    _check_price_rule(rule)
    return _save_checked(rule, values, PRICE_RULE_FIELDS, actor=actor, perm="orders.add_pricerule",
                         refused=_("You may not change price rules."))


@transaction.atomic
def update_price_rule(rule, *, actor, **values) -> PriceRule:
    rule = PriceRule.objects.select_for_update().get(pk=rule.pk)
    for k, v in values.items():
        if k in PRICE_RULE_FIELDS:
            setattr(rule, k, v)
    _check_price_rule(rule)
    return _save_checked(rule, values, PRICE_RULE_FIELDS, actor=actor, perm="orders.change_pricerule",
                         refused=_("You may not change price rules."))


def _check_carrier(carrier):
    if carrier.adapter == CarrierAdapter.KUAIDI100 and not carrier.code:
        raise BusinessRuleError({"code": _("Kuaidi100 needs the company code (e.g. shunfeng).")}, code="code")


@transaction.atomic
def create_carrier(*, actor, **values) -> Carrier:
    carrier = Carrier(**{k: v for k, v in values.items() if k in CARRIER_FIELDS})
    _check_carrier(carrier)
    return _save_checked(carrier, values, CARRIER_FIELDS, actor=actor, perm="orders.add_carrier",
                         refused=_("You may not change carriers."))


@transaction.atomic
def update_carrier(carrier, *, actor, **values) -> Carrier:
    carrier = Carrier.objects.select_for_update().get(pk=carrier.pk)
    for k, v in values.items():
        if k in CARRIER_FIELDS:
            setattr(carrier, k, v)
    _check_carrier(carrier)
    return _save_checked(carrier, values, CARRIER_FIELDS, actor=actor, perm="orders.change_carrier",
                         refused=_("You may not change carriers."))


def move_customer_orders(*, survivor, merged, actor) -> int:
    """Orders and payments of a merged customer move to the surviving customer."""
    ids = list(SalesOrder.objects.filter(customer=merged).values_list("pk", flat=True))
    SalesOrder.objects.filter(pk__in=ids).update(customer=survivor)
    Payment.objects.filter(customer=merged).update(customer=survivor)
    note = str(_("Customer %(old)s merged into %(new)s") % {"old": merged, "new": survivor})
    OrderEvent.objects.bulk_create([OrderEvent(order_id=pk, actor=actor, kind=EventKind.NOTE, note=note)
                                    for pk in ids])
    refresh_last_order_dates([survivor.pk, merged.pk])
    return len(ids)
