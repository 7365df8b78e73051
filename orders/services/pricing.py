"""Prices of order lines: the customer's level, price rules, floors and the order's totals."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.money import check_column, format_price, money, price, quantity
from inventory import services as stock
from inventory.models import Product

from .. import pricing as arithmetic
from ..models import (
    OrderLine,
    PriceRule,
    ReviewSettings,
    SalesOrder,
)

ZERO = Decimal("0")
HUNDRED = Decimal("100")


def _rule_discount(customer, product, base_qty) -> Decimal:
    rules = (PriceRule.objects.filter(active=True, min_quantity__lte=base_qty)
             .filter(Q(level="") | Q(level=customer.level))
             .filter(Q(product=product) | Q(product__isnull=True))
             .filter(Q(category__isnull=True) | Q(category_id=product.category_id)))
    best = rules.aggregate(m=Max("discount_percent"))["m"]
    return Decimal(best or ZERO)


def price_for(customer, product, base_qty) -> tuple[Decimal, Decimal]:
    """(list price per base unit, discount %) from the customer's level and the quantity breaks."""
    return Decimal(product.list_price), _rule_discount(customer, product, base_qty)


def price_floor(product) -> Decimal:
    """The lowest price per base unit anyone may sell at: the cost of the product."""
    return Decimal(product.standard_cost or product.average_cost or 0)


@dataclass
class LineInput:
    product: Product
    quantity: Decimal
    unit: object = None
    discount_percent: Decimal | None = None
    unit_price: Decimal | None = None
    tax_rate: Decimal | None = None


def _factor(product, unit) -> Decimal:
    if unit is None or unit.pk == product.base_unit_id:
        return Decimal("1")
    pu = product.units.filter(unit=unit).first()
    if pu is None:
        raise BusinessRuleError(
            _("%(product)s is not sold in %(unit)s; choose %(base)s or a unit set up on the product."),
            params={"product": product.sku, "unit": unit.name, "base": product.base_unit.name}, code="unit")
    return pu.factor


def _fill_line(line: OrderLine, order: SalesOrder, data: LineInput, settings_row: ReviewSettings):
    """Price one line: the list price per unit of the line in the order's tax mode (VAT added to the product's
    list price when the order's prices include VAT), the discount (the customer's level and quantity breaks, or
    the one typed, or the one a typed price implies), unit prices to 4 places, amounts from orders.pricing."""
    product = data.product
    if not product.active:
        raise BusinessRuleError(_("%(sku)s is no longer sold."), params={"sku": product.sku}, code="inactive")
    qty = stock.parse_quantity(data.quantity)
    unit = data.unit or product.base_unit
    factor = _factor(product, unit)
    base_qty = quantity(qty * factor)
    tax_rate = Decimal(data.tax_rate) if data.tax_rate not in (None, "") else settings_row.default_tax_rate
    inclusive = order.prices_include_tax
    list_base, rule_disc = price_for(order.customer, product, base_qty)
    list_unit = arithmetic.unit_price_in_mode(list_base * factor, tax_rate, inclusive)
    if data.unit_price not in (None, ""):
        unit_price = price(data.unit_price)
        if unit_price < 0:
            raise BusinessRuleError(_("A price cannot be negative."), code="price")
        disc = ((1 - unit_price / list_unit) * HUNDRED).quantize(Decimal("0.01")) if list_unit else ZERO
    else:
        disc = Decimal(data.discount_percent) if data.discount_percent not in (None, "") else rule_disc
        if disc < 0 or disc > HUNDRED:
            raise BusinessRuleError(_("A discount is between 0 and 100%% (it was %(d)s%%)."), params={"d": disc},
                                    code="discount")
        unit_price = price(list_unit * (1 - disc / HUNDRED))
    floor = price(price_floor(product) * factor)  # the cost, before VAT
    if arithmetic.net_unit_price(unit_price, tax_rate, inclusive) < floor:
        raise BusinessRuleError(
            _("The price %(price)s for %(sku)s per %(unit)s is below the floor of %(floor)s (the cost)."),
            params={"price": format_price(unit_price), "sku": product.sku, "unit": unit.name,
                    "floor": format_price(arithmetic.unit_price_in_mode(floor, tax_rate, inclusive))}, code="floor")
    figures = arithmetic.compute_line(quantity=qty, unit_price=unit_price, list_price=list_unit, tax_rate=tax_rate,
                                      prices_include_tax=inclusive)
    line.product, line.unit, line.quantity, line.factor, line.base_quantity = product, unit, qty, factor, base_qty
    line.list_price, line.unit_price, line.discount_percent, line.tax_rate = list_unit, unit_price, disc, tax_rate
    line.gross_amount, line.net_amount = figures.list_amount, figures.net
    line.tax_amount, line.amount = figures.tax, figures.gross
    line.unit_cost = Decimal(product.average_cost or product.standard_cost or 0)
    line.cost_amount = money(base_qty * line.unit_cost)
    for value in (line.gross_amount, line.net_amount, line.amount, line.cost_amount):  # 99999999999 × 99999999999
        check_column(value, max_digits=14, decimal_places=2, label=_("line amount"))
    return line


def refigure_line(line: OrderLine, order: SalesOrder) -> OrderLine:
    """A line's amounts again after its quantity changed (a cancelled back-order), at its own prices."""
    figures = arithmetic.compute_line(quantity=line.quantity, unit_price=line.unit_price, list_price=line.list_price,
                                      tax_rate=line.tax_rate, prices_include_tax=order.prices_include_tax)
    line.gross_amount, line.net_amount = figures.list_amount, figures.net
    line.tax_amount, line.amount = figures.tax, figures.gross
    line.cost_amount = money(line.base_quantity * line.unit_cost)
    return line


def order_totals(order: SalesOrder, lines) -> dict:
    """The totals of a document as the sums of its priced lines (each line rounded once; net + VAT = total): what
    `recalculate` stores, and what the order form shows live before saving (`price_lines`)."""
    totals = arithmetic.compute_totals(lines, prices_include_tax=order.prices_include_tax)
    return {"subtotal": totals.list_amount, "discount_total": totals.discount, "net_total": totals.net,
            "tax_total": totals.tax, "total": totals.gross,
            "cost_total": sum((ln.cost_amount for ln in lines), ZERO)}


def recalculate(order: SalesOrder) -> SalesOrder:
    """Order totals as the sums of the lines (each line rounded once); net + VAT = total."""
    lines = list(order.lines.only("gross_amount", "net_amount", "tax_amount", "amount", "cost_amount"))
    totals = order_totals(order, lines)
    for name in ("subtotal", "total", "cost_total"):  # lines that fit, a sum that does not
        check_column(totals[name], max_digits=14, decimal_places=2, label=_("order total"))
    for name, value in totals.items():
        setattr(order, name, value)
    SalesOrder.objects.filter(pk=order.pk).update(**totals)
    return order


def price_lines(*, customer, lines, **header) -> tuple[list, dict]:
    """The order form's lines priced as saving them would price them, without saving anything: each entry of
    `lines` (a LineInput, or None for an empty row) becomes an unsaved OrderLine filled by `_fill_line` (the
    function `create_order`/`update_order` use), or the BusinessRuleError that line would raise, or None; with the
    totals `recalculate` would store (`order_totals`) over the lines that price."""
    order = SalesOrder(customer=customer, prices_include_tax=customer.prices_include_tax,
                       **{k: v for k, v in header.items() if v is not None})
    settings_row = ReviewSettings.current()
    out = []
    for data in lines:
        if data is None:
            out.append(None)
            continue
        try:
            out.append(_fill_line(OrderLine(order=order), order, data, settings_row))
        except BusinessRuleError as exc:
            out.append(exc)
    return out, order_totals(order, [ln for ln in out if isinstance(ln, OrderLine)])
