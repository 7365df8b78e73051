"""Read-side queries of inventory: stock by product/location/warehouse, valuation, reports, KPI evidence."""

import re
from datetime import timedelta
from decimal import Decimal

from django.db.models import (
    DecimalField,
    Expression,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import SQLiteNumericMixin
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from hardware_erp.core.tables import person_name_of

from .choices import MovementKind
from .codes import product_for_code  # noqa: F401  (the floor's lookups read it from here)
from .models import (
    INTERNAL_BARCODE_RE,
    Location,
    Product,
    Reservation,
    StockLevel,
    StockMovement,
    Warehouse,
)

QTY = DecimalField(max_digits=14, decimal_places=3)
VALUE = DecimalField(max_digits=20, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=QTY)


def _sum(qs, field):
    # order_by(): StockLevel's default ordering (product, location) would join the product, the location and its
    # warehouse into every lookup
    return Coalesce(Subquery(qs.order_by().values("product").annotate(s=Sum(field)).values("s")[:1],
                             output_field=QTY), ZERO, output_field=QTY)


OPEN_PO_STATES = ("approved", "sent", "partial")  # lines still to receive (also in the view inventory_productstock)


class _ProductSum(SQLiteNumericMixin, Expression):
    """`COALESCE((SELECT SUM(…) FROM … WHERE product_id = <the outer product>), 0)`: one of `with_stock`'s lookups
    as fixed SQL around the outer product's id column (a source expression, so Django names and relabels it).

    The same statement as a `Subquery` of a queryset, which Django resolves and compiles again for every page
    (`OuterRef`, the inner query's joins, its GROUP BY, then the whole inner query twice more for `available`):
    ~2.5 ms of the product list's 4 ms default page, where PostgreSQL needs 0.4 ms for the statement. The inner
    aliases (`ws_…`) cannot meet Django's (table names, `T4`, `U0`)."""

    def __init__(self, kind, warehouse_id=None, outer=None):
        super().__init__(output_field=QTY)
        self.kind, self.warehouse_id = kind, warehouse_id
        self.outer = F("pk") if outer is None else outer

    def get_source_expressions(self):
        return [self.outer]

    def set_source_expressions(self, exprs):
        (self.outer,) = exprs

    def as_sql(self, compiler, connection):
        outer, params = compiler.compile(self.outer)
        sql, own = _PRODUCT_SUMS[self.kind]
        params = [*params, *own]
        if self.warehouse_id is not None:
            sql += _WAREHOUSE_OF[self.kind]
            params.append(self.warehouse_id)
        return f"COALESCE(({sql.format(outer=outer)}), 0)", params


# the statements of _ProductSum ({outer}: the outer product's id column) and their parameters; the warehouse's
# condition added when the figures are of one warehouse (a purchase line's is its order's)
_PRODUCT_SUMS = {
    "on_hand": ('SELECT SUM(ws_l."on_hand") FROM "inventory_stocklevel" ws_l WHERE ws_l."product_id" = {outer}', ()),
    "reserved": ('SELECT SUM(ws_r."quantity") FROM "inventory_reservation" ws_r '
                 'WHERE ws_r."product_id" = {outer} AND ws_r."released_at" IS NULL', ()),
    "on_order": ('SELECT SUM(ws_p."quantity" - ws_p."received_quantity") FROM "inventory_purchaseorderline" ws_p '
                 'INNER JOIN "inventory_purchaseorder" ws_o ON ws_o."id" = ws_p."order_id" '
                 'WHERE ws_p."product_id" = {outer} AND ws_o."status" IN (%s, %s, %s)', OPEN_PO_STATES),
}
_WAREHOUSE_OF = {"on_hand": ' AND ws_l."warehouse_id" = %s', "reserved": ' AND ws_r."warehouse_id" = %s',
                 "on_order": ' AND ws_o."warehouse_id" = %s'}


def with_stock(qs=None, warehouse=None, *, whole=False, on_order=True):
    """Products annotated with on_hand, reserved, available, on_order (optionally in one warehouse).

    By default each figure is a lookup per product on its index: right for a page (even sorted by stock: measured
    at or below the hand-written join at 50,000 products), a few products or one warehouse. `whole=True` (all
    warehouses) joins the view `ProductStock` instead, which sums every level, reservation and open purchase line
    once in a grouped pass: right when every product's figures are read (an export), 1.7 × faster there.
    `on_order=False`: without on_order (a page that does not show it, such as the product list)."""
    qs = Product.objects.all() if qs is None else qs
    if whole and not warehouse:
        figures = {"on_hand": Coalesce(F("stock_totals__on_hand"), ZERO, output_field=QTY),
                   "reserved": Coalesce(F("stock_totals__reserved"), ZERO, output_field=QTY)}
        if on_order:
            figures["on_order"] = Coalesce(F("stock_totals__on_order"), ZERO, output_field=QTY)
        return qs.annotate(**figures).annotate(
            available=ExpressionWrapper(F("on_hand") - F("reserved"), output_field=QTY))
    wh = getattr(warehouse, "pk", warehouse) if warehouse else None
    figures = {"on_hand": _ProductSum("on_hand", wh), "reserved": _ProductSum("reserved", wh)}
    if on_order:
        figures["on_order"] = _ProductSum("on_order", wh)
    return qs.annotate(**figures).annotate(available=ExpressionWrapper(F("on_hand") - F("reserved"), output_field=QTY))


# what the product list shows of a product (inventory.tables.ProductTable: its name, specification line, category,
# brand, unit, list price, active flag): a page reads these, not the whole rows of four tables
PRODUCT_LIST_FIELDS = ("sku", "name_zh", "name_en", "thread", "length_mm", "material", "strength_grade", "finish",
                       "standard", "specification", "list_price", "active", "category__name_zh",
                       "category__name_en", "brand__name", "base_unit__name_zh", "base_unit__name_en")


def product_list(*, whole=False):
    """The product list's rows: products with their category, brand and unit, on hand and available. A page (the
    default) reads the columns the list shows and looks each product's figures up; `whole=True` (an export, which
    reads every product) whole rows and the grouped figures."""
    qs = Product.objects.select_related("category", "brand", "base_unit")
    if whole:
        return with_stock(qs, whole=True)
    return with_stock(qs.only(*PRODUCT_LIST_FIELDS), on_order=False)


def stock_by_warehouse(product):
    """[{warehouse, on_hand, reserved, available}] of one product."""
    return product_stock(product)["warehouses"]


RESERVATIONS_SHOWN = 50


def product_stock(product) -> dict:
    """What a product's page shows of its stock, in few short statements, every warehouse read once:
    - `warehouses`: [{"warehouse__code", "warehouse__name_zh", "warehouse__name_en", "on_hand", "reserved",
      "available"}], the warehouses that hold a level of it by code, then those where it is only reserved;
    - `levels`: its bins with stock, [{"warehouse", "location", "on_hand", "last_movement_at"}] (codes), by
      warehouse and bin code;
    - `reservations`: the latest 50 active ones, [{"reference", "warehouse", "quantity", "created_at"}];
    - `thresholds`: [{"warehouse", "minimum", "maximum"}] by warehouse code;
    - `all_warehouses`: every warehouse, by code (the threshold form's choices).
    A warehouse's figures are summed from its levels (one row a bin) and, unless more than 50 reservations are
    active, from the reservations listed; orderings by warehouse code take the order of the warehouses read."""
    warehouses = list(Warehouse.objects.order_by("code"))
    rank = {w.pk: i for i, w in enumerate(warehouses)}
    by_id = {w.pk: w for w in warehouses}
    rows = sorted(StockLevel.objects.filter(product=product).order_by("location__code")
                  .values_list("warehouse_id", "location__code", "on_hand", "last_movement_at"),
                  key=lambda r: rank[r[0]])  # stable: by warehouse code, then bin code
    on_hand: dict = {}
    for wid, _code, qty, _at in rows:
        on_hand[wid] = on_hand.get(wid, Decimal("0")) + qty
    listed = list(Reservation.objects.active().filter(product=product)
                  .values_list("reference", "warehouse_id", "quantity", "created_at")[:RESERVATIONS_SHOWN + 1])
    reserved: dict = {}
    if len(listed) > RESERVATIONS_SHOWN:
        reserved = dict(Reservation.objects.active().filter(product=product).order_by().values("warehouse_id")
                        .annotate(s=Sum("quantity")).values_list("warehouse_id", "s"))
    else:
        for _ref, wid, qty, _at in listed:
            reserved[wid] = reserved.get(wid, Decimal("0")) + qty
    zero = Decimal("0")
    figures = []
    for wid in [*on_hand, *sorted((w for w in reserved if w not in on_hand), key=rank.__getitem__)]:
        w = by_id[wid]
        h, r = on_hand.get(wid, zero), reserved.get(wid, zero)
        figures.append({"warehouse_id": wid, "warehouse__code": w.code, "warehouse__name_zh": w.name_zh,
                        "warehouse__name_en": w.name_en, "on_hand": h, "reserved": r, "available": h - r})
    thresholds = sorted(product.thresholds.order_by().values_list("warehouse_id", "minimum", "maximum"),
                        key=lambda t: rank[t[0]])
    return {
        "warehouses": figures,
        "levels": [{"warehouse": by_id[wid].code, "location": code, "on_hand": qty, "last_movement_at": at}
                   for wid, code, qty, at in rows if qty != 0],
        "reservations": [{"reference": ref, "warehouse": by_id[wid].code, "quantity": qty, "created_at": at}
                         for ref, wid, qty, at in listed[:RESERVATIONS_SHOWN]],
        "thresholds": [{"warehouse": by_id[wid].code, "minimum": lo, "maximum": hi} for wid, lo, hi in thresholds],
        "all_warehouses": warehouses,
        "warehouse_by_id": by_id,
    }


MOVEMENTS_SHOWN = 30


def product_movements(product, warehouse_by_id) -> list[dict]:
    """Its latest 30 movements, newest first, as the page prints them: {"posted_at", "kind", "from_location",
    "to_location" (str(Location): warehouse/bin, or None), "quantity", "unit_cost", "reference", "reason" (in the
    reader's language), "actor" (the name of who posted it, `person_name`)}.
    `warehouse_by_id`: every warehouse (product_stock's)."""
    from django.contrib.auth import get_user_model

    from .models.stock import reason_text

    def where(code, wid):
        return None if code is None else f"{warehouse_by_id[wid].code}/{code}"

    username = f"actor__{get_user_model().USERNAME_FIELD}"
    return [{"posted_at": at, "kind": kind, "from_location": where(fc, fw), "to_location": where(tc, tw),
             "quantity": q, "unit_cost": cost, "reference": ref, "reason": reason_text(code, params, typed),
             "actor": person_name_of(first, last, user)}
            for at, kind, fc, fw, tc, tw, q, cost, ref, code, params, typed, first, last, user
            in product.movements.values_list(
                "posted_at", "kind", "from_location__code", "from_location__warehouse_id", "to_location__code",
                "to_location__warehouse_id", "quantity", "unit_cost", "reference", "reason_code", "reason_params",
                "reason", "actor__first_name", "actor__last_name", username)[:MOVEMENTS_SHOWN]]


def equivalents_available(product) -> list:
    """Its equivalent products by SKU, each with `available` (on hand less active reservations, all warehouses)."""
    rows = list(product.equivalents.only("pk", "sku", "name_zh", "name_en").annotate(
        on_hand=_ProductSum("on_hand"), reserved=_ProductSum("reserved")))
    for p in rows:
        p.available = p.on_hand - p.reserved
    return rows


def valuation(warehouse=None):
    """Stock value at moving-average cost: a queryset of products with on_hand and value, plus the total."""
    levels = StockLevel.objects.all()
    if warehouse:
        levels = levels.filter(warehouse=warehouse)
    qs = (Product.objects.filter(pk__in=levels.filter(~Q(on_hand=0)).values("product"))
          .annotate(on_hand=_sum(levels.filter(product=OuterRef("pk")), "on_hand"))
          .annotate(value=ExpressionWrapper(F("on_hand") * F("average_cost"), output_field=VALUE))
          .select_related("category"))
    return qs


def valuation_total(warehouse=None) -> Decimal:
    levels = StockLevel.objects.all()
    if warehouse:
        levels = levels.filter(warehouse=warehouse)
    total = levels.aggregate(v=Sum(ExpressionWrapper(F("on_hand") * F("product__average_cost"), output_field=VALUE)))
    return (total["v"] or Decimal("0")).quantize(Decimal("0.01"))


def no_movement(days: int, warehouse=None):
    """Levels with stock on hand and no movement for `days` days (oldest first)."""
    since = timezone.now() - timedelta(days=days)
    qs = StockLevel.objects.filter(on_hand__gt=0).filter(Q(last_movement_at__lt=since) | Q(last_movement_at=None))
    if warehouse:
        qs = qs.filter(warehouse=warehouse)
    return (qs.select_related("product__base_unit", "location", "warehouse")
            .annotate(value=ExpressionWrapper(F("on_hand") * F("product__average_cost"), output_field=VALUE))
            .order_by(F("last_movement_at").asc(nulls_first=True), "product__sku"))


def ledger_differences():
    """[(product_id, location_id, level_qty, ledger_qty)] where the level differs from the sum of the ledger."""
    ledger: dict = {}
    for r in StockMovement.objects.filter(to_location__isnull=False).values("product_id", "to_location_id") \
            .annotate(q=Sum("quantity")).order_by():
        ledger[(r["product_id"], r["to_location_id"])] = r["q"]
    for r in StockMovement.objects.filter(from_location__isnull=False).values("product_id", "from_location_id") \
            .annotate(q=Sum("quantity")).order_by():
        key = (r["product_id"], r["from_location_id"])
        ledger[key] = ledger.get(key, Decimal("0")) - r["q"]
    diffs = []
    seen = set()
    for pid, lid, on_hand in StockLevel.objects.values_list("product_id", "location_id", "on_hand").iterator():
        seen.add((pid, lid))
        expected = ledger.get((pid, lid), Decimal("0"))
        if on_hand != expected:
            diffs.append((pid, lid, on_hand, expected))
    for key, q in ledger.items():
        if key not in seen and q != 0:
            diffs.append((*key, None, q))
    return diffs


# --- KPI evidence (read by the performance app; see docs/developing.md) -----------------------------------------

ENTRY_ALLOWED_HOURS = 24


def _fmt(dt):
    return timezone.localtime(dt).strftime("%m-%d %H:%M")


def kpi_movement_entry_timeliness(user, start, end) -> list[dict]:
    """Movements posted by the user in [start, end): ok when posted within 24 h of the physical event."""
    from django.urls import reverse

    from hardware_erp.core.templatetags.erp import qty

    from .choices import MovementKind

    out = []
    for m in (StockMovement.objects.filter(actor=user, posted_at__gte=start, posted_at__lt=end)
              .exclude(kind=MovementKind.STOCKTAKE).select_related("product").order_by("posted_at", "pk")):
        out.append({"model": "inventory.stockmovement", "id": m.pk,
                    "label": f"{m.get_kind_display()} {m.product.sku} × {qty(m.quantity)}",
                    "url": reverse("inventory:product", args=[m.product_id]),
                    "ok": m.posted_at - m.occurred_at <= timedelta(hours=ENTRY_ALLOWED_HOURS), "value": None,
                    "detail": _("happened %(at)s, posted %(posted)s") % {"at": _fmt(m.occurred_at),
                                                                         "posted": _fmt(m.posted_at)}})
    return out


def kpi_stocktake_accuracy(user, start, end) -> list[dict]:
    """Count lines the user counted, in counts approved in [start, end): ok when the final variance is within
    the count's recount threshold (after any recount)."""
    from hardware_erp.core.templatetags.erp import qty

    from .models import CountEntry, Stocktake
    from .stocktakes import lines_with_variance

    out = []
    for st in Stocktake.objects.filter(status="approved", approved_at__gte=start, approved_at__lt=end):
        line_ids = set(CountEntry.objects.filter(line__stocktake=st, counted_by=user).values_list("line_id",
                                                                                                  flat=True))
        if not line_ids:
            continue
        for ln in lines_with_variance(st).filter(pk__in=line_ids).select_related("product", "location"):
            base = abs(ln.expected_now) or Decimal(1)
            pct = abs(ln.variance) * 100 / base
            out.append({"model": "inventory.stocktakeline", "id": ln.pk,
                        "label": f"{st.number} {ln.location.code} {ln.product.sku}", "url": st.get_absolute_url(),
                        "ok": pct <= st.recount_threshold_pct, "value": None,
                        "detail": _("expected %(expected)s, counted %(counted)s, variance %(pct)s%%") % {
                            "expected": qty(ln.expected_now), "counted": qty(ln.counted), "pct": f"{pct:.1f}"}})
    return out


def kpi_scanning_share(user, start, end) -> list[dict]:
    """Count entries by the user in [start, end): ok when scanned rather than typed or weighed."""
    from .models import CountEntry

    out = []
    for e in (CountEntry.objects.filter(counted_by=user, at__gte=start, at__lt=end)
              .select_related("line__stocktake", "line__product").order_by("at", "pk")):
        out.append({"model": "inventory.countentry", "id": e.pk,
                    "label": f"{e.line.stocktake.number} {e.line.product.sku}",
                    "url": e.line.stocktake.get_absolute_url(), "ok": e.method == "scan", "value": None,
                    "detail": f"{e.get_method_display()} {_fmt(e.at)}"})
    return out


def has_own_barcode(barcode) -> bool:
    """False for no barcode or the internal one inventory assigns (data quality reads this by dotted path)."""
    return bool(barcode) and not re.match(INTERNAL_BARCODE_RE, barcode)


def without_own_barcode(products):
    """`products` that have no barcode of their own (none, or the internal HW… code)."""
    return products.filter(Q(barcode__isnull=True) | Q(barcode__regex=INTERNAL_BARCODE_RE))


# --- the warehouse floor: scanned codes and a product's own bins -------------------------------------------------


def product_bins(product, warehouse=None) -> list[dict]:
    """The bins that hold `product` (on hand > 0), most stock first: {"location_id", "code", "warehouse_id",
    "warehouse_code", "on_hand"}."""
    qs = StockLevel.objects.filter(product=product, on_hand__gt=0, location__active=True)
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    return [{"location_id": lv["location_id"], "code": lv["location__code"], "warehouse_id": lv["warehouse_id"],
             "warehouse_code": lv["warehouse__code"], "on_hand": lv["on_hand"]}
            for lv in qs.order_by("-on_hand", "location__code").values(
                "location_id", "location__code", "warehouse_id", "warehouse__code", "on_hand")]


def home_bin(product, warehouse=None):
    """Where a receipt of `product` goes by default: the bin of its latest receipt (in `warehouse`), else the bin
    holding most of it, else None."""
    moves = StockMovement.objects.filter(product=product, kind=MovementKind.RECEIPT, to_location__active=True,
                                         to_location__isnull=False)
    if warehouse is not None:
        moves = moves.filter(to_location__warehouse=warehouse)
    last = moves.order_by("-pk").values_list("to_location_id", flat=True).first()
    if last is None:
        bins = product_bins(product, warehouse)
        last = bins[0]["location_id"] if bins else None
    return Location.objects.filter(pk=last).first() if last else None


def product_units(product) -> list[dict]:
    """The units `product` is counted, bought and sold in, its base unit first (the default): {"id", "name",
    "factor"}."""
    out = [{"id": product.base_unit_id, "name": product.base_unit.name, "factor": Decimal(1)}]
    out += [{"id": u.unit_id, "name": u.unit.name, "factor": u.factor}
            for u in product.units.select_related("unit").order_by("factor") if u.unit_id != product.base_unit_id]
    return out
