from django.utils.translation import gettext_lazy as _

ITEMS = [
    (_("Products"), "inventory:product_list", "inventory.view_product"),
    (_("Stock by location"), "inventory:stock_list", "inventory.view_stocklevel"),
    (_("Stock lookup (scan)"), "inventory:stock_lookup", "inventory.view_product"),
    (_("Stock movements"), "inventory:movement_list", "inventory.view_stockmovement"),
    (_("Receive stock"), "inventory:receipt", "inventory.add_stockmovement"),
    (_("Stock alerts"), "inventory:alert_list", "inventory.view_stockalert"),
    (_("Purchase suggestions"), "inventory:suggestion_list", "inventory.view_purchasesuggestion"),
    (_("Purchase orders"), "inventory:purchaseorder_list", "inventory.view_purchaseorder"),
    (_("Suppliers"), "inventory:supplier_list", "inventory.view_supplier"),
    (_("Stocktakes"), "inventory:stocktake_list", "inventory.view_stocktake"),
    (_("Stock valuation"), "inventory:valuation", "inventory.view_stocklevel"),
    (_("Items without movement"), "inventory:no_movement", "inventory.view_stocklevel"),
    (_("Warehouses"), "inventory:warehouse_list", "inventory.view_warehouse"),
    (_("Bin locations"), "inventory:location_list", "inventory.view_location"),
    (_("Import products"), "inventory:product_import", "inventory.add_product"),
]
