"""A change request shows a 4-place unit price as it is (¥0.0392), an amount through the money formatter."""

from crm.models import Customer
from governance.keydata import readable
from inventory.models import Product


def test_change_values_read_with_the_price_and_money_formatters():
    assert readable(Product._meta.get_field("list_price"), "0.0392") == "¥0.0392"
    assert readable(Product._meta.get_field("standard_cost"), "1.5") == "¥1.50"
    assert readable(Customer._meta.get_field("credit_limit"), "-2121") == "-¥2,121.00"
