"""Stock movement reasons and purchase-order events that the system writes are codes and parameters: written while
Chinese is active they read in English to an English reader and the other way round; old rows are parsed back."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from inventory import events, forecast, purchasing, services, stocktakes
from inventory.choices import MovementKind
from inventory.models import PurchaseOrderEvent, StockMovement
from tests.factories.inventory import SupplierProductFactory

pytestmark = pytest.mark.django_db
QUANTITIES = ("safety_stock", "reorder_point", "maximum", "target", "on_hand", "reserved", "on_order", "net_need",
              "pack_size", "moq")


@pytest.fixture
def adjusted(product, loc, clerk, make_user):
    services.post_movement(product=product, quantity=303, to_location=loc, kind=MovementKind.RECEIPT, actor=clerk)
    st = stocktakes.open_stocktake(warehouse=loc.warehouse, actor=make_user("warehouse_manager"))
    stocktakes.record_count(stocktake=st, location=loc, actor=clerk, code=product.sku, quantity="300",
                            method="typed", replace=True)
    with translation.override("zh-hans"):  # a Chinese manager approves
        (movement,) = stocktakes.approve_stocktake(st, actor=make_user("warehouse_manager"))
    return st, movement


def test_a_stocktake_adjustment_reads_in_each_readers_language(adjusted, client_as, product):
    st, movement = adjusted
    movement.refresh_from_db()
    assert (movement.reason_code, movement.reason) == (events.STOCKTAKE, "")
    assert movement.reason_params == {"n": st.number, "e": {"qty": "303.000"}, "c": {"qty": "300.000"}}
    client = client_as("warehouse_manager")
    url = reverse("inventory:product", args=[product.pk])
    assert f"Stocktake {st.number}: expected 303, counted 300" in client.get(url, HTTP_ACCEPT_LANGUAGE="en") \
        .content.decode()
    assert f"盘点 {st.number}：账面 303，实盘 300" in client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    ledger = client.get(reverse("inventory:movement_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Stocktake {st.number}: expected 303, counted 300" in ledger


def test_a_typed_reason_stays_as_typed(product, loc, clerk):
    m = services.post_movement(product=product, quantity=5, to_location=loc, kind=MovementKind.ADJUSTMENT,
                               actor=clerk, reason="货架上找到的")
    assert (m.reason_code, m.reason) == ("", "货架上找到的")
    with translation.override("en"):
        assert m.reason_text == "货架上找到的"


def test_purchase_order_events_read_in_each_readers_language(product, wh, loc, make_user):
    from inventory.models import PurchaseSuggestion

    sp = SupplierProductFactory(product=product, price=Decimal("0.42"))

    purchaser, gm, clerk = make_user("purchaser"), make_user("general_manager"), make_user("warehouse_clerk")
    suggestion = PurchaseSuggestion.objects.create(product=product, warehouse=wh, supplier=sp.supplier,
                                                   daily_demand=5, demand_sigma=1, lead_time_days=7,
                                                   **dict.fromkeys(QUANTITIES, 0), suggested_quantity=100,
                                                   quantity=100)
    with translation.override("zh-hans"):
        (po,) = forecast.order_suggestions([suggestion.pk], actor=purchaser)
    assert po.note == ""  # not a sentence in the purchaser's note
    purchasing.transition(po, "approved", actor=gm)
    purchasing.transition(po, "sent", actor=purchaser)
    with translation.override("zh-hans"):
        purchasing.receive_purchase_order(order=po, receipts=[(po.lines.get(), "60", loc)], actor=clerk, key="k")
    draft, *_rest, received = PurchaseOrderEvent.objects.filter(order=po)
    assert (draft.code, draft.note) == (events.PO_FROM_SUGGESTIONS, "")
    assert received.code == events.PO_RECEIVED and received.note == ""
    with translation.override("en"):
        assert draft.text == "From purchase suggestions"
        assert received.text == f"Received: {product.sku} 60"
    with translation.override("zh-hans"):
        assert draft.text != "From purchase suggestions" and received.text.endswith(f"{product.sku} 60")


def test_old_rows_are_parsed_back_into_codes(product, loc, clerk):
    from django.db import connection

    base = {"product": product, "to_location": loc, "kind": MovementKind.RECEIPT, "actor": clerk}
    zh = services.post_movement(quantity=3, reason="盘点 ST000002：账面 303，实盘 300", **base)
    en = services.post_movement(quantity=3, reason="Stocktake ST000003: expected 5, counted 8", **base)
    opening = services.post_movement(quantity=3, reason="期初库存", **base)
    typed = services.post_movement(quantity=3, reason="搬仓时多出来的", **base)
    migration = importlib.import_module("inventory.migrations.0005_movement_and_po_event_codes")
    migration.to_codes(apps, connection.schema_editor())
    rows = {m.pk: m for m in StockMovement.objects.filter(pk__in=[zh.pk, en.pk, opening.pk, typed.pk])}
    assert (rows[zh.pk].reason_code, rows[zh.pk].reason_params, rows[zh.pk].reason) == (
        events.STOCKTAKE, {"n": "ST000002", "e": "303", "c": "300"}, "")
    assert rows[en.pk].reason_params == {"n": "ST000003", "e": "5", "c": "8"}
    assert rows[opening.pk].reason_code == events.OPENING
    assert (rows[typed.pk].reason_code, rows[typed.pk].reason) == ("", "搬仓时多出来的")
    with translation.override("en"):
        assert rows[zh.pk].reason_text == "Stocktake ST000002: expected 303, counted 300"
        assert rows[opening.pk].reason_text == "Opening stock"
