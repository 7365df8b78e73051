"""Line and document arithmetic (orders.pricing): 4-place unit prices, cent amounts per line, VAT inclusive or
exclusive, and net + tax = gross on every line and every total."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from orders.pricing import compute_line, compute_totals, net_unit_price, split_gross, unit_price_in_mode

D = Decimal
quantities = st.decimals(min_value=D("0.001"), max_value=D("100000"), places=3)
prices = st.decimals(min_value=D("0"), max_value=D("50000"), places=4)
rates = st.sampled_from([D("13"), D("9"), D("6"), D("3"), D("1"), D("0"), D("13.00")])
modes = st.booleans()


def test_inclusive_line_takes_the_vat_out_of_the_amount():
    # 1000 screws at ¥0.0443 including VAT: ¥44.30; tax = round(44.30 / 1.13 × 0.13) = 5.10; net 39.20
    line = compute_line(quantity=1000, unit_price="0.0443", tax_rate=13, prices_include_tax=True)
    assert (line.gross, line.tax, line.net) == (D("44.30"), D("5.10"), D("39.20"))


def test_exclusive_line_adds_the_vat():
    line = compute_line(quantity=3, unit_price="33.3333", tax_rate=13, prices_include_tax=False)
    assert (line.net, line.tax, line.gross) == (D("100.00"), D("13.00"), D("113.00"))


def test_four_place_price_is_kept_and_a_two_percent_discount_shows():
    full = compute_line(quantity=10000, unit_price="0.0392", tax_rate=13, prices_include_tax=False)
    less = compute_line(quantity=10000, unit_price=D("0.0392") * D("0.98"), tax_rate=13, prices_include_tax=False)
    assert full.net == D("392.00")
    assert less.net == D("384.00")  # 0.038416 → 0.0384 per piece: the discount changes the charge (¥8 less)


def test_amount_is_rounded_half_up_to_the_cent():
    # 3 × 0.0350 = 0.105 → 0.11 (half up, not banker's 0.10)
    assert compute_line(quantity=3, unit_price="0.035", tax_rate=0, prices_include_tax=False).net == D("0.11")
    assert split_gross("1.13", 13) == (D("1.00"), D("0.13"))


def test_list_amount_and_discount_in_the_same_mode():
    line = compute_line(quantity=2, unit_price="90", list_price="100", tax_rate=13, prices_include_tax=True)
    assert (line.list_amount, line.discount, line.gross) == (D("200.00"), D("20.00"), D("180.00"))


def test_price_mode_conversions():
    assert unit_price_in_mode("0.0392", 13, True) == D("0.0443")
    assert unit_price_in_mode("0.0392", 13, False) == D("0.0392")
    assert net_unit_price("113", 13, True) == D("100.0000")


@given(qty=quantities, unit=prices, rate=rates, inclusive=modes)
def test_every_line_net_plus_tax_is_gross(qty, unit, rate, inclusive):
    line = compute_line(quantity=qty, unit_price=unit, tax_rate=rate, prices_include_tax=inclusive)
    assert line.net + line.tax == line.gross
    for v in (line.net, line.tax, line.gross):
        assert v == v.quantize(D("0.01"))
    if inclusive:
        assert line.gross == (qty * unit).quantize(D("0.01"), rounding="ROUND_HALF_UP")
        # the documented formula, computed independently: tax = round(gross ÷ (1 + r) × r, 2)
        expected = (line.gross / (1 + rate / 100) * (rate / 100)).quantize(D("0.01"), rounding="ROUND_HALF_UP")
        assert line.tax == expected
    else:
        assert line.net == (qty * unit).quantize(D("0.01"), rounding="ROUND_HALF_UP")
        assert line.tax == (line.net * rate / 100).quantize(D("0.01"), rounding="ROUND_HALF_UP")
    assert line.tax >= 0 and line.net >= 0


@given(lines=st.lists(st.tuples(quantities, prices, prices, rates), min_size=1, max_size=12), inclusive=modes)
def test_every_document_total_net_plus_tax_is_gross(lines, inclusive):
    computed = [compute_line(quantity=q, unit_price=min(u, lp), list_price=lp, tax_rate=r,
                             prices_include_tax=inclusive) for q, u, lp, r in lines]
    totals = compute_totals(computed, prices_include_tax=inclusive)
    assert totals.net + totals.tax == totals.gross
    assert totals.gross == sum(c.gross for c in computed)
    assert totals.tax == sum(c.tax for c in computed)
    assert totals.discount == sum(c.discount for c in computed)
    assert totals.discount >= 0
