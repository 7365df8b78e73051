"""Line and document arithmetic: unit prices to 4 places, amounts to the cent per line, VAT inclusive or exclusive.

The one place that turns (quantity, unit price, VAT rate, tax mode) into money. The order services, the live
line entry on the order forms and the documents all call `compute_line` / `compute_totals`; nothing else
multiplies a price.

Rounding, per line (documented in docs/orders.md, "Prices and VAT"):

- VAT-inclusive prices (含税单价, the default for Chinese customers):
  gross = round(quantity × unit price, 2); tax = round(gross ÷ (1 + rate) × rate, 2); net = gross − tax.
- VAT-exclusive prices:
  net = round(quantity × unit price, 2); tax = round(net × rate, 2); gross = net + tax.

Every rounding is half up to the cent (`hardware_erp.core.money.money`). Because net is always derived as
gross − tax (or gross as net + tax), net + tax = gross holds exactly on every line, and the document totals are
the sums of the lines, so it holds on every document too.
"""

from dataclasses import dataclass
from decimal import Decimal

from hardware_erp.core.money import money, price, to_decimal

HUNDRED = Decimal("100")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class LineAmounts:
    """One line's money: `list_amount` at the list price (before discount, in the line's tax mode), `discount`
    (what the discount takes off, same mode), the net amount (金额, before VAT), the VAT (税额) and the gross
    (价税合计)."""

    list_amount: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


def split_gross(gross, rate) -> tuple[Decimal, Decimal]:
    """(net, tax) of a VAT-inclusive amount: tax = round(gross ÷ (1 + rate%) × rate%, 2), net = gross − tax."""
    gross, rate = money(gross), to_decimal(rate)
    tax = money(gross * rate / (HUNDRED + rate))
    return gross - tax, tax


def add_tax(net, rate) -> tuple[Decimal, Decimal]:
    """(tax, gross) of a VAT-exclusive amount: tax = round(net × rate%, 2), gross = net + tax."""
    net = money(net)
    tax = money(net * to_decimal(rate) / HUNDRED)
    return tax, net + tax


def compute_line(*, quantity, unit_price, tax_rate, prices_include_tax: bool, list_price=None) -> LineAmounts:
    """The amounts of one line. `unit_price` (and `list_price`, the price before discount, default the unit price)
    are per unit of the line, in the line's tax mode; they are rounded to 4 places first."""
    qty = to_decimal(quantity)
    unit = price(unit_price)
    listed = price(list_price) if list_price not in (None, "") else unit
    extended = money(qty * unit)
    list_amount = money(qty * listed)
    if prices_include_tax:
        net, tax = split_gross(extended, tax_rate)
        gross = extended
    else:
        net = extended
        tax, gross = add_tax(net, tax_rate)
    return LineAmounts(list_amount=list_amount, discount=list_amount - extended, net=net, tax=tax, gross=gross)


@dataclass(frozen=True)
class Totals:
    list_amount: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


def compute_totals(lines, *, prices_include_tax: bool) -> Totals:
    """A document's totals as the sums of its lines (each line rounded once, never the total re-rounded).
    `lines` are `LineAmounts` or objects with `gross_amount` (list amount), `net_amount`, `tax_amount`, `amount`
    (the OrderLine fields)."""
    list_amount = net = tax = ZERO
    for ln in lines:
        if isinstance(ln, LineAmounts):
            list_amount, net, tax = list_amount + ln.list_amount, net + ln.net, tax + ln.tax
        else:
            list_amount, net, tax = list_amount + ln.gross_amount, net + ln.net_amount, tax + ln.tax_amount
    gross = net + tax
    discount = list_amount - (gross if prices_include_tax else net)
    return Totals(list_amount=list_amount, discount=discount, net=net, tax=tax, gross=gross)


def net_unit_price(unit_price, tax_rate, prices_include_tax: bool) -> Decimal:
    """The unit price before VAT (for comparing with a cost, or printing 单价(不含税)), to 4 places."""
    unit = to_decimal(unit_price)
    if not prices_include_tax:
        return price(unit)
    return price(unit * HUNDRED / (HUNDRED + to_decimal(tax_rate)))


def unit_price_in_mode(net_price, tax_rate, prices_include_tax: bool) -> Decimal:
    """A price before VAT (a product's list price) in the document's mode: with VAT added when prices include it."""
    net_price = to_decimal(net_price)
    if not prices_include_tax:
        return price(net_price)
    return price(net_price * (HUNDRED + to_decimal(tax_rate)) / HUNDRED)
