"""A yes/no filter of a list page offers "All", "Yes" and "No" (全部 / 是 / 否): django-filter's own first choice,
"Unknown" (未知), read on the product list as if the products' state were unknown."""

import re

import pytest

from inventory.filtersets import ProductFilterSet
from inventory.models import Product
from tests.factories.inventory import ProductFactory

pytestmark = pytest.mark.django_db

SELECT = re.compile(r'<select name="active"[^>]*>(.*?)</select>', re.S)


@pytest.mark.parametrize("language, labels", [("en", ["All", "Yes", "No"]), ("zh-hans", ["全部", "是", "否"])])
def test_the_product_lists_active_filter_offers_all_yes_no(client_as, language, labels):
    client = client_as("warehouse_manager")
    response = client.get("/inventory/products/?active=false", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    options = re.findall(r"<option[^>]*>([^<]*)</option>", SELECT.search(response.content.decode()).group(1))
    assert options == labels
    assert "未知" not in response.content.decode() and ">Unknown<" not in response.content.decode()
    assert re.search(r'<option value="false" selected>', SELECT.search(response.content.decode()).group(1))


def test_all_yes_and_no_filter_as_they_say():
    on, off = ProductFactory(active=True), ProductFactory(active=False)
    rows = Product.objects.filter(pk__in=[on.pk, off.pk])
    assert set(ProductFilterSet({"active": ""}, queryset=rows).qs) == {on, off}
    assert list(ProductFilterSet({"active": "true"}, queryset=rows).qs) == [on]
    assert list(ProductFilterSet({"active": "false"}, queryset=rows).qs) == [off]
