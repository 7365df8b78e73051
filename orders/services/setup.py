"""Orders settings (review thresholds, price rules, carriers), the customer status link and customer merges."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
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
    """The order a status link names, or None when the link is tampered with, revoked, unknown or older than
    settings.STATUS_LINK_DAYS (a link carries the time it was made)."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=timedelta(days=settings.STATUS_LINK_DAYS))
    except signing.BadSignature:  # SignatureExpired included
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
    _event(order, actor=actor, kind=EventKind.LINK, code="link.renewed" if renew else "link.revoked")
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


def _save_setting(model, row, values, *, fields, check, actor, refused):
    """Create (`row` None) or change one settings row (a price rule, a carrier) under its add/change permission:
    only `fields` may be given, `check` adds the model's own rule, and the row is validated before saving."""
    perm = f"orders.{'add' if row is None else 'change'}_{model._meta.model_name}"
    if not actor.has_perm(perm):
        raise BusinessRuleError(refused, code="permission")
    row = model() if row is None else model.objects.select_for_update().get(pk=row.pk)
    for k, v in values.items():
        if k not in fields:
            raise TypeError(f"unknown field {k}")
        setattr(row, k, v)
    check(row)
    row.full_clean()
    row.save()
    return row


def _check_price_rule(rule):
    if rule.product_id and rule.category_id:
        raise BusinessRuleError(_("A rule names a product or a category, not both."), code="product_and_category")


def _check_carrier(carrier):
    if carrier.adapter == CarrierAdapter.KUAIDI100 and not carrier.code:
        raise BusinessRuleError({"code": _("Kuaidi100 needs the company code (e.g. shunfeng).")}, code="code")


@transaction.atomic
def create_price_rule(*, actor, **values) -> PriceRule:
    """A discount for a customer level from a quantity on (a quantity break)."""
    return _save_setting(PriceRule, None, values, fields=PRICE_RULE_FIELDS, check=_check_price_rule, actor=actor,
                         refused=_("You may not change price rules."))


@transaction.atomic
def update_price_rule(rule, *, actor, **values) -> PriceRule:
    return _save_setting(PriceRule, rule, values, fields=PRICE_RULE_FIELDS, check=_check_price_rule, actor=actor,
                         refused=_("You may not change price rules."))


@transaction.atomic
def create_carrier(*, actor, **values) -> Carrier:
    return _save_setting(Carrier, None, values, fields=CARRIER_FIELDS, check=_check_carrier, actor=actor,
                         refused=_("You may not change carriers."))


@transaction.atomic
def update_carrier(carrier, *, actor, **values) -> Carrier:
    return _save_setting(Carrier, carrier, values, fields=CARRIER_FIELDS, check=_check_carrier, actor=actor,
                         refused=_("You may not change carriers."))


def move_customer_orders(*, survivor, merged, actor) -> int:
    """Orders and payments of a merged customer move to the surviving customer."""
    from ..rollups import queue_refresh

    ids = list(SalesOrder.objects.filter(customer=merged).values_list("pk", flat=True))
    days = set(SalesOrder.objects.filter(pk__in=ids).values_list("order_date", flat=True))
    SalesOrder.objects.filter(pk__in=ids).update(customer=survivor)
    queue_refresh(*[(d, c.pk) for d in days for c in (survivor, merged)])
    Payment.objects.filter(customer=merged).update(customer=survivor)
    params = {"old": str(merged), "new": str(survivor)}
    OrderEvent.objects.bulk_create([OrderEvent(order_id=pk, actor=actor, kind=EventKind.NOTE, code="customer.merged",
                                               params=params) for pk in ids])
    refresh_last_order_dates([survivor.pk, merged.pk])
    return len(ids)
