"""Inventory invariants for `manage.py check_integrity`: every level equals its ledger, levels and reservations
are consistent with their locations, products and stock."""

from django.db.models import F, Sum
from django.utils.translation import gettext as _

from .models import Product, Reservation, StockLevel


def _skus(ids):
    return dict(Product.objects.filter(pk__in=set(ids)).values_list("pk", "sku"))


def levels_match_ledger() -> list[str]:
    from .selectors import ledger_differences

    diffs = ledger_differences()
    skus = _skus(d[0] for d in diffs)
    return [_("product %(sku)s location %(loc)s: level %(level)s, ledger says %(ledger)s")
            % {"sku": skus.get(pid, pid), "loc": lid, "level": level, "ledger": ledger}
            for pid, lid, level, ledger in diffs]


def levels_in_their_warehouse() -> list[str]:
    bad = (StockLevel.objects.exclude(warehouse_id=F("location__warehouse_id"))
           .values_list("product__sku", "location_id", "warehouse_id", "location__warehouse_id"))
    return [_("product %(sku)s location %(loc)s: level says warehouse %(wh)s, the location is in %(real)s")
            % {"sku": sku, "loc": loc, "wh": wh, "real": real} for sku, loc, wh, real in bad]


def no_negative_stock() -> list[str]:
    bad = StockLevel.objects.filter(on_hand__lt=0, product__allow_negative=False).values_list(
        "product__sku", "location_id", "on_hand")
    return [_("product %(sku)s location %(loc)s: %(qty)s on hand although negative stock is not allowed")
            % {"sku": sku, "loc": loc, "qty": qty} for sku, loc, qty in bad]


def reservations_consistent() -> list[str]:
    problems = [_("reservation %(key)s: released %(released)s before it was made %(created)s")
                % {"key": key, "released": rel, "created": cre}
                for key, rel, cre in Reservation.objects.filter(released_at__lt=F("created_at")).values_list(
                    "key", "released_at", "created_at")]
    problems += [_("reservation %(key)s: quantity %(qty)s is not positive") % {"key": key, "qty": qty}
                 for key, qty in Reservation.objects.filter(quantity__lte=0).values_list("key", "quantity")]
    # active reservations never promise more than is on hand (products that may go negative excepted)
    reserved = (Reservation.objects.active().filter(product__allow_negative=False)
                .values("product_id", "warehouse_id").annotate(q=Sum("quantity")).order_by())
    wanted = {(r["product_id"], r["warehouse_id"]): r["q"] for r in reserved}
    if wanted:
        on_hand = {(r["product_id"], r["warehouse_id"]): r["q"] for r in StockLevel.objects.filter(
            product_id__in={k[0] for k in wanted}).values("product_id", "warehouse_id").annotate(
            q=Sum("on_hand")).order_by()}
        skus = _skus(k[0] for k in wanted)
        for (pid, wid), q in sorted(wanted.items()):
            have = on_hand.get((pid, wid), 0)
            if q > have:
                problems.append(_("product %(sku)s warehouse %(wh)s: %(q)s reserved but only %(have)s on hand")
                                % {"sku": skus.get(pid, pid), "wh": wid, "q": q, "have": have})
    return problems


def checks():
    return [
        ("stock levels equal the ledger", levels_match_ledger()),
        ("stock levels are in their location's warehouse", levels_in_their_warehouse()),
        ("no negative stock where it is not allowed", no_negative_stock()),
        ("reservations are consistent and covered by stock", reservations_consistent()),
    ]
