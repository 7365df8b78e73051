"""Inventory permissions per role (applied by `manage.py sync_roles`)."""

VIEW = ["inventory.view_product", "inventory.view_category", "inventory.view_brand", "inventory.view_unitofmeasure",
        "inventory.view_warehouse", "inventory.view_location", "inventory.view_stocklevel",
        "inventory.view_stockmovement", "inventory.view_reservation", "inventory.view_stockalert",
        "inventory.view_stockthreshold"]
PURCHASING_VIEW = ["inventory.view_supplier", "inventory.view_supplierproduct", "inventory.view_purchaseorder",
                   "inventory.view_purchasesuggestion"]
CLERK = [*VIEW, *PURCHASING_VIEW, "inventory.add_stockmovement", "inventory.receive_purchaseorder",
         "inventory.view_stocktake", "inventory.count_stocktake", "inventory.add_location",
         "inventory.change_location"]
PURCHASER = [*VIEW, *PURCHASING_VIEW, "inventory.add_supplier", "inventory.change_supplier",
             "inventory.add_supplierproduct", "inventory.change_supplierproduct", "inventory.delete_supplierproduct",
             "inventory.add_purchaseorder", "inventory.change_purchaseorder",
             "inventory.change_purchasesuggestion", "inventory.add_product", "inventory.change_product",
             "inventory.add_stockthreshold", "inventory.change_stockthreshold", "inventory.view_stocktake"]
MANAGER = sorted({*CLERK, *PURCHASER, "inventory.approve_purchaseorder", "inventory.add_stocktake",
                  "inventory.change_stocktake", "inventory.approve_stocktake", "inventory.add_warehouse",
                  "inventory.change_warehouse", "inventory.delete_stockthreshold"})

# the warehouse manager runs the floor: counts opened and approved, receipts, bins and warehouses
WAREHOUSE_MANAGER = sorted({*CLERK, "inventory.add_stocktake", "inventory.change_stocktake",
                            "inventory.approve_stocktake", "inventory.add_warehouse", "inventory.change_warehouse",
                            "inventory.add_stockthreshold", "inventory.change_stockthreshold"})

PERMISSIONS = {
    "warehouse_clerk": CLERK,
    "warehouse_manager": WAREHOUSE_MANAGER,
    "purchaser": PURCHASER,
    "general_manager": MANAGER,
    # sales can look up stock (the orders module shows availability from inventory selectors)
    "sales_rep": ["inventory.view_product", "inventory.view_stocklevel"],
    "sales_manager": ["inventory.view_product", "inventory.view_stocklevel", "inventory.view_reservation"],
}
