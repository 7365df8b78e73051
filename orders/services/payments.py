"""Payments, their allocation to orders, customer credit and refunds."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import Customer
from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.money import money

from ..choices import (
    SOLD_STATES,
    CreditSource,
    DocKind,
    EventKind,
    OrderStatus,
    RefundStatus,
)
from ..models import (
    CreditApplication,
    CustomerCredit,
    Payment,
    PaymentAllocation,
    Refund,
    SalesOrder,
)
from .base import _event, _lock, next_number
from .workflow import transition

ZERO = Decimal("0")
HUNDRED = Decimal("100")
S = OrderStatus


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
        _event(o, actor=actor, kind=EventKind.PAYMENT, code="payment.recorded",
               params={"p": payment.number, "a": str(a)})
        sync_payment_status(o, actor=actor)
    return payment


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
