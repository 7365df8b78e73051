"""The stocktake page in Chinese: a counted line's status reads 已盘点 (a status word), the quantity column's header
实盘数 (the counted quantity); one English word, "Counted", for both, told apart by context."""

import re

import pytest
from django.urls import reverse

from inventory import services, stocktakes
from inventory.choices import MovementKind

pytestmark = pytest.mark.django_db


def test_counted_status_and_counted_quantity_translate_separately(product, loc, clerk, make_user, client_as):
    services.post_movement(product=product, quantity=10, to_location=loc, kind=MovementKind.RECEIPT, actor=clerk)
    st = stocktakes.open_stocktake(warehouse=loc.warehouse, actor=make_user("warehouse_manager"))
    stocktakes.record_count(stocktake=st, location=loc, actor=clerk, code=product.sku, quantity="9",
                            method="typed", replace=True)
    client = client_as("warehouse_manager")
    url = reverse("inventory:stocktake", args=[st.pk])

    def status_and_headers(lang):
        page = re.sub(r"\s+", " ", client.get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode())
        table = page.split('data-testid="variance-row"', 1)
        row = table[1].split("</tr>", 1)[0]
        cells = [re.sub(r"<[^>]+>", "", c).strip(" >") for c in row.split("<td")[1:]]
        headers = [re.sub(r"<[^>]+>", "", "<th" + h).strip() for h in table[0].rsplit("<thead", 1)[1].split("<th")[1:]]
        return cells[-1], headers, row

    status, headers, row = status_and_headers("zh-hans")
    assert status == "已盘点", status  # the status column
    assert "实盘数" in headers and "实盘数" not in row  # the counted quantity's header; not as a status
    status, headers, _row = status_and_headers("en")
    assert status == "Counted" and "Counted" in headers
