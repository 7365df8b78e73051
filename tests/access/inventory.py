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


def _supplier():
    from tests.factories.inventory import SupplierFactory

    return {"pk": SupplierFactory().pk}


def _supplier_product():
    from tests.factories.inventory import SupplierProductFactory

    return {"pk": SupplierProductFactory().pk}


def _purchase_order():
    from inventory import purchasing
    from tests.factories import UserFactory
    from tests.factories.inventory import SupplierProductFactory, WarehouseFactory

    sp = SupplierProductFactory()
    return {"pk": purchasing.create_purchase_order(supplier=sp.supplier, warehouse=WarehouseFactory(),
                                                   lines=[(sp.product, 10, None)],
                                                   actor=UserFactory.with_role("purchaser")).pk}


MISSING = {"pk": 999999}  # a record that does not exist: 404 once the permission lets the user in
STOCK_ROLES = ("warehouse_clerk", "warehouse_manager", "purchaser", "general_manager")
MOVERS = ("warehouse_clerk", "warehouse_manager", "general_manager")
CATALOGUE_EDITORS = ("purchaser", "general_manager")
BUYERS = ("purchaser", "general_manager")
RECEIVERS = ("warehouse_clerk", "warehouse_manager", "general_manager")

REPORT = {"pk": 999999, "fmt": "pdf"}

ROWS = [
    Row("inventory:index", expect=module("inventory")),
    Row("inventory:product_list", expect=only(*STOCK_ROLES)),
    Row("inventory:product_create", expect=only(*CATALOGUE_EDITORS)),
    Row("inventory:product_lookup", expect=only(*STOCK_ROLES)),
    Row("inventory:scan_lookup", expect=only(*STOCK_ROLES)),
    Row("inventory:stock_lookup", expect=only(*STOCK_ROLES)),
    Row("inventory:product", kwargs=_product, expect=only(*STOCK_ROLES)),
    Row("inventory:product_edit", kwargs=_product, expect=only(*CATALOGUE_EDITORS)),
    Row("inventory:warehouse_list", expect=only(*STOCK_ROLES)),
    Row("inventory:warehouse_create", expect=only("warehouse_manager", "general_manager")),
    Row("inventory:warehouse_edit", kwargs=_warehouse, expect=only("warehouse_manager", "general_manager")),
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
    Row("inventory:product_labels", expect=only(*STOCK_ROLES, status=302),
        note="GET without a selection goes back to the list"),
    Row("inventory:location_labels", expect=only(*STOCK_ROLES, status=405), note="POST only"),
    Row("inventory:supplier_list", expect=only(*STOCK_ROLES)),
    Row("inventory:supplier_create", expect=only(*BUYERS)),
    Row("inventory:supplier", kwargs=_supplier, expect=only(*STOCK_ROLES)),
    Row("inventory:supplier_edit", kwargs=_supplier, expect=only(*BUYERS)),
    Row("inventory:supplier_contact_create", kwargs=_supplier, expect=only(*BUYERS, status=405), note="POST only"),
    Row("inventory:supplierproduct_create", kwargs=_supplier, expect=only(*BUYERS)),
    Row("inventory:supplierproduct_edit", kwargs=_supplier_product, expect=only(*BUYERS)),
    Row("inventory:purchaseorder_list", expect=only(*STOCK_ROLES)),
    Row("inventory:purchaseorder_create", expect=only(*BUYERS)),
    Row("inventory:purchaseorder", kwargs=_purchase_order, expect=only(*STOCK_ROLES)),
    Row("inventory:purchaseorder_transition", kwargs=MISSING, expect=only(*STOCK_ROLES, status=405),
        note="POST only"),
    Row("inventory:purchaseorder_pdf", kwargs=_purchase_order, expect=only(*STOCK_ROLES)),
    Row("inventory:purchaseorder_receive", kwargs=_purchase_order, expect=only(*RECEIVERS)),
    Row("inventory:product_threshold", kwargs=_product, expect={"anonymous": 302, "sales_rep": 403, "sales_manager": 403, "warehouse_clerk": 403, "warehouse_manager": 405, "purchaser": 405, "finance_clerk": 403, "it_admin": 403, "trainer": 403, "general_manager": 405}),
    Row("inventory:suggestion_list", expect={"anonymous": 302, "sales_rep": 403, "sales_manager": 403, "warehouse_clerk": 200, "warehouse_manager": 200, "purchaser": 200, "finance_clerk": 403, "it_admin": 403, "trainer": 403, "general_manager": 200}),
    Row("inventory:suggestion_recompute", expect={"anonymous": 302, "sales_rep": 403, "sales_manager": 403, "warehouse_clerk": 403, "warehouse_manager": 403, "purchaser": 405, "finance_clerk": 403, "it_admin": 403, "trainer": 403, "general_manager": 405}),
    Row("inventory:suggestion_order", expect={"anonymous": 302, "sales_rep": 403, "sales_manager": 403, "warehouse_clerk": 403, "warehouse_manager": 403, "purchaser": 405, "finance_clerk": 403, "it_admin": 403, "trainer": 403, "general_manager": 405}),
    Row("inventory:suggestion_update", kwargs=MISSING, expect={"anonymous": 302, "sales_rep": 403, "sales_manager": 403, "warehouse_clerk": 403, "warehouse_manager": 403, "purchaser": 405, "finance_clerk": 403, "it_admin": 403, "trainer": 403, "general_manager": 405}),
    Row("inventory:stocktake_list", expect={"anonymous": 302, "sales_rep": 403, "sales_manager": 403, "warehouse_clerk": 200, "warehouse_manager": 200, "purchaser": 200, "finance_clerk": 403, "it_admin": 403, "trainer": 403, "general_manager": 200}),
    Row("inventory:stocktake_create", expect={"anonymous": 302, "sales_rep": 403, "sales_manager": 403, "warehouse_clerk": 403, "warehouse_manager": 200, "purchaser": 403, "finance_clerk": 403, "it_admin": 403, "trainer": 403, "general_manager": 200}),
    Row("inventory:stocktake", kwargs=MISSING, expect={"anonymous": 302, "sales_rep": 403, "sales_manager": 403, "warehouse_clerk": 404, "warehouse_manager": 404, "purchaser": 404, "finance_clerk": 403, "it_admin": 403, "trainer": 403, "general_manager": 404}),
    Row("inventory:stocktake_count", kwargs=MISSING, expect={"anonymous": 302, "sales_rep": 403, "sales_manager": 403, "warehouse_clerk": 404, "warehouse_manager": 404, "purchaser": 403, "finance_clerk": 403, "it_admin": 403, "trainer": 403, "general_manager": 404}),
    Row("inventory:stocktake_scan", kwargs=MISSING, expect={"anonymous": 302, "sales_rep": 403, "sales_manager": 403, "warehouse_clerk": 405, "warehouse_manager": 405, "purchaser": 403, "finance_clerk": 403, "it_admin": 403, "trainer": 403, "general_manager": 405}),
    Row("inventory:stocktake_action", kwargs=MISSING, expect={"anonymous": 302, "sales_rep": 403, "sales_manager": 403, "warehouse_clerk": 405, "warehouse_manager": 405, "purchaser": 405, "finance_clerk": 403, "it_admin": 403, "trainer": 403, "general_manager": 405}),
    Row("inventory:stocktake_report", kwargs=REPORT, expect={"anonymous": 302, "sales_rep": 403, "sales_manager": 403, "warehouse_clerk": 404, "warehouse_manager": 404, "purchaser": 404, "finance_clerk": 403, "it_admin": 403, "trainer": 403, "general_manager": 404}),
    Row("inventory:product_import", expect={"anonymous": 302, "sales_rep": 403, "sales_manager": 403, "warehouse_clerk": 403, "warehouse_manager": 403, "purchaser": 200, "finance_clerk": 403, "it_admin": 403, "trainer": 403, "general_manager": 200}),
    Row("inventory:product_import_confirm", expect={"anonymous": 302, "sales_rep": 403, "sales_manager": 403, "warehouse_clerk": 403, "warehouse_manager": 403, "purchaser": 405, "finance_clerk": 403, "it_admin": 403, "trainer": 403, "general_manager": 405}),
    Row("inventory:product_export", expect={"anonymous": 302, "sales_rep": 403, "sales_manager": 403, "warehouse_clerk": 200, "warehouse_manager": 200, "purchaser": 200, "finance_clerk": 403, "it_admin": 403, "trainer": 403, "general_manager": 200}),
]
