"""Helpers every orders service shares: numbering, the event row, row locks and access to an order."""

from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm import services as crm_services
from hardware_erp.core.errors import BusinessRuleError
from inventory.models import StockLevel

from ..choices import (
    SOLD_STATES,
    EventKind,
    OrderStatus,
)
from ..events import reason_text
from ..models import (
    DocumentCounter,
    OrderEvent,
    SalesOrder,
)
from ..selectors import last_order_date_expression

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


def _event(order, *, actor, kind=EventKind.TRANSITION, from_status="", to_status="", note="", code="",
           params=None) -> OrderEvent:
    """The order's timeline entry; every change a service makes to an order writes one, so the order's daily
    sales rollup slice is queued for a refresh after commit here too (`orders.rollups`)."""
    from ..rollups import queue_refresh

    queue_refresh(order)
    return OrderEvent.objects.create(order=order, actor=actor, kind=kind, from_status=from_status,
                                     to_status=to_status, note=str(note or ""), code=code, params=params or {})


def _lock(order) -> SalesOrder:
    return SalesOrder.objects.select_for_update().select_related("customer").get(pk=order.pk)


def _check_access(order, actor):
    if actor is None:
        return
    if not SalesOrder.objects.for_user(actor).filter(pk=order.pk).exists():
        raise BusinessRuleError(_("You cannot work on order %(n)s: it belongs to another salesperson."),
                                params={"n": order.number}, code="not_yours")


def refresh_last_order_dates(customer_ids=None) -> int:
    """Recompute the customers' last order date kept by the CRM (all customers when `customer_ids` is None)."""
    return crm_services.set_last_order_dates(last_order_date_expression(), customer_ids=customer_ids)


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
