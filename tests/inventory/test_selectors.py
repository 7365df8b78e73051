from datetime import timedelta

import pytest
from django.utils import timezone

from inventory import selectors, services, stocktakes
from inventory.choices import MovementKind

pytestmark = pytest.mark.django_db


def test_kpi_movement_entry_timeliness(product, loc, clerk):
    now = timezone.now()
    services.post_movement(product=product, quantity=5, to_location=loc, kind=MovementKind.RECEIPT, actor=clerk,
                           occurred_at=now - timedelta(hours=2))
    services.post_movement(product=product, quantity=1, from_location=loc, kind=MovementKind.ISSUE, actor=clerk,
                           occurred_at=now - timedelta(hours=30))
    rows = selectors.kpi_movement_entry_timeliness(clerk, now - timedelta(days=1), now + timedelta(minutes=1))
    assert [r["ok"] for r in rows] == [True, False]
    assert rows[0]["model"] == "inventory.stockmovement" and rows[0]["url"].startswith("/inventory/")
    assert selectors.kpi_movement_entry_timeliness(clerk, now - timedelta(days=9), now - timedelta(days=8)) == []


def test_kpi_stocktake_accuracy_and_scanning_share(product, loc, loc2, clerk, make_user):
    opener, approver = make_user("general_manager"), make_user("general_manager")
    for lc in (loc, loc2):
        services.post_movement(product=product, quantity=10, to_location=lc, kind=MovementKind.RECEIPT, actor=clerk)
    st = stocktakes.open_stocktake(warehouse=loc.warehouse, actor=opener, recount_threshold_pct=5)
    for _ in range(10):
        stocktakes.record_count(stocktake=st, location=loc, actor=clerk, code=product.barcode)
    stocktakes.record_count(stocktake=st, location=loc2, actor=clerk, code=product.sku, quantity="7", method="typed",
                            replace=True)
    stocktakes.approve_stocktake(st, actor=approver)
    start, end = timezone.now() - timedelta(hours=1), timezone.now() + timedelta(hours=1)
    acc = selectors.kpi_stocktake_accuracy(clerk, start, end)
    assert sorted(r["ok"] for r in acc) == [False, True]
    share = selectors.kpi_scanning_share(clerk, start, end)
    assert (len(share), sum(r["ok"] for r in share)) == (11, 10)
