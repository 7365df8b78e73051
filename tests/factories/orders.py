"""Orders factories and a small stocked world: a warehouse with bins, products on hand, a customer."""

from dataclasses import dataclass
from decimal import Decimal

import factory

from inventory import services as stock
from orders import services
from orders.models import Carrier, PriceRule
from tests.factories import UserFactory
from tests.factories.crm import CustomerFactory
from tests.factories.inventory import LocationFactory, ProductFactory, UnitFactory, WarehouseFactory


class CarrierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Carrier
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Carrier {n}")
    code = "shunfeng"
    adapter = "manual"


class PriceRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceRule

    level = "b"
    min_quantity = Decimal("0")
    discount_percent = Decimal("5")


@dataclass
class World:
    warehouse: object
    bins: list
    products: list
    customer: object
    rep: object
    clerk: object

    def on_hand(self, product):
        from django.db.models import Sum

        from inventory.models import StockLevel
        return StockLevel.objects.filter(product=product, warehouse=self.warehouse).aggregate(
            s=Sum("on_hand"))["s"] or Decimal("0")

    def reserved(self, product):
        from django.db.models import Sum

        from inventory.models import Reservation
        return Reservation.objects.active().filter(product=product, warehouse=self.warehouse).aggregate(
            s=Sum("quantity"))["s"] or Decimal("0")

    def order(self, lines=None, actor=None, **kwargs):
        lines = lines or [{"product": self.products[0], "quantity": Decimal("100")}]
        return services.create_order(customer=kwargs.pop("customer", self.customer), lines=lines,
                                     actor=actor or self.rep, warehouse=self.warehouse, **kwargs)


def make_world(make_user, *, stock_qty=(500, 300), price=Decimal("2.00"), cost=Decimal("1.00")) -> World:
    """Two products in two bins each (A-01 then B-01) of one warehouse, a rep's customer with credit."""
    rep = make_user("sales_rep")
    clerk = UserFactory()
    wh = WarehouseFactory()
    bins = [LocationFactory(warehouse=wh, code="A-01-01"), LocationFactory(warehouse=wh, code="B-01-01")]
    unit = UnitFactory()
    products = []
    for i, q in enumerate(stock_qty):
        p = ProductFactory(base_unit=unit, list_price=price, standard_cost=cost)
        half = Decimal(q) / 2
        for b in bins:
            stock.post_movement(product=p, quantity=half, to_location=b, kind="receipt", actor=clerk,
                                unit_cost=cost, reference=f"INIT{i}")
        products.append(p)
    customer = CustomerFactory(owner=rep, credit_limit=Decimal("100000"), payment_terms_days=30)
    return World(warehouse=wh, bins=bins, products=products, customer=customer, rep=rep, clerk=clerk)
