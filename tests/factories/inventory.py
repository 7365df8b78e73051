"""Inventory factories: a product needs a category and a base unit; a location needs a warehouse."""

from decimal import Decimal

import factory

from inventory.models import (
    Category,
    Location,
    Product,
    StockThreshold,
    Supplier,
    SupplierProduct,
    UnitOfMeasure,
    Warehouse,
)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitOfMeasure
        django_get_or_create = ("code",)

    code = "pcs"
    name_zh = "个"
    name_en = "piece"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"cat{n}")
    name_zh = factory.Sequence(lambda n: f"类别{n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    sku = factory.Sequence(lambda n: f"HW-{n:05d}")
    name_zh = factory.Sequence(lambda n: f"六角螺栓 {n}")
    name_en = factory.Sequence(lambda n: f"Hex bolt {n}")
    category = factory.SubFactory(CategoryFactory)
    base_unit = factory.SubFactory(UnitFactory)
    thread = "M8"
    length_mm = Decimal("30")
    material = "碳钢"
    strength_grade = "8.8"
    standard = "GB/T 5782"
    standard_cost = Decimal("0.50")
    list_price = Decimal("0.80")
    tax_category_code = "1080413990000000000"
    tax_short_name = "*金属制品*"


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"WH{n}")
    name_zh = factory.Sequence(lambda n: f"仓库{n}")
    name_en = factory.Sequence(lambda n: f"Warehouse {n}")


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    warehouse = factory.SubFactory(WarehouseFactory)
    code = factory.Sequence(lambda n: f"A-{n // 10 + 1:02d}-{n % 10 + 1:02d}")


class ThresholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockThreshold

    product = factory.SubFactory(ProductFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    minimum = Decimal("10")
    maximum = Decimal("100")


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"sup{n}")
    name_zh = factory.Sequence(lambda n: f"供应商{n}")
    name_en = factory.Sequence(lambda n: f"Supplier {n}")
    email = factory.Sequence(lambda n: f"sales{n}@supplier.example.com")


class SupplierProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupplierProduct

    supplier = factory.SubFactory(SupplierFactory)
    product = factory.SubFactory(ProductFactory)
    price = Decimal("0.45")
    lead_time_days = 7
    pack_size = Decimal("100")
    moq = Decimal("0")
    preferred = True
