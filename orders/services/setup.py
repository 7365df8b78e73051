"""Orders settings (review thresholds, price rules, carriers), the customer status link and customer merges."""

import uuid
from decimal import Decimal

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.errors import BusinessRuleError

from ..choices import (
    CarrierAdapter,
    EventKind,
)
from ..models import (
    Carrier,
    OrderEvent,
    Payment,
    PriceRule,
    ReviewSettings,
    SalesOrder,
)
from .base import _check_access, _event, _lock, refresh_last_order_dates

HUNDRED = Decimal("100")


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
