"""Orders permissions per role (applied by `manage.py sync_roles`).

- sales_rep: own quotations and orders (SalesOrder.objects.for_user), submit, ship nothing, see own payments.
- sales_manager: every order, approve (not own), ship, cancel, returns, thresholds and price rules.
- finance_clerk: every order, payments, credit approval, invoices, receivables, the company profile.
- warehouse_clerk, warehouse_manager: every order that is to be picked, picking lists and shipments.
- general_manager: everything; approves refunds of customer credit that Finance requests.
"""

VIEW = ["orders.view_salesorder", "orders.view_orderline", "orders.view_orderevent", "orders.view_shipment",
        "orders.view_trackingevent", "orders.view_payment", "orders.view_orderreturn", "orders.view_invoicerequest",
        "orders.view_carrier", "orders.view_pricerule"]
REP = [*VIEW, "orders.add_salesorder", "orders.change_salesorder", "orders.cancel_salesorder",
       "orders.add_invoicerequest"]
MANAGER = sorted({*REP, "orders.view_all_salesorders", "orders.approve_salesorder", "orders.ship_salesorder",
                  "orders.add_orderreturn", "orders.view_order_analytics", "orders.change_reviewsettings",
                  "orders.view_reviewsettings", "orders.add_pricerule", "orders.change_pricerule",
                  "orders.delete_pricerule", "orders.add_carrier", "orders.change_carrier"})
FINANCE = sorted({*VIEW, "orders.view_all_salesorders", "orders.approve_credit", "orders.add_payment",
                  "orders.add_invoicerequest", "orders.change_invoicerequest", "orders.view_order_analytics",
                  # the letterhead of every document (the kernel's company profile page)
                  "core.edit_companyprofile"})
# the warehouse picks, packs and ships: it sees every order to ship, never prices it or approves it
WAREHOUSE = sorted({"orders.view_salesorder", "orders.view_orderline", "orders.view_shipment",
                    "orders.view_trackingevent", "orders.view_carrier", "orders.view_all_salesorders",
                    "orders.ship_salesorder", "orders.view_orderreturn"})
# refunds: Finance requests, the general manager approves (never their own request)
GENERAL = sorted({*MANAGER, *FINANCE, "orders.approve_refund"})

PERMISSIONS = {
    "sales_rep": REP,
    "sales_manager": MANAGER,
    "finance_clerk": FINANCE,
    "warehouse_clerk": WAREHOUSE,
    "warehouse_manager": WAREHOUSE,
    "general_manager": GENERAL,
}
