"""Properties of money and quantity arithmetic (hardware_erp/core/money.py) and of unit conversion
(inventory.services.convert_to_base): no cent lost in a split, totals equal the sum of their lines."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hardware_erp.core.money import CENT, money, quantity, split_money
from inventory.services import convert_to_base

amounts = st.decimals(min_value=Decimal("-999999999.99"), max_value=Decimal("999999999.99"), places=2)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999.9999"), places=4)
quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99999.999"), places=3)
weights = st.lists(st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=3), min_size=1,
                   max_size=40)


positive = st.decimals(min_value=Decimal("0"), max_value=Decimal("999999999.99"), places=2)


@given(positive, weights)
def test_split_money_loses_no_cent(total, ws):
    parts = split_money(total, ws)
    assert len(parts) == len(ws)
    assert sum(parts) == total
    assert all(p == p.quantize(CENT) for p in parts)


@given(amounts.filter(lambda a: a < 0), weights)
def test_split_money_of_a_negative_total_loses_no_cent(total, ws):
    assert sum(split_money(total, ws)) == total


@given(st.decimals(min_value=Decimal("0"), max_value=Decimal("999999999.99"), places=2), weights)
def test_split_money_parts_are_within_a_cent_of_the_exact_share(total, ws):
    parts = split_money(total, ws)
    wsum = sum(ws)
    exact = [total * w / wsum for w in ws] if wsum else [total / len(ws)] * len(ws)
    for part, share in zip(parts, exact, strict=True):
        assert part >= 0
        assert abs(part - share) < CENT


@given(positive, st.integers(min_value=1, max_value=50))
def test_equal_split_differs_by_at_most_one_cent(total, n):
    parts = split_money(total, [1] * n)
    assert sum(parts) == total
    assert max(parts) - min(parts) <= CENT


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=6))
def test_money_rounds_half_up_to_cents(value):
    rounded = money(value)
    assert rounded == value.quantize(CENT, rounding=ROUND_HALF_UP)
    assert abs(rounded - value) <= Decimal("0.005")
    assert money(rounded) == rounded  # idempotent


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False))
def test_floats_are_rounded_from_their_shortest_repr(value):
    # 2.675 is 2.67499999... in binary; the helper rounds what the user typed, 2.68
    assert money(value) == Decimal(repr(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@given(st.lists(st.tuples(quantities, prices), min_size=1, max_size=30))
def test_document_total_equals_the_sum_of_its_rounded_lines(lines):
    line_totals = [money(quantity(q) * p) for q, p in lines]
    total = sum(line_totals, Decimal("0"))
    assert total == money(total)  # a sum of cents is cents: nothing to round away
    # discounting the document by splitting a discount over its lines keeps the total exact
    discount = money(total * Decimal("0.05"))
    shares = split_money(discount, line_totals)
    assert sum(lt - s for lt, s in zip(line_totals, shares, strict=True)) == total - discount


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(qty=st.decimals(min_value=Decimal("0.001"), max_value=Decimal("9999"), places=3),
       factor=st.decimals(min_value=Decimal("0.001"), max_value=Decimal("5000"), places=3))
def test_unit_conversion_is_exact_multiplication(qty, factor, conversion):
    product, unit = conversion
    assume(qty * factor >= Decimal("0.0005"))  # less rounds to 0.000, which post_movement refuses
    product.units.update(factor=factor)
    base = convert_to_base(product, qty, unit)
    assert base == (qty * factor).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


@pytest.fixture
def conversion(db):
    from inventory.models import ProductUnit
    from tests.factories.inventory import ProductFactory, UnitFactory

    product = ProductFactory()
    box = UnitFactory(code="box", name_zh="盒", name_en="box")
    ProductUnit.objects.create(product=product, unit=box, factor=Decimal("100"))
    return product, box
