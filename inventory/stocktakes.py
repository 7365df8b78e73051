"""Stocktake services: open (freeze expected quantities), count (atomic increments), recount, approve.

Approval posts every adjustment in one transaction with bulk writes under the same locks as
post_movement (products, then stock levels, each in primary-key order), so a count of thousands of
lines is approved in seconds and the ledger stays equal to the levels.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.money import quantity
from hardware_erp.core.outbox import enqueue_after_commit
from hardware_erp.core.phrases import qty as qty_param
from hardware_erp.core.states import StateMachine, Transition

from . import events, services
from .choices import EntryMethod, MovementKind, StocktakeStatus
from .codes import product_for_code
from .models import (
    CountEntry,
    Location,
    Product,
    StockLevel,
    StockMovement,
    Stocktake,
    StocktakeEvent,
    StocktakeLine,
)
from .models.catalogue import COST_PLACES

QTY = DecimalField(max_digits=14, decimal_places=3)
ZERO = Decimal("0")
S = StocktakeStatus

# a count's life: counted, then approved (its variances posted) or cancelled; `transition` is the one way
MACHINE = StateMachine([
    Transition({S.COUNTING, S.REVIEW}, S.APPROVED, "inventory.approve_stocktake", _("Approve and post adjustments"),
               style="success"),
    Transition({S.COUNTING, S.REVIEW}, S.CANCELLED, "inventory.change_stocktake", _("Cancel count"),
               style="outline-danger"),
])


def segregation_reason(stocktake, actor, target) -> str:
    """Why `actor` may not take `stocktake` to `target` although the role allows it ("" when nothing stops them)."""
    if target == S.APPROVED and stocktake.opened_by_id == actor.pk:
        return str(_("You opened this count, so another manager approves it."))
    return ""


@transaction.atomic
def transition(stocktake, to, *, actor, note="", treat_uncounted_as_zero=False):
    """Move a count to `to` (approved: its variances are posted; cancelled) and write the event row. Returns the
    stocktake, with `posted` (the adjustment movements) when approved."""
    st = Stocktake.objects.select_for_update().select_related("warehouse").get(pk=stocktake.pk)
    if to == S.APPROVED and st.status == S.APPROVED:
        raise BusinessRuleError(_("Stocktake %(n)s is %(status)s already."),
                                params={"n": st.number, "status": st.get_status_display()}, code="state")
    MACHINE.check(st, to, actor)
    refused = segregation_reason(st, actor, to)
    if refused:
        raise BusinessRuleError(refused, code="segregation")
    before = st.status
    st.posted = _post_variances(st, actor=actor, treat_uncounted_as_zero=treat_uncounted_as_zero) \
        if to == S.APPROVED else []
    st.status = to
    st.save(update_fields=["status", "approved_by", "approved_at"])
    StocktakeEvent.objects.create(stocktake=st, from_status=before, to_status=to, actor=actor, note=note[:300])
    return st


@transaction.atomic
def open_stocktake(*, warehouse, actor, locations=(), categories=(), blind=False,
                   recount_threshold_pct=Decimal("5"), note="") -> Stocktake:
    """Open a count and freeze the expected quantity of every product in every location of its scope."""
    if not actor.has_perm("inventory.add_stocktake"):
        raise PermissionDenied(_("You may not open stocktakes."))
    st = Stocktake.objects.create(number="", warehouse=warehouse, blind=blind, opened_by=actor,
                                  recount_threshold_pct=recount_threshold_pct, note=note)
    st.number = f"ST{st.pk:06d}"
    st.save(update_fields=["number"])
    StocktakeEvent.objects.create(stocktake=st, from_status="", to_status=S.COUNTING, actor=actor, note=note[:300])
    if locations:
        st.locations.set(locations)
    if categories:
        st.categories.set(categories)
    levels = StockLevel.objects.filter(warehouse=warehouse, location__active=True).exclude(on_hand=0)
    if locations:
        levels = levels.filter(location__in=locations)
    if categories:
        q = Q()
        for c in categories:
            q |= Q(product__category__path__startswith=c.path)
        levels = levels.filter(q)
    rows = levels.values_list("product_id", "location_id", "on_hand", "product__average_cost")
    StocktakeLine.objects.bulk_create(
        [StocktakeLine(stocktake=st, product_id=p, location_id=loc, expected=q, unit_cost=c)
         for p, loc, q, c in rows.iterator(chunk_size=5000)], batch_size=2000)
    return st


def _resolve_code(code: str):
    """(product, quantity per scan) for a scanned code: product barcode or SKU, or a pack's barcode."""
    found = product_for_code(code)
    if found is not None:
        return found
    raise BusinessRuleError(_("Unknown code “%(code)s”: no product has this barcode or SKU."),
                            params={"code": (code or "").strip()}, code="unknown_code")


def _parse_count(value) -> Decimal:
    """A counted total: zero is a valid count, a negative one is not."""
    try:
        qty = quantity(value)
    except ValueError:
        raise BusinessRuleError(_("The count “%(value)s” is not a number."), params={"value": value},
                                code="nan") from None
    if qty < 0:
        raise BusinessRuleError(_("A count cannot be negative."), code="negative")
    return qty


def _in_scope(st, product, location):
    if location.warehouse_id != st.warehouse_id:
        raise BusinessRuleError(_("Location %(loc)s is not in %(wh)s."),
                                params={"loc": str(location), "wh": st.warehouse.name}, code="scope")
    if st.locations.exists() and not st.locations.filter(pk=location.pk).exists():
        raise BusinessRuleError(_("Location %(loc)s is not part of this count."), params={"loc": location.code},
                                code="scope")
    cats = list(st.categories.all())
    if cats and not any(product.category.path.startswith(c.path) for c in cats):
        raise BusinessRuleError(_("%(sku)s is not in the categories of this count."), params={"sku": product.sku},
                                code="scope")


def weight_to_units(product, gross, tare) -> Decimal:
    if not product.unit_weight_g:
        raise BusinessRuleError(_("%(sku)s has no unit weight: count it by scanning or typing."),
                                params={"sku": product.sku}, code="no_weight")
    try:
        net = Decimal(str(gross)) - Decimal(str(tare or 0))
    except Exception:  # noqa: BLE001 - any unparsable input
        raise BusinessRuleError(_("Enter the gross weight and the tare in grams."), code="nan") from None
    if net <= 0:
        raise BusinessRuleError(_("The gross weight must be more than the tare."), code="not_positive")
    return (net / product.unit_weight_g).quantize(Decimal(1), rounding=ROUND_HALF_UP)


@transaction.atomic
def record_count(*, stocktake, location, actor, code=None, product=None, quantity=None, method=EntryMethod.SCAN,
                 replace=False, gross=None, tare=None) -> StocktakeLine:
    """Add counted units to a line (or replace its count). The increment is one UPDATE with F(), so two
    clerks scanning the same item, or a burst of scans, never lose a count."""
    if not actor.has_perm("inventory.count_stocktake"):
        raise PermissionDenied(_("You may not count stock."))
    st = Stocktake.objects.select_related("warehouse").get(pk=stocktake.pk)
    if st.status != StocktakeStatus.COUNTING:
        raise BusinessRuleError(_("Stocktake %(n)s is no longer open for counting."), params={"n": st.number},
                                code="closed")
    if product is None:
        product, per_scan = _resolve_code(code)
    else:
        per_scan = Decimal(1)
    _in_scope(st, product, location)
    if method == EntryMethod.WEIGHT:
        qty = weight_to_units(product, gross, tare)
    elif quantity not in (None, ""):
        qty = _parse_count(quantity) if replace else services.parse_quantity(quantity) * per_scan
    else:
        qty = per_scan
    line, created = StocktakeLine.objects.get_or_create(
        stocktake=st, product=product, location=location,
        defaults={"expected": ZERO, "added_during_count": True, "unit_cost": product.average_cost})
    recount = line.needs_recount
    if replace:
        StocktakeLine.objects.filter(pk=line.pk).update(counted=qty, recounted=recount)
    else:
        StocktakeLine.objects.filter(pk=line.pk).update(
            counted=Coalesce(F("counted"), Value(ZERO, output_field=QTY)) + qty, recounted=recount)
    CountEntry.objects.create(line=line, quantity=qty, method=method, counted_by=actor, recount=recount)
    line.refresh_from_db()
    line.product = product
    return line


def lines_with_variance(stocktake):
    """Lines annotated with the movements posted since opening (taken into account), the expected quantity
    now, the variance and its value."""
    moved = StockMovement.objects.filter(product=OuterRef("product_id"), posted_at__gt=stocktake.opened_at) \
        .exclude(reference=stocktake.number)
    if stocktake.approved_at:  # the report of an approved count stays as it was approved
        moved = moved.filter(posted_at__lte=stocktake.approved_at)

    def net(field):
        return Coalesce(Subquery(moved.filter(**{field: OuterRef("location_id")}).values("product")
                                 .annotate(s=Sum("quantity")).values("s")[:1], output_field=QTY),
                        Value(ZERO, output_field=QTY), output_field=QTY)

    return (StocktakeLine.objects.filter(stocktake=stocktake)
            .annotate(moved_in=net("to_location"), moved_out=net("from_location"))
            .annotate(expected_now=F("expected") + F("moved_in") - F("moved_out"))
            .annotate(variance=Coalesce(F("counted"), Value(ZERO, output_field=QTY)) - F("expected_now"))
            .annotate(variance_value=F("variance") * F("unit_cost")))


def variance_totals(lines) -> dict:
    qty, value = ZERO, ZERO
    for ln in lines:
        qty += ln.variance
        value += ln.variance_value
    return {"quantity": qty, "value": value.quantize(Decimal("0.01"))}


def _over_threshold(line, pct) -> bool:
    base = abs(line.expected_now) or Decimal(1)
    return abs(line.variance) * 100 / base > pct


@transaction.atomic
def request_recounts(stocktake, *, actor) -> int:
    """Send every counted line whose variance exceeds the threshold back for a recount (once)."""
    st = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    if st.status != StocktakeStatus.COUNTING:
        raise BusinessRuleError(_("Recounts can only be asked while counting."))
    ids = [ln.pk for ln in lines_with_variance(st).filter(needs_recount=False)
           if ln.counted is not None and _over_threshold(ln, st.recount_threshold_pct)]
    StocktakeLine.objects.filter(pk__in=ids).update(needs_recount=True, recounted=False, counted=None)
    return len(ids)


def invalid_lines(st, lines) -> list[str]:
    problems = []
    for ln in lines:
        where = f"{ln.location.code} {ln.product.sku}"
        if ln.counted is None and not ln.needs_recount:
            problems.append(str(_("%(line)s: not counted.") % {"line": where}))
        elif ln.needs_recount and not ln.recounted:
            problems.append(str(_("%(line)s: waiting for its recount.") % {"line": where}))
        elif ln.counted is not None and ln.counted < 0:
            problems.append(str(_("%(line)s: a negative count.") % {"line": where}))
    return problems


def _add_to_levels(deltas: dict, now, chunk=1000):
    """on_hand += delta for every {level id: delta}: one UPDATE … FROM (VALUES …) per `chunk` levels.
    (bulk_update's CASE WHEN per row costs seconds of query compilation at thousands of rows.)"""
    table = connection.ops.quote_name(StockLevel._meta.db_table)
    items = sorted(deltas.items())
    with connection.cursor() as cur:
        for i in range(0, len(items), chunk):
            part = items[i:i + chunk]
            cur.execute(f"WITH v(id, d) AS (VALUES {', '.join(['(%s, %s)'] * len(part))}) "  # noqa: S608 - placeholders  # nosec B608 (table and column names from the models' metadata, every value bound)
                        f"UPDATE {table} SET on_hand = on_hand + v.d, last_movement_at = %s FROM v "
                        f"WHERE {table}.id = v.id", [x for pair in part for x in pair] + [now])


def approve_stocktake(stocktake, *, actor, treat_uncounted_as_zero=False) -> list[StockMovement]:
    """Post the variances as stocktake corrections, all in one transaction (`transition` to approved).

    Refused when the approver opened the count (segregation of duties), when it was approved already,
    or when any line is invalid: every invalid line is listed in one message.
    """
    return transition(stocktake, S.APPROVED, actor=actor, treat_uncounted_as_zero=treat_uncounted_as_zero).posted


def _post_variances(st, *, actor, treat_uncounted_as_zero) -> list[StockMovement]:
    if treat_uncounted_as_zero:
        StocktakeLine.objects.filter(stocktake=st, counted__isnull=True, needs_recount=False).update(counted=ZERO)
    lines = list(lines_with_variance(st).select_related("product", "location").order_by("pk"))
    problems = invalid_lines(st, lines)
    if problems:
        raise BusinessRuleError(problems)
    changes = [ln for ln in lines if ln.variance != 0]
    product_ids = sorted({ln.product_id for ln in changes})
    # NO KEY UPDATE, as post_movement: a posting's movement (its foreign key checked at commit) is not blocked
    list(Product.objects.select_for_update(no_key=True).filter(pk__in=product_ids).order_by("pk").values_list("pk"))
    keys = {(ln.product_id, ln.location_id) for ln in changes}

    def lock_levels():
        return {(p, loc): pk for pk, p, loc in StockLevel.objects.select_for_update(no_key=True)
                .filter(product_id__in=product_ids, warehouse=st.warehouse).order_by("pk")
                .values_list("pk", "product_id", "location_id")}

    levels = lock_levels()
    missing = keys - set(levels)
    if missing:  # a line added during the count where the item had no level yet
        locs = {loc.pk: loc for loc in Location.objects.filter(pk__in={k[1] for k in missing})}
        negatives = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "allow_negative"))
        StockLevel.objects.bulk_create(
            [StockLevel(product_id=p, location_id=loc, warehouse_id=locs[loc].warehouse_id,
                        allow_negative=negatives[p]) for p, loc in missing], ignore_conflicts=True)
        levels = lock_levels()
    now = timezone.now()
    cost_q = Decimal(1).scaleb(-COST_PLACES)
    movements, deltas = [], {}
    for ln in changes:
        up = ln.variance > 0
        movements.append(StockMovement(
            kind=MovementKind.STOCKTAKE, product_id=ln.product_id, quantity=abs(ln.variance),
            to_location_id=ln.location_id if up else None, from_location_id=None if up else ln.location_id,
            unit_cost=Decimal(ln.product.average_cost).quantize(cost_q),
            reason_code=events.STOCKTAKE,
            reason_params={"n": st.number, "e": qty_param(quantity(ln.expected_now)),  # 3 places on any database
                           "c": qty_param(quantity(ln.counted))},
            reference=st.number, actor=actor, occurred_at=now, posted_at=now,
            idempotency_key=f"stocktake:{st.pk}:{ln.pk}", entry_method=EntryMethod.TYPED))
        deltas[levels[(ln.product_id, ln.location_id)]] = ln.variance
    services.insert_movements(movements)
    _add_to_levels(deltas, now)
    st.approved_by, st.approved_at = actor, now
    if product_ids:
        enqueue_after_commit("inventory.check_thresholds_task", list(product_ids))
    return movements


def cancel_stocktake(stocktake, *, actor, note="") -> Stocktake:
    return transition(stocktake, S.CANCELLED, actor=actor, note=note)
