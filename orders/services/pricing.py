"""Prices of order lines: the customer's level, price rules, floors and the order's totals."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Q, Sum
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.money import money, quantity
from inventory import services as stock
from inventory.models import Product

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
    product = data.product
    if not product.active:
        raise BusinessRuleError(_("%(sku)s is no longer sold."), params={"sku": product.sku}, code="inactive")
    qty = stock.parse_quantity(data.quantity)
    unit = data.unit or product.base_unit
    factor = _factor(product, unit)
    base_qty = quantity(qty * factor)
    list_base, rule_disc = price_for(order.customer, product, base_qty)
    list_unit = money(list_base * factor)
    if data.unit_price not in (None, ""):
        unit_price = money(data.unit_price)
        if unit_price < 0:
            raise BusinessRuleError(_("A price cannot be negative."), code="price")
        disc = ((1 - unit_price / list_unit) * HUNDRED).quantize(Decimal("0.01")) if list_unit else ZERO
    else:
        disc = Decimal(data.discount_percent) if data.discount_percent not in (None, "") else rule_disc
        if disc < 0 or disc > HUNDRED:
            raise BusinessRuleError(_("A discount is between 0 and 100%% (it was %(d)s%%)."), params={"d": disc},
                                    code="discount")
        unit_price = money(list_unit * (1 - disc / HUNDRED))
    floor = money(price_floor(product) * factor)
    if unit_price < floor:
        raise BusinessRuleError(
            _("The price %(price)s for %(sku)s per %(unit)s is below the floor of %(floor)s (the cost)."),
            params={"price": unit_price, "sku": product.sku, "unit": unit.name, "floor": floor}, code="floor")
    tax_rate = Decimal(data.tax_rate) if data.tax_rate not in (None, "") else settings_row.default_tax_rate
    line.product, line.unit, line.quantity, line.factor, line.base_quantity = product, unit, qty, factor, base_qty
    line.list_price, line.unit_price, line.discount_percent, line.tax_rate = list_unit, unit_price, disc, tax_rate
    line.gross_amount = money(qty * list_unit)
    line.net_amount = money(qty * unit_price)
    line.tax_amount = money(line.net_amount * tax_rate / HUNDRED)
    line.amount = line.net_amount + line.tax_amount
    line.unit_cost = Decimal(product.average_cost or product.standard_cost or 0)
    line.cost_amount = money(base_qty * line.unit_cost)
    return line


def recalculate(order: SalesOrder) -> SalesOrder:
    """Order totals as the sums of the lines (each line rounded once)."""
    agg = order.lines.aggregate(gross=Sum("gross_amount"), net=Sum("net_amount"), tax=Sum("tax_amount"),
                                amount=Sum("amount"), cost=Sum("cost_amount"))
    order.subtotal = agg["gross"] or ZERO
    order.net_total = agg["net"] or ZERO
    order.discount_total = order.subtotal - order.net_total
    order.tax_total = agg["tax"] or ZERO
    order.total = agg["amount"] or ZERO
    order.cost_total = agg["cost"] or ZERO
    SalesOrder.objects.filter(pk=order.pk).update(
        subtotal=order.subtotal, net_total=order.net_total, discount_total=order.discount_total,
        tax_total=order.tax_total, total=order.total, cost_total=order.cost_total)
    return order
