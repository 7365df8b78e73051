"""Demand forecast and purchase suggestions (the formula is documented in docs/forecasting.md).

The computation is set-based: a handful of grouped queries load the sales history, stock, reservations,
open purchase quantities, thresholds and supplier terms of every item at once; the arithmetic runs in
Python over those rows; the suggestions are written with bulk_create / bulk_update.
"""

import logging
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from statistics import NormalDist

from django.db import connection, transaction
from django.db.models import F, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.templatetags.erp import qty as fmt_qty

from . import events
from .bulk import update_rows
from .choices import MovementKind, SuggestionStatus
from .models import (
    Product,
    PurchaseOrderLine,
    PurchaseSuggestion,
    Reservation,
    StockLevel,
    StockMovement,
    StockThreshold,
    SupplierProduct,
)

log = logging.getLogger(__name__)
ALPHA = 0.2            # smoothing constant
HISTORY_DAYS = 90      # days of sales history
SERVICE_LEVEL = 0.95   # chance of not running out during a lead time
COVER_DAYS = 30        # when an item has no maximum, order up to the reorder point plus this many days of demand
DEFAULT_LEAD_DAYS = 7
Q3 = Decimal("0.001")
Q4 = Decimal("0.0001")


def smooth(series: list[float], alpha: float = ALPHA) -> tuple[float, float]:
    """Simple exponential smoothing of a daily series -> (level, sigma).

    level_0 = x_0; level_t = alpha * x_t + (1 - alpha) * level_{t-1}.
    sigma = root mean square of the one-step forecast errors x_t - level_{t-1} (t >= 1).
    """
    if not series:
        return 0.0, 0.0
    level = series[0]
    squares = 0.0
    for x in series[1:]:
        error = x - level
        squares += error * error
        level = alpha * x + (1 - alpha) * level
    sigma = math.sqrt(squares / (len(series) - 1)) if len(series) > 1 else 0.0
    return level, sigma


def z_value(service_level: float = SERVICE_LEVEL) -> float:
    return NormalDist().inv_cdf(service_level)


def round_up(value: Decimal, step: Decimal) -> Decimal:
    if step <= 0:
        return value
    return (value / step).to_integral_value(rounding=ROUND_CEILING) * step


@dataclass
class Plan:
    daily_demand: Decimal
    demand_sigma: Decimal
    lead_time_days: int
    safety_stock: Decimal
    reorder_point: Decimal
    target: Decimal
    position: Decimal
    net_need: Decimal
    suggested: Decimal


def plan_item(*, daily_demand, sigma, lead_time_days, on_hand, reserved, on_order, minimum=Decimal(0),
              maximum=Decimal(0), pack_size=Decimal(1), moq=Decimal(0), z=None) -> Plan:
    """The reorder arithmetic for one item (every input and output is explained in docs/forecasting.md)."""
    z = z_value() if z is None else z
    d = Decimal(str(daily_demand)).quantize(Q4)
    s = Decimal(str(sigma)).quantize(Q4)
    lt = Decimal(lead_time_days)
    safety = (Decimal(str(z)) * s * Decimal(str(math.sqrt(lead_time_days)))).quantize(Q3)
    rop = max((d * lt + safety).quantize(Q3), minimum)
    target = maximum if maximum > rop else (rop + d * COVER_DAYS).quantize(Q3)
    position = on_hand - reserved + on_order
    need = Decimal(0)
    suggested = Decimal(0)
    if position <= rop and target > position:
        need = target - position
        suggested = max(round_up(need, pack_size), round_up(moq, pack_size))
    return Plan(d, s, lead_time_days, safety, rop, target, position, need.quantize(Q3), suggested.quantize(Q3))


def explain(s: PurchaseSuggestion) -> str:
    """Why this quantity, in words (shown on every suggestion line)."""
    parts = [
        _("Demand %(d)s/day over a lead time of %(lt)s days = %(dl)s; safety stock %(ss)s; reorder point %(rop)s.")
        % {"d": fmt_qty(s.daily_demand), "lt": s.lead_time_days,
           "dl": fmt_qty((s.daily_demand * s.lead_time_days).quantize(Q3)), "ss": fmt_qty(s.safety_stock),
           "rop": fmt_qty(s.reorder_point)},
        _("Position: on hand %(oh)s − reserved %(r)s + on order %(oo)s = %(p)s.")
        % {"oh": fmt_qty(s.on_hand), "r": fmt_qty(s.reserved), "oo": fmt_qty(s.on_order),
           "p": fmt_qty(s.on_hand - s.reserved + s.on_order)},
        _("Order up to %(t)s: need %(n)s, rounded up to packs of %(pk)s (minimum order %(moq)s) = %(q)s.")
        % {"t": fmt_qty(s.target), "n": fmt_qty(s.net_need), "pk": fmt_qty(s.pack_size),
           "moq": fmt_qty(s.moq), "q": fmt_qty(s.suggested_quantity)},
    ]
    return " ".join(str(p) for p in parts)


def _daily_history(start, today):
    """{(product, warehouse): [qty per day, oldest first]} of sales issues since `start`."""
    days = (today - start).days
    series = defaultdict(lambda: [0.0] * days)
    tz = timezone.get_current_timezone()  # local days, as a range on the indexed column itself
    since, until = (datetime.combine(d, datetime.min.time(), tz) for d in (start, today))
    rows = (StockMovement.objects.filter(kind=MovementKind.ISSUE, occurred_at__gte=since, occurred_at__lt=until)
            .values("product_id", wh=F("from_location__warehouse_id"), day=TruncDate("occurred_at"))
            .annotate(q=Sum("quantity")).order_by().values_list("product_id", "wh", "day", "q"))
    # hundreds of thousands of plain rows: read as the driver returns them, without the ORM's per-row converters
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        while chunk := cur.fetchmany(5000):
            for product_id, wh, day, q in chunk:
                i = ((day if isinstance(day, date) else date.fromisoformat(day)) - start).days
                if 0 <= i < days:
                    series[(product_id, wh)][i] += float(q)
    return series


def _grouped(qs, *keys, value):
    return {tuple(r[k] for k in keys): r["v"] for r in qs.values(*keys).annotate(v=value).order_by()}


@transaction.atomic
def compute_suggestions(*, actor=None, today=None) -> dict:
    """Recompute every purchase suggestion. Safe to run again: live lines are updated in place, a user's
    edited quantity and a dismissal are kept, snoozed lines wake up when their date passes."""
    today = today or timezone.localdate()
    start = today - timedelta(days=HISTORY_DAYS)
    history = _daily_history(start, today)
    on_hand = _grouped(StockLevel.objects.all(), "product_id", "warehouse_id", value=Sum("on_hand"))
    reserved = _grouped(Reservation.objects.active(), "product_id", "warehouse_id", value=Sum("quantity"))
    on_order = _grouped(PurchaseOrderLine.objects.filter(order__status__in=("draft", "approved", "sent", "partial")),
                        "product_id", "order__warehouse_id", value=Sum(F("quantity") - F("received_quantity")))
    thresholds = {(t["product_id"], t["warehouse_id"]): t for t in
                  StockThreshold.objects.values("product_id", "warehouse_id", "minimum", "maximum")}
    terms = {sp["product_id"]: sp for sp in SupplierProduct.objects.filter(preferred=True, supplier__active=True)
             .values("product_id", "supplier_id", "lead_time_days", "pack_size", "moq")}
    inactive = set(Product.objects.filter(active=False).values_list("pk", flat=True))
    z = z_value()
    zero = Decimal(0)
    computed = {}
    for key in set(history) | set(thresholds):
        product_id, warehouse_id = key
        if product_id in inactive:
            continue
        level, sigma = smooth(history.get(key, []))
        th = thresholds.get(key, {})
        sp = terms.get(product_id, {})
        lead = sp.get("lead_time_days") or DEFAULT_LEAD_DAYS
        plan = plan_item(daily_demand=level, sigma=sigma, lead_time_days=lead, on_hand=on_hand.get(key) or zero,
                         reserved=reserved.get(key) or zero, on_order=on_order.get(key) or zero,
                         minimum=th.get("minimum", zero), maximum=th.get("maximum", zero),
                         pack_size=sp.get("pack_size") or Decimal(1), moq=sp.get("moq") or zero, z=z)
        if plan.suggested > 0:
            computed[key] = (plan, sp, on_hand.get(key) or zero, reserved.get(key) or zero,
                             on_order.get(key) or zero)
    th_max = {k: t["maximum"] for k, t in thresholds.items()}
    live = {(s.product_id, s.warehouse_id): s for s in PurchaseSuggestion.objects.filter(
        status__in=(SuggestionStatus.OPEN, SuggestionStatus.SNOOZED, SuggestionStatus.DISMISSED))}
    now = timezone.now()
    new, changed = [], []
    for key, (plan, sp, oh, rs, oo) in computed.items():
        values = {"supplier_id": sp.get("supplier_id"), "daily_demand": plan.daily_demand,
                  "demand_sigma": plan.demand_sigma, "lead_time_days": plan.lead_time_days,
                  "safety_stock": plan.safety_stock, "reorder_point": plan.reorder_point, "target": plan.target,
                  "maximum": th_max.get(key, zero), "on_hand": oh, "reserved": rs, "on_order": oo,
                  "net_need": plan.net_need, "pack_size": sp.get("pack_size") or Decimal(1),
                  "moq": sp.get("moq") or zero, "suggested_quantity": plan.suggested, "computed_at": now}
        s = live.pop(key, None)
        if s is None:
            new.append(PurchaseSuggestion(product_id=key[0], warehouse_id=key[1], quantity=plan.suggested, **values))
            continue
        for k, v in values.items():
            setattr(s, k, v)
        if s.status == SuggestionStatus.SNOOZED and s.snoozed_until and s.snoozed_until <= today:
            s.status, s.snoozed_until = SuggestionStatus.OPEN, None
        if s.changed_by_id is None:  # keep a quantity the purchaser typed
            s.quantity = plan.suggested
        changed.append(s)
    fields = ["supplier", "daily_demand", "demand_sigma", "lead_time_days", "safety_stock", "reorder_point",
              "target", "maximum", "on_hand", "reserved", "on_order", "net_need", "pack_size", "moq",
              "suggested_quantity", "computed_at", "status", "snoozed_until", "quantity"]
    PurchaseSuggestion.objects.bulk_create(new, batch_size=2000)
    update_rows(PurchaseSuggestion, changed, fields)
    # items that need nothing any more
    gone = PurchaseSuggestion.objects.filter(pk__in=[s.pk for s in live.values()]).delete()[0]
    result = {"created": len(new), "updated": len(changed), "removed": gone, "items": len(computed)}
    log.info("purchase suggestions: %s", result)
    return result


@transaction.atomic
def update_suggestion(suggestion, *, actor, quantity=None, status=None, snooze_days=7) -> PurchaseSuggestion:
    from . import services

    s = PurchaseSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if s.status == SuggestionStatus.ORDERED:
        raise BusinessRuleError(_("This suggestion is already on a purchase order."))
    if quantity is not None:
        s.quantity = services.parse_quantity(quantity)
    if status == SuggestionStatus.SNOOZED:
        s.status, s.snoozed_until = status, timezone.localdate() + timedelta(days=snooze_days)
    elif status in (SuggestionStatus.DISMISSED, SuggestionStatus.OPEN):
        s.status, s.snoozed_until = status, None
    s.changed_by = actor
    s.save()
    return s


@transaction.atomic
def order_suggestions(ids, *, actor) -> list:
    """Turn open suggestions into draft purchase orders, one per supplier and warehouse."""
    from .purchasing import create_purchase_order

    rows = list(PurchaseSuggestion.objects.select_for_update(of=("self",))
                .filter(pk__in=ids, status=SuggestionStatus.OPEN)
                .select_related("product", "supplier", "warehouse").order_by("pk"))
    if not rows:
        raise BusinessRuleError(_("Choose at least one open suggestion."))
    missing = [s.product.sku for s in rows if s.supplier is None]
    if missing:
        raise BusinessRuleError(_("These items have no preferred supplier: %(skus)s. Add one on the supplier page.")
                                % {"skus": ", ".join(missing)})
    groups = defaultdict(list)
    for s in rows:
        groups[(s.supplier, s.warehouse)].append(s)
    orders = []
    for (supplier, warehouse), items in groups.items():
        order = create_purchase_order(supplier=supplier, warehouse=warehouse, actor=actor,
                                      lines=[(s.product, s.quantity, None) for s in items],
                                      origin=events.PO_FROM_SUGGESTIONS)
        PurchaseSuggestion.objects.filter(pk__in=[s.pk for s in items]).update(
            status=SuggestionStatus.ORDERED, purchase_order=order, changed_by=actor)
        orders.append(order)
    return orders
