"""Access rows of the inventory app (its engineers add a row for each URL they add)."""

from . import Row, module, only


def _product():
    from tests.factories.inventory import ProductFactory

    return {"pk": ProductFactory().pk}


def _warehouse():
    from tests.factories.inventory import WarehouseFactory

    return {"pk": WarehouseFactory().pk}


def _location():
    from tests.factories.inventory import LocationFactory

    return {"pk": LocationFactory().pk}


STOCK_ROLES = ("warehouse_clerk", "purchaser", "general_manager")
MOVERS = ("warehouse_clerk", "general_manager")
CATALOGUE_EDITORS = ("purchaser", "general_manager")

ROWS = [
    Row("inventory:index", expect=module("inventory")),
    Row("inventory:product_list", expect=only(*STOCK_ROLES)),
    Row("inventory:product_create", expect=only(*CATALOGUE_EDITORS)),
    Row("inventory:product_lookup", expect=only(*STOCK_ROLES)),
    Row("inventory:product", kwargs=_product, expect=only(*STOCK_ROLES)),
    Row("inventory:product_edit", kwargs=_product, expect=only(*CATALOGUE_EDITORS)),
    Row("inventory:warehouse_list", expect=only(*STOCK_ROLES)),
    Row("inventory:warehouse_create", expect=only("general_manager")),
    Row("inventory:warehouse_edit", kwargs=_warehouse, expect=only("general_manager")),
    Row("inventory:location_list", expect=only(*STOCK_ROLES)),
    Row("inventory:location_create", expect=only(*MOVERS)),
    Row("inventory:location_edit", kwargs=_location, expect=only(*MOVERS)),
    Row("inventory:stock_list", expect=only(*STOCK_ROLES)),
    Row("inventory:movement_list", expect=only(*STOCK_ROLES)),
    Row("inventory:receipt", expect=only(*MOVERS)),
    Row("inventory:issue", expect=only(*MOVERS)),
    Row("inventory:transfer", expect=only(*MOVERS)),
    Row("inventory:adjustment", expect=only(*MOVERS)),
    Row("inventory:return", expect=only(*MOVERS)),
    Row("inventory:alert_list", expect=only(*STOCK_ROLES)),
    Row("inventory:valuation", expect=only(*STOCK_ROLES)),
    Row("inventory:no_movement", expect=only(*STOCK_ROLES)),
]
