"""Access rows of the API (/api/v1/, signed-in session as the browsable docs use it) and of the token and webhook
pages (/integrations/). Every endpoint × role × method with tokens, and IDOR by id: tests/api/test_access.py."""

from . import ANONYMOUS, Row, only, signed_in

MISSING = {"pk": 999999}  # no such record: 404 once the role may use the endpoint
API_ANON = 401  # no token, no session: 401 with WWW-Authenticate: Bearer

CRM = ("sales_rep", "sales_manager", "finance_clerk", "general_manager")
STOCK_LOOKUP = ("sales_rep", "sales_manager", "warehouse_clerk", "warehouse_manager", "purchaser", "general_manager")
WAREHOUSE = ("warehouse_clerk", "warehouse_manager", "purchaser", "general_manager")
COUNTERS = ("warehouse_clerk", "warehouse_manager", "general_manager")
ORDERS = ("sales_rep", "sales_manager", "warehouse_clerk", "warehouse_manager", "finance_clerk", "general_manager")
SELLERS = ("sales_rep", "sales_manager", "general_manager")
SHIPPERS = ("sales_manager", "warehouse_clerk", "warehouse_manager", "general_manager")
MONEY = ("sales_rep", "sales_manager", "finance_clerk", "general_manager")
IT = ("it_admin", "general_manager")


def api(*roles, status=200):
    return only(*roles, status=status, anonymous=API_ANON)


def api_all(status=200):
    return {**signed_in(status), ANONYMOUS: API_ANON}


ROWS = [
    Row("api:schema", expect=api_all()),
    Row("api:docs", expect=api_all()),
    Row("api:not_found", kwargs={}, expect={**signed_in(404), ANONYMOUS: 404},
        note="any other address under /api/v1/: a JSON 404"),
    Row("api:customer-list", expect=api(*CRM)),
    Row("api:customer-detail", kwargs=MISSING, expect=api(*CRM, status=404)),
    Row("api:contact-list", expect=api(*CRM)),
    Row("api:contact-detail", kwargs=MISSING, expect=api(*CRM, status=404)),
    Row("api:product-list", expect=api(*STOCK_LOOKUP)),
    Row("api:product-detail", kwargs=MISSING, expect=api(*STOCK_LOOKUP, status=404)),
    Row("api:stock_level-list", expect=api(*STOCK_LOOKUP)),
    Row("api:warehouse-list", expect=api(*WAREHOUSE)),
    Row("api:location-list", expect=api(*WAREHOUSE)),
    Row("api:movement-list", expect=api(*WAREHOUSE)),
    Row("api:movement-detail", kwargs=MISSING, expect=api(*WAREHOUSE, status=404)),
    Row("api:purchase_order-list", expect=api(*WAREHOUSE)),
    Row("api:purchase_order-detail", kwargs=MISSING, expect=api(*WAREHOUSE, status=404)),
    Row("api:purchase_order-receive", kwargs=MISSING, method="post", expect=api(*COUNTERS, status=404),
        note="POST: receiving (inventory.receive_purchaseorder)"),
    Row("api:stocktake-list", expect=api(*WAREHOUSE)),
    Row("api:stocktake-detail", kwargs=MISSING, expect=api(*WAREHOUSE, status=404)),
    Row("api:stocktake-scan", kwargs=MISSING, method="post", expect=api(*COUNTERS, status=404),
        note="POST: one scan (inventory.count_stocktake)"),
    Row("api:order-list", expect=api(*ORDERS)),
    Row("api:order-detail", kwargs=MISSING, expect=api(*ORDERS, status=404)),
    Row("api:order-submit", kwargs=MISSING, method="post", expect=api(*SELLERS, status=404), note="POST"),
    Row("api:order-approve", kwargs=MISSING, method="post", expect=api(*ORDERS, status=404),
        note="POST: the service decides whose review step it is"),
    Row("api:order-ship", kwargs=MISSING, method="post", expect=api(*SHIPPERS, status=404),
        note="POST: ship with carrier and tracking number (orders.ship_salesorder)"),
    Row("api:order-shipments", kwargs=MISSING, expect=api(*ORDERS, status=404)),
    Row("api:quotation-list", expect=api(*ORDERS)),
    Row("api:quotation-detail", kwargs=MISSING, expect=api(*ORDERS, status=404)),
    Row("api:quotation-convert", kwargs=MISSING, method="post", expect=api(*SELLERS, status=404), note="POST"),
    Row("api:shipment-list", expect=api(*ORDERS)),
    Row("api:shipment-detail", kwargs=MISSING, expect=api(*ORDERS, status=404)),
    Row("api:payment-list", expect=api(*MONEY)),
    Row("api:payment-detail", kwargs=MISSING, expect=api(*MONEY, status=404)),
    Row("api:ticket-list", expect=api_all()),
    Row("api:ticket-detail", kwargs=MISSING, expect=api_all(404)),
    Row("api:ticket-transition", kwargs=MISSING, method="post", expect=api_all(404), note="POST"),
    Row("api:ticket-message", kwargs=MISSING, method="post", expect=api_all(404), note="POST"),
    Row("integrations:token_list", expect=signed_in()),
    Row("integrations:token_create", expect=signed_in()),
    Row("integrations:token_revoke", kwargs=MISSING, expect=signed_in(405), note="POST only"),
    Row("integrations:subscription_list", expect=only(*IT)),
    Row("integrations:subscription_create", expect=only(*IT)),
    Row("integrations:subscription", kwargs=MISSING, expect=only(*IT, status=404)),
    Row("integrations:subscription_edit", kwargs=MISSING, expect=only(*IT, status=404)),
    Row("integrations:delivery_resend", kwargs=MISSING, expect=only(*IT, status=405), note="POST only"),
]
