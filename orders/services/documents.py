"""Quotations and orders as documents: create, change, convert a quotation."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.errors import BusinessRuleError

from ..choices import (
    DocKind,
    OrderStatus,
)
from ..models import (
    OrderLine,
    ReviewSettings,
    SalesOrder,
)
from .base import _check_access, _event, _lock, next_number
from .pricing import LineInput, _fill_line, recalculate

ZERO = Decimal("0")
HUNDRED = Decimal("100")
S = OrderStatus


HEADER_FIELDS = ("warehouse", "requested_date", "valid_until", "delivery_address", "contact_name", "contact_phone",
                 "customer_email", "payment_terms_days", "notes", "salesperson")


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
                       quotation=quotation, prices_include_tax=customer.prices_include_tax)
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
    _event(order, actor=actor, to_status=S.DRAFT, code="quotation.created_from" if quotation else "",
           params={"q": quotation.number} if quotation else None)
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
        notes=quotation.notes, prices_include_tax=quotation.prices_include_tax)
    copies = []
    for line in quotation.lines.all():
        line.pk, line.order = None, order
        line.reserved_quantity = line.shipped_quantity = line.returned_quantity = ZERO
        copies.append(line)
    OrderLine.objects.bulk_create(copies)
    recalculate(order)
    _event(order, actor=actor, to_status=S.DRAFT, code="quotation.created_from", params={"q": quotation.number})
    SalesOrder.objects.filter(pk=quotation.pk).update(status=S.CONVERTED)
    _event(quotation, actor=actor, from_status=S.DRAFT, to_status=S.CONVERTED, code="quotation.converted",
           params={"o": order.number})
    return order
