"""Inventory writes: the stock ledger, reservations, thresholds. Every function is keyword-only and
takes the acting user; each raises BusinessRuleError with a message a user can read."""

import logging
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.money import check_column, parse_decimal
from hardware_erp.core.money import quantity as to_quantity
from hardware_erp.core.outbox import batched_row_sql, enqueue_batched
from hardware_erp.core.templatetags.erp import qty as fmt_qty

from .choices import EntryMethod, MovementKind
from .models import Product, Reservation, StockLevel, StockMovement, StockThreshold
from .models.catalogue import COST_PLACES

log = logging.getLogger(__name__)
ZERO = Decimal("0")
COST_Q = Decimal(1).scaleb(-COST_PLACES)

INBOUND = {MovementKind.RECEIPT, MovementKind.RETURN}
OUTBOUND = {MovementKind.ISSUE}
EITHER = {MovementKind.ADJUSTMENT, MovementKind.STOCKTAKE}
THRESHOLD_TASK = "inventory.check_thresholds_task"
THRESHOLD_CHECK_WINDOW = 1.0  # seconds: threshold checks of postings are sent at most once a second per process


QUANTITY_LABEL = _("quantity")
QTY_Q = Decimal("0.001")
_QTY_LIMIT = Decimal(10) ** 11  # a quantity column's digits before the point (14 - 3)


def parse_quantity(value, *, field=QUANTITY_LABEL) -> Decimal:
    """A positive quantity with three places that fits the column, or a BusinessRuleError that says what is wrong
    (read by the kernel's `parse_decimal`: NaN, infinities and oversized values are refused there)."""
    qty = None
    if isinstance(value, Decimal) and value.is_finite():
        if -_QTY_LIMIT < value < _QTY_LIMIT:  # what `parse_decimal` makes of its text, without reading the text
            qty = value.quantize(QTY_Q, rounding=ROUND_HALF_UP)
        value = f"{value:f}"
    if qty is None:
        try:
            qty = parse_decimal(value, max_digits=14, decimal_places=3, label=field)
        except BusinessRuleError as exc:
            raise BusinessRuleError(exc.message, params=exc.params, code="nan") from None
    if qty <= 0:
        raise BusinessRuleError(_("The %(field)s must be more than zero (it was %(value)s)."),
                                params={"field": field, "value": value}, code="not_positive")
    return qty


def convert_to_base(product: Product, qty, unit=None) -> Decimal:
    """Quantity in base units: `unit` is a UnitOfMeasure the product is sold/bought in (box of 100 → ×100)."""
    qty = parse_quantity(qty)
    if unit is None or unit.pk == product.base_unit_id:
        return qty
    pu = product.units.filter(unit=unit).first()
    if pu is None:
        raise BusinessRuleError(
            _("%(product)s has no conversion from %(unit)s to its base unit %(base)s; add the unit to the product "
              "or enter the quantity in %(base)s."),
            params={"product": product.sku, "unit": unit.name, "base": product.base_unit.name}, code="no_conversion")
    return check_column(to_quantity(qty * pu.factor), max_digits=14, decimal_places=3, label=QUANTITY_LABEL)


def _lock_product(product) -> Product:
    # of=("self",): a plain FOR UPDATE would also lock the joined unit of measure, shared by most products;
    # no_key: FOR NO KEY UPDATE still serialises the lockers but lets other postings insert movements that
    # reference the product (their foreign-key check takes FOR KEY SHARE, which FOR UPDATE would block: deadlock)
    return Product.objects.select_for_update(of=("self",), no_key=True).select_related("base_unit").get(pk=product.pk)


class LockedLevel(NamedTuple):
    """A stock level locked for a posting, with the facts of its product read in the same statement."""

    id: int
    location_id: int
    on_hand: Decimal
    active: bool
    allow_negative: bool
    average_cost: Decimal | None
    standard_cost: Decimal | None
    has_threshold: bool


def _decimal(value):
    return value if value is None or isinstance(value, Decimal) else Decimal(str(value))


def lock_levels(product: Product, locations, *, cursor=None) -> dict[int, LockedLevel]:
    """The stock levels of `product` at `locations`, created when missing, locked in primary-key order
    (FOR NO KEY UPDATE: the row is locked, inserts that reference it are not blocked).

    One hand-written statement: posting is the hottest path of the system, and the ORM's query building
    cost several times the database's own work per movement. `cursor`: the caller's (posting uses one a call)."""
    locations = [loc for loc in locations if loc is not None]
    ids = [loc.pk for loc in locations]
    if cursor is None:
        with connection.cursor() as cur:
            return lock_levels(product, locations, cursor=cur)
    sql = _sql(cursor.db)["levels"][len(ids)]

    def fetch():
        cursor.execute(sql, [product.pk, *ids])
        return {r[1]: LockedLevel(r[0], r[1], _decimal(r[2]), bool(r[3]), bool(r[4]), _decimal(r[5]),
                                  _decimal(r[6]), bool(r[7])) for r in cursor.fetchall()}

    levels = fetch()
    missing = [loc for loc in locations if loc.pk not in levels]
    if missing:
        StockLevel.objects.bulk_create(
            [StockLevel(product_id=product.pk, location=loc, warehouse_id=loc.warehouse_id,
                        allow_negative=product.allow_negative) for loc in missing], ignore_conflicts=True)
        levels = fetch()
    return levels


_SQL_CACHE: dict[str, dict] = {}


def _sql(conn) -> dict:
    """The posting's statements for `conn`'s database, written once per vendor from the models' metadata (table
    and column names quoted by the backend, every value a parameter): the ORM compiled them again on every call."""
    sql = _SQL_CACHE.get(conn.vendor)
    if sql is not None:
        return sql
    q = conn.ops.quote_name
    level, product, movement, threshold = (q(m._meta.db_table) for m in (StockLevel, Product, StockMovement,
                                                                         StockThreshold))
    lock = ""
    if conn.features.has_select_for_update:
        lock = " " + conn.ops.for_update_sql(of=("l",), no_key=True)
    # table and column names from the models' metadata, every value bound
    levels = {n: (f"SELECT l.id, l.location_id, l.on_hand, p.active, p.allow_negative, p.average_cost, "  # noqa: S608  # nosec B608 (names from the models' metadata, every value bound)
                  f"p.standard_cost, EXISTS (SELECT 1 FROM {threshold} t WHERE t.product_id = l.product_id) "
                  f"FROM {level} l INNER JOIN {product} p ON p.id = l.product_id "
                  f"WHERE l.product_id = %s AND l.location_id IN ({', '.join(['%s'] * n)}) ORDER BY l.id{lock}")
              for n in (1, 2)}
    columns = ", ".join(q(c) for c in _MOVEMENT_COLUMNS)
    sql = _SQL_CACHE[conn.vendor] = {
        "levels": levels,
        "lock_product": (f"SELECT id FROM {product} WHERE id = %s {conn.ops.for_update_sql(no_key=True)}"  # noqa: S608  # nosec B608 (names from the models' metadata, every value bound)
                         if conn.features.has_select_for_update else None),
        "insert": f"INSERT INTO {movement} ({columns}) VALUES ",  # noqa: S608  # nosec B608 (as above)
        "level": f"UPDATE {level} SET on_hand = on_hand + %s, last_movement_at = %s WHERE id = %s",  # noqa: S608  # nosec B608 (as above)
        # the new average: (on hand × average + qty × cost) / (on hand + qty), on hand before this movement and
        # counted as zero when negative, four places, half up (PostgreSQL's ROUND of a numeric)
        "average": (f"UPDATE {product} p SET average_cost = ROUND((s.b * %s + %s * %s) / (s.b + %s), {COST_PLACES}) "  # noqa: S608, E501  # nosec B608 (as above)
                    f"FROM (SELECT GREATEST(COALESCE(SUM(on_hand), 0), 0) AS b FROM {level} "
                    "WHERE product_id = %s) s WHERE p.id = %s"),
        "replayed": f"SELECT * FROM {movement} WHERE idempotency_key = %s",  # noqa: S608  # nosec B608 (as above)
        "written": {},  # (keyed, costed, levels) -> the one statement that writes a posting (PostgreSQL)
    }
    return sql


def _write_sql(sql: dict, keyed: bool, costed: bool, n_levels: int, outbox: str | None) -> str:
    """PostgreSQL: the movement's INSERT, the average cost's UPDATE (a costed receipt) and the levels' UPDATEs as one
    statement of data-modifying WITH queries. The average and the levels change only when the movement was
    inserted (a key posted already inserts nothing: `EXISTS (SELECT 1 FROM m)`), and every part reads the snapshot
    of the statement's start, so the average weighs the levels without this movement, as it did run before the
    level UPDATE. `outbox`: the kernel's INSERT of the transaction's threshold-check row (`batched_row_sql`), written
    with the movement. Returns the new movement's id and the outbox row's, or no row for a key posted already."""
    shape = (keyed, costed, n_levels, outbox)
    text = sql["written"].get(shape)
    if text is None:
        row = "(" + ", ".join(["%s"] * len(_MOVEMENT_COLUMNS)) + ")"
        parts = ["m AS (" + sql["insert"] + row + (" ON CONFLICT (idempotency_key) DO NOTHING" if keyed else "")
                 + " RETURNING id)"]
        if costed:
            parts.append(f"a AS ({sql['average']} AND EXISTS (SELECT 1 FROM m))")  # noqa: S608  # nosec B608 (the statements above, no value)
        parts += [f"l{i} AS ({sql['level']} AND EXISTS (SELECT 1 FROM m))"  # noqa: S608  # nosec B608 (as above)
                  for i in range(n_levels)]
        if outbox:
            parts.append(f"o AS ({outbox} WHERE EXISTS (SELECT 1 FROM m) RETURNING id)")  # noqa: S608  # nosec B608
        text = sql["written"][shape] = ("WITH " + ", ".join(parts) + " SELECT m.id, "  # noqa: S608  # nosec B608
                                        + ("(SELECT id FROM o)" if outbox else "NULL") + " FROM m")
    return text


def _check_locations(kind, from_location, to_location):
    if kind in INBOUND and (to_location is None or from_location is not None):
        raise BusinessRuleError(_("A receipt or return goes into one location: choose the location it goes to."),
                                code="locations")
    if kind in OUTBOUND and (from_location is None or to_location is not None):
        raise BusinessRuleError(_("An issue takes stock out of one location: choose the location it comes from."),
                                code="locations")
    if kind == MovementKind.TRANSFER:
        if from_location is None or to_location is None:
            raise BusinessRuleError(_("A transfer needs both a from and a to location."), code="locations")
        if from_location.pk == to_location.pk:
            raise BusinessRuleError(_("A transfer must go to a different location."), code="locations")
    if kind in EITHER and (from_location is None) == (to_location is None):
        raise BusinessRuleError(_("An adjustment adds to one location or takes from one location."),
                                code="locations")
    for loc in (from_location, to_location):
        if loc is not None and not loc.active:
            raise BusinessRuleError(_("The location %(loc)s is closed."), params={"loc": str(loc)}, code="closed")


def post_movement(**kwargs) -> StockMovement:
    """Post one stock movement (see `_post_movement`) in a transaction: the caller's when it has one, without a
    savepoint, else its own. Every refusal is raised before the first write (but for the creation of a missing,
    empty stock level), so there is nothing to roll back to; a database error aborts the caller's transaction as
    it would anyway. A shipment of 40 lines is one transaction, not 40 savepoints."""
    conn = connections[DEFAULT_DB_ALIAS]  # the connection itself: each read through the proxy is a thread-local look-up
    if conn.in_atomic_block:
        return _post_movement(conn, **kwargs)
    with transaction.atomic():
        return _post_movement(conn, **kwargs)


def _post_movement(conn, *, product, quantity, to_location=None, from_location=None, kind, actor, reference=None,
                   unit_cost=None, reason="", idempotency_key=None, occurred_at=None,
                   entry_method=EntryMethod.TYPED, reason_code="", reason_params=None) -> StockMovement:
    """Post one stock movement and update the levels in the same transaction, under row locks.

    `reason` is what a person typed; a reason the system gives is an event code and its parameters
    (`reason_code="orders.shipment", reason_params={"s": "SH000012"}`), put into words when read.

    Quantity is in base units and positive; the direction comes from the locations. With an
    `idempotency_key`, a repeated call returns the movement of the first call and changes nothing: the movement
    is inserted with ON CONFLICT DO NOTHING on the key's unique index (no savepoint, no look-up first when the key
    is new); only a call whose insert found its twin reads it.

    Locks: the levels touched, in primary-key order; the product row too, first, only when a receipt's unit
    cost moves the average cost. That lock stays: the new average weighs the quantity on hand before the receipt
    (a SUM over the product's levels), and under READ COMMITTED only a statement started after the previous
    receipt committed sees its quantity (an UPDATE that waited for the row re-reads that row, not the levels);
    taking it last instead would invert the order other services lock product then level in. The average itself
    is computed in SQL. Threshold checks: one outbox row per transaction, sent in a batch once a second
    (`_after_commit_check`).

    Statements: the product lock (a costed receipt), the levels (locked, with the product's facts), then on
    PostgreSQL one statement that inserts the movement and updates the average and the levels (`_write_sql`),
    elsewhere an INSERT, the average and an UPDATE a level; all on one cursor, their text written once.
    """
    qty = parse_quantity(quantity)
    kind = MovementKind(kind)
    _check_locations(kind, from_location, to_location)
    costed = unit_cost is not None and kind in INBOUND
    if costed:
        cost = Decimal(unit_cost)
        if cost < 0:
            raise BusinessRuleError(_("The unit cost cannot be negative."), code="cost")
    sql = _sql(conn)
    key = idempotency_key or None
    with conn.cursor() as cur:
        if costed and sql["lock_product"]:
            cur.execute(sql["lock_product"], [product.pk])  # FOR NO KEY UPDATE, see `_lock_product`
        levels = lock_levels(product, [from_location, to_location], cursor=cur)
        facts = next(iter(levels.values()))  # the product as committed, read with its levels
        if not facts.active and kind not in {MovementKind.ISSUE, MovementKind.ADJUSTMENT, MovementKind.STOCKTAKE}:
            if (done := _replayed(key, product, qty)) is not None:
                return done
            raise BusinessRuleError(_("%(sku)s is inactive: it cannot be received."), params={"sku": product.sku},
                                    code="inactive")
        if from_location is not None and not facts.allow_negative:
            on_hand = levels[from_location.pk].on_hand
            if on_hand - qty < 0:
                if (done := _replayed(key, product, qty)) is not None:  # the first call took the stock
                    return done
                raise BusinessRuleError(
                    _("Only %(on_hand)s of %(sku)s are on hand in %(loc)s; %(qty)s cannot be taken out."),
                    params={"on_hand": fmt_qty(on_hand), "sku": product.sku, "loc": str(from_location),
                            "qty": fmt_qty(qty)}, code="negative_stock")
        avg = facts.average_cost or facts.standard_cost or ZERO
        if not costed:
            cost = avg
        now = timezone.now()
        movement = _new_movement(
            kind=kind, product=product, from_location=from_location, to_location=to_location, quantity=qty,
            unit_cost=Decimal(cost).quantize(COST_Q), reason=reason or "", reason_code=reason_code or "",
            reason_params=reason_params or {}, reference=reference or "", actor=actor,
            occurred_at=occurred_at or now, posted_at=now, idempotency_key=key, entry_method=entry_method)
        when = conn.ops.adapt_datetimefield_value(now)
        moves = [(levels[loc.pk].id, sign * qty) for loc, sign in ((from_location, -1), (to_location, 1))
                 if loc is not None]
        outbox = None
        if conn.vendor == "postgresql":
            params = _movement_params(conn, movement)
            if costed:
                params += [avg, qty, cost, qty, product.pk, product.pk]
            for level_id, change in moves:
                params += [change, when, level_id]
            outbox = batched_row_sql(THRESHOLD_TASK, [product.pk], window=THRESHOLD_CHECK_WINDOW) \
                if facts.has_threshold else None  # the threshold check's row, when the transaction has none yet
            if outbox:
                params += outbox[1]
            cur.execute(_write_sql(sql, key is not None, costed, len(moves), outbox and outbox[0]), params)
            row = cur.fetchone()
            if row is not None:
                _saved(conn, movement, row[0])
                if outbox:
                    outbox[2](row[1])
        else:
            row = insert_movements([movement], skip_existing_keys=key is not None, cursor=cur)
            if row:
                if costed:
                    _update_average_cost(product.pk, avg, qty, cost)
                for level_id, change in moves:
                    cur.execute(sql["level"], [change, when, level_id])
    if not row:  # the key was posted already: its movement, nothing written
        done = _replayed(key, product, qty)
        if done is None:
            raise BusinessRuleError(_("This request was already posted."), code="replay")
        return done
    if facts.has_threshold and not outbox:  # no threshold: nothing to check; a row written above: done
        _after_commit_check(product.pk)
    return movement


def _replayed(idempotency_key, product, qty):
    """The movement an earlier call with this key posted, or None; a refusal when its details differ."""
    if not idempotency_key:
        return None
    raw = StockMovement.objects.raw(_sql(connections[DEFAULT_DB_ALIAS])["replayed"], [idempotency_key])
    done = next(iter(raw), None)  # the key is unique: one row at most
    if done is not None and (done.product_id != product.pk or done.quantity != qty):
        raise BusinessRuleError(_("This request was already posted with different details."), code="replay")
    return done


def _update_average_cost(product_id, avg, qty, cost):
    """The product's average cost after receiving `qty` at `cost`, the movement's own quantity not yet on its
    levels: (on hand × average + qty × cost) / (on hand + qty), on hand counted as zero when negative, four
    places, half up. In Python, for databases other than PostgreSQL; there the same arithmetic is SQL inside
    posting's one write statement (`_sql`'s "average", `_write_sql`)."""
    before = StockLevel.objects.filter(product_id=product_id).aggregate(s=Sum("on_hand"))["s"] or ZERO
    before = max(before, ZERO)
    new_avg = ((before * avg + qty * cost) / (before + qty)).quantize(COST_Q, rounding=ROUND_HALF_UP)
    Product.objects.filter(pk=product_id).update(average_cost=new_avg)


_MOVEMENT_COLUMNS = ("kind", "product_id", "from_location_id", "to_location_id", "quantity", "unit_cost", "reason",
                     "reference", "actor_id", "occurred_at", "posted_at", "idempotency_key", "entry_method",
                     "reason_code", "reason_params")
_MOVEMENT_META: dict = {}  # the model's field order and related caches, read once (the app registry is ready then)


def _movement_meta() -> dict:
    if not _MOVEMENT_META:
        opts = StockMovement._meta
        _MOVEMENT_META.update(attnames=[f.attname for f in opts.concrete_fields],
                              related={f.name: f.cache_name for f in opts.concrete_fields if f.is_relation},
                              params_field=opts.get_field("reason_params"))
    return _MOVEMENT_META


def _new_movement(**values) -> StockMovement:
    """An unsaved StockMovement as `StockMovement(**values)` builds it (related objects given as objects and cached),
    built from positional values: the keyword path of Model.__init__ cost as much as a statement here."""
    meta = _movement_meta()
    related = {name: values.pop(name) for name in meta["related"]}
    for name, obj in related.items():
        values[name + "_id"] = None if obj is None else obj.pk
    movement = StockMovement(*[values.get(a) for a in meta["attnames"]])
    cache = movement._state.fields_cache
    for name, obj in related.items():
        cache[meta["related"][name]] = obj
    return movement


def _movement_params(conn, m: StockMovement) -> list:
    """The values of `_MOVEMENT_COLUMNS` of movement `m`, adapted for `conn`."""
    adapt = conn.ops.adapt_datetimefield_value
    return [str(m.kind), m.product_id, m.from_location_id, m.to_location_id, m.quantity, m.unit_cost, m.reason,
            m.reference, m.actor_id, adapt(m.occurred_at), adapt(m.posted_at), m.idempotency_key, str(m.entry_method),
            m.reason_code, _movement_meta()["params_field"].get_db_prep_value(m.reason_params or {}, conn)]


def _saved(conn, m: StockMovement, pk) -> None:
    m.pk = pk
    m._state.adding, m._state.db = False, conn.alias


def insert_movements(movements: list[StockMovement], *, chunk=1000, skip_existing_keys=False, cursor=None) -> list:
    """INSERT … RETURNING id of new movements, `chunk` rows a statement: the rows StockMovement.save() and
    bulk_create write, without the ORM's per-call query building (which costs more than the database's work
    here). The instances become saved ones. With `skip_existing_keys`, a movement whose idempotency key is taken
    is not inserted (ON CONFLICT DO NOTHING) and stays unsaved. Returns the saved movements."""
    if cursor is None:
        with connection.cursor() as cur:
            return insert_movements(movements, chunk=chunk, skip_existing_keys=skip_existing_keys, cursor=cur)
    conn = cursor.db
    sql = _sql(conn)["insert"]
    row = "(" + ", ".join(["%s"] * len(_MOVEMENT_COLUMNS)) + ")"
    tail = " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, idempotency_key" if skip_existing_keys \
        else " RETURNING id"
    saved = []
    for i in range(0, len(movements), chunk):
        part = movements[i:i + chunk]
        params = []
        for m in part:
            params += _movement_params(conn, m)
        cursor.execute(sql + ", ".join([row] * len(part)) + tail, params)
        rows = cursor.fetchall()
        if skip_existing_keys:  # skipped rows give no id: match the others by their key
            by_key = {m.idempotency_key: m for m in part}
            pairs = [(by_key[key], pk) for pk, key in rows]
        else:  # rows come back in the order of VALUES
            pairs = list(zip(part, (r[0] for r in rows), strict=True))
        for m, pk in pairs:
            _saved(conn, m, pk)
            saved.append(m)
    return saved


def _after_commit_check(product_id):
    """Queue the threshold check of `product_id`: one outbox row per transaction, and one task a second
    (`THRESHOLD_CHECK_WINDOW`) for all the products the committed rows name (`core.outbox.enqueue_batched`), not a
    task per movement. The check reads the current state, so a late or repeated run is harmless; beat also runs
    it over every threshold every 15 minutes."""
    enqueue_batched(THRESHOLD_TASK, [product_id], window=THRESHOLD_CHECK_WINDOW)


def available_quantity(product, warehouse) -> Decimal:
    on_hand = StockLevel.objects.filter(product=product, warehouse=warehouse).aggregate(s=Sum("on_hand"))["s"]
    reserved = Reservation.objects.active().filter(product=product, warehouse=warehouse).aggregate(
        s=Sum("quantity"))["s"]
    return (on_hand or ZERO) - (reserved or ZERO)


@transaction.atomic
def reserve_stock(*, product, warehouse, quantity, reference, key, actor) -> Reservation:
    """Reserve available stock of a product in a warehouse for a document. Idempotent by `key`."""
    qty = parse_quantity(quantity)
    product = _lock_product(product)
    done = Reservation.objects.filter(key=key).first()
    if done is not None:
        return done
    avail = available_quantity(product, warehouse)
    if qty > avail and not product.allow_negative:
        raise BusinessRuleError(
            _("Only %(avail)s of %(sku)s are available in %(wh)s; %(qty)s cannot be reserved."),
            params={"avail": fmt_qty(max(avail, ZERO)), "sku": product.sku, "wh": warehouse.name,
                    "qty": fmt_qty(qty)}, code="not_available")
    res = Reservation.objects.create(product=product, warehouse=warehouse, quantity=qty, reference=reference,
                                     key=key, created_by=actor)
    _after_commit_check(product.pk)
    return res


@transaction.atomic
def release_reservation(*, key=None, reservation=None, actor, quantity=None) -> Reservation:
    """Release a reservation (all of it, or `quantity` of it). Releasing twice is harmless."""
    qs = Reservation.objects.select_for_update()
    res = qs.filter(pk=reservation.pk).first() if reservation is not None else qs.filter(key=key).first()
    if res is None:
        raise BusinessRuleError(_("There is no reservation %(key)s."), params={"key": key}, code="unknown")
    if res.released_at is not None:
        return res
    if quantity is not None:
        qty = parse_quantity(quantity)
        if qty < res.quantity:
            res.quantity -= qty
            res.save(update_fields=["quantity"])
            _after_commit_check(res.product_id)
            return res
    res.released_at = timezone.now()
    res.save(update_fields=["released_at"])
    _after_commit_check(res.product_id)
    return res


def check_product_import(dataset, *, actor, file_name: str = ""):
    """Dry-run a product spreadsheet (nothing is written) and record the check for the data quality page:
    the rows and the rows refused. Returns django-import-export's result and {product pk: [key fields]} of the rows
    whose price or cost change will wait for approval."""
    from governance.services import record_import

    from .resources import ProductResource

    resource = ProductResource(actor=actor)
    result = resource.import_data(dataset, dry_run=True, raise_errors=False)
    refused = {row.number for row in result.invalid_rows} | {number for number, _errors in result.row_errors()}
    record_import(actor=actor, model_label="inventory.product", file_name=file_name, total_rows=dataset.height,
                  error_rows=len(refused))
    return result, {pk: sorted(changes) for pk, changes in resource.held.items()}


@transaction.atomic
def import_products(dataset, *, actor):
    """Import a checked product spreadsheet: new products created, known SKUs updated; changes of key data (price,
    cost) go to change requests unless the actor may approve them. Refused as a whole on any error."""
    from .resources import ProductResource

    if not actor.has_perm("inventory.add_product"):
        raise PermissionDenied(_("You may not import products."))
    resource = ProductResource(actor=actor)
    result = resource.import_data(dataset, dry_run=False, raise_errors=False, rollback_on_validation_errors=True)
    if result.has_errors() or result.has_validation_errors():
        raise BusinessRuleError(_("The import was refused and nothing was written: the data changed since the "
                                  "preview. Upload it again."), code="changed")
    return result, sorted(resource.held)
