"""What a journey brings into the shared demo company before it starts: its own customer, product and stock, so
that its figures are exact whatever the other journeys did. Written through the services and factories the unit
tests use; everything the roles then do happens in the browser."""

import itertools
import time
from decimal import Decimal

from django.contrib.auth import get_user_model

_serial = itertools.count(1)


def unique(prefix: str) -> str:
    """A code no other journey (or earlier run of this one) uses: JNY-<prefix>-<time><n>."""
    return f"{prefix}-{int(time.time()) % 100000:05d}{next(_serial)}"


def user(username):
    return get_user_model().objects.get(username=username)


def warehouse(code):
    from inventory.models import Warehouse

    return Warehouse.objects.get(code=code)


def display_name(username) -> str:
    u = user(username)
    return u.get_full_name() or u.username


def stocked_product(*, sku, on_hand, warehouse_code="SH", list_price="3.00", cost="1.20", box_unit="box50",
                    box_factor="50", barcode=""):
    """A product sold by the piece and by the box, received into the first bin of a demo warehouse."""
    from inventory import services as stock
    from inventory.models import Category, Location, ProductUnit, UnitOfMeasure
    from tests.factories.inventory import ProductFactory

    pcs = UnitOfMeasure.objects.get(code="pcs")
    product = ProductFactory(sku=sku, name_zh=f"六角头螺栓 M8×30 {sku}", name_en=f"Hex head bolt M8×30 {sku}",
                             category=Category.objects.filter(code="bolts").first() or Category.objects.first(),
                             base_unit=pcs, list_price=Decimal(list_price), standard_cost=Decimal(cost),
                             barcode=barcode, barcode_kind="ean13" if barcode else "")
    if box_unit:
        ProductUnit.objects.create(product=product, unit=UnitOfMeasure.objects.get(code=box_unit),
                                   factor=Decimal(box_factor))
    bin_ = Location.objects.filter(warehouse__code=warehouse_code, active=True).order_by("code").first()
    if on_hand:
        stock.post_movement(product=product, quantity=Decimal(on_hand), to_location=bin_, kind="receipt",
                            actor=user("clerk"), unit_cost=Decimal(cost), reference=f"INIT-{sku}")
    return product, bin_


def customer_of(rep_username, *, name, credit_limit, terms_days=30):
    """A company customer owned by a rep, created by the general manager (whose authority covers the limit)."""
    import re

    from crm import services
    from crm.validators import make_credit_code

    serial = int(re.sub(r"\D", "", name) or 0) % 10**7
    credit_code = make_credit_code("9", "1", "330106", f"J{serial:07d}")
    return services.create_customer(
        data={"name": name, "kind": "company", "customer_type": "retailer", "level": "b", "source": "walk_in",
              "province": "浙江省", "city": "杭州市", "district": "西湖区", "address": "文三路 100 号",
              "credit_limit": Decimal(credit_limit), "payment_terms_days": terms_days,
              "credit_code": credit_code, "invoice_title": name, "tax_number": credit_code,
              "prices_include_tax": False},  # the journeys' figures are tax-exclusive prices + 13 %
        contacts=[{"name": "王老板", "mobile": "13957100000"}], owner=user(rep_username), actor=user("gm"),
        confirm_duplicates=True)
