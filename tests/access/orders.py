"""Access rows of the orders app (its engineers keep them: a row for each URL they add).

Record URLs use ids that do not exist: a role the permission lets in gets 404, the others 403.
"""

from . import Row, everyone, module, only

MISSING = 999999
SHIPMENT_READERS = ("warehouse_clerk", "warehouse_manager", "sales_rep", "sales_manager", "finance_clerk",
                    "general_manager")


ROWS = [
    Row("orders:index", expect=module("orders")),
    Row(
        "orders:order_list",
        expect=only(
            "warehouse_clerk",
            "warehouse_manager",
            "sales_rep",
            "sales_manager",
            "finance_clerk",
            "general_manager",
            status=200,
        ),
    ),
    Row(
        "orders:quotation_list",
        expect=only("sales_rep", "sales_manager", "finance_clerk", "general_manager", status=200),
        note="prices: not the warehouse",
    ),
    Row("orders:order_create", expect=only("sales_rep", "sales_manager", "general_manager")),
    Row("orders:quotation_create", expect=only("sales_rep", "sales_manager", "general_manager")),
    Row(
        "orders:order",
        kwargs={"pk": MISSING},
        expect=only(
            "warehouse_clerk",
            "warehouse_manager",
            "sales_rep",
            "sales_manager",
            "finance_clerk",
            "general_manager",
            status=404,
        ),
    ),
    Row(
        "orders:order_edit",
        kwargs={"pk": MISSING},
        expect=only("sales_rep", "sales_manager", "general_manager", status=404),
    ),
    Row(
        "orders:order_transition",
        kwargs={"pk": MISSING},
        expect=only(
            "warehouse_clerk",
            "warehouse_manager",
            "sales_rep",
            "sales_manager",
            "finance_clerk",
            "general_manager",
            status=405,
        ),
        note="POST only",
    ),
    Row(
        "orders:quotation_convert",
        kwargs={"pk": MISSING},
        expect=only("sales_rep", "sales_manager", "general_manager", status=405),
        note="POST only",
    ),
    Row(
        "orders:order_pdf",
        kwargs={"pk": MISSING},
        expect=only("sales_rep", "sales_manager", "finance_clerk", "general_manager", status=404),
        note="prices: not the warehouse",
    ),
    Row(
        "orders:order_statement_pdf",
        kwargs={"pk": MISSING},
        expect=only("sales_rep", "sales_manager", "finance_clerk", "general_manager", status=404),
        note="prices: not the warehouse",
    ),
    Row(
        "orders:picking_pdf",
        kwargs={"pk": MISSING},
        expect=only("warehouse_clerk", "warehouse_manager", "sales_manager", "general_manager", status=404),
    ),
    Row(
        "orders:order_ship",
        kwargs={"pk": MISSING},
        expect=only("warehouse_clerk", "warehouse_manager", "sales_manager", "general_manager", status=404),
    ),
    Row(
        "orders:order_pick",
        kwargs={"pk": MISSING},
        expect=only("warehouse_clerk", "warehouse_manager", "sales_manager", "general_manager", status=404),
    ),
    Row(
        "orders:order_pick_lookup",
        kwargs={"pk": MISSING},
        expect=only("warehouse_clerk", "warehouse_manager", "sales_manager", "general_manager", status=404),
        note="the pick page's scans: whoever may pick",
    ),
    Row("orders:order_return", kwargs={"pk": MISSING}, expect=only("sales_manager", "general_manager", status=404)),
    Row(
        "orders:status_link",
        kwargs={"pk": MISSING},
        expect=only("sales_rep", "sales_manager", "general_manager", status=405),
        note="POST only",
    ),
    Row(
        "orders:invoice_request",
        kwargs={"pk": MISSING},
        expect=only("sales_rep", "sales_manager", "finance_clerk", "general_manager", status=404),
    ),
    Row("orders:review_queue", expect=only("sales_manager", "finance_clerk", "general_manager")),
    Row("orders:review_settings", expect=only("sales_manager", "general_manager", status=200)),
    Row(
        "orders:picking",
        expect=only("warehouse_clerk", "warehouse_manager", "sales_manager", "general_manager", status=200),
    ),
    Row(
        "orders:warehouse_picking_pdf",
        kwargs={"warehouse": MISSING},
        expect=only("warehouse_clerk", "warehouse_manager", "sales_manager", "general_manager", status=404),
    ),
    Row(
        "orders:shipment_list",
        expect=only(
            "warehouse_clerk",
            "warehouse_manager",
            "sales_rep",
            "sales_manager",
            "finance_clerk",
            "general_manager",
            status=200,
        ),
    ),
    Row(
        "orders:shipment",
        kwargs={"pk": MISSING},
        expect=only(
            "warehouse_clerk",
            "warehouse_manager",
            "sales_rep",
            "sales_manager",
            "finance_clerk",
            "general_manager",
            status=404,
        ),
    ),
    Row(
        "orders:delivery_note_pdf",
        kwargs={"pk": MISSING},
        expect=only(
            "warehouse_clerk",
            "warehouse_manager",
            "sales_rep",
            "sales_manager",
            "finance_clerk",
            "general_manager",
            status=404,
        ),
    ),
    Row("orders:issue_note_pdf", kwargs={"pk": MISSING}, expect=only(*SHIPMENT_READERS, status=404),
        note="the warehouse's 销售出库单, no prices"),
    Row(
        "orders:carrier_list",
        expect=only(
            "warehouse_clerk",
            "warehouse_manager",
            "sales_rep",
            "sales_manager",
            "finance_clerk",
            "general_manager",
            status=200,
        ),
    ),
    Row("orders:carrier_create", expect=only("sales_manager", "general_manager", status=200)),
    Row("orders:carrier_edit", kwargs={"pk": MISSING}, expect=only("sales_manager", "general_manager", status=404)),
    Row("orders:kuaidi100_push", expect=everyone(405), note="public"),
    Row(
        "orders:payment_list", expect=only("sales_rep", "sales_manager", "finance_clerk", "general_manager", status=200)
    ),
    Row("orders:payment_create", expect=only("finance_clerk", "general_manager", status=200)),
    Row(
        "orders:payment",
        kwargs={"pk": MISSING},
        expect=only("sales_rep", "sales_manager", "finance_clerk", "general_manager", status=404),
    ),
    Row(
        "orders:payment_receipt_pdf",
        kwargs={"pk": MISSING},
        expect=only("sales_rep", "sales_manager", "finance_clerk", "general_manager", status=404),
    ),
    Row(
        "orders:receivables", expect=only("sales_rep", "sales_manager", "finance_clerk", "general_manager", status=200)
    ),
    Row(
        "orders:statement_pdf",
        kwargs={"customer": MISSING},
        expect=only("sales_rep", "sales_manager", "finance_clerk", "general_manager", status=404),
    ),
    Row(
        "orders:statement",
        kwargs={"customer": MISSING},
        expect=only("sales_rep", "sales_manager", "finance_clerk", "general_manager", status=404),
    ),
    Row("orders:credit_list", expect=only("sales_rep", "sales_manager", "finance_clerk", "general_manager")),
    Row("orders:credit_apply", kwargs={"pk": MISSING}, expect=only("finance_clerk", "general_manager", status=404)),
    Row("orders:refund_request", kwargs={"pk": MISSING}, expect=only("finance_clerk", "general_manager", status=404)),
    Row(
        "orders:refund_decide",
        kwargs={"pk": MISSING, "decision": "approve"},
        expect=only("general_manager", status=405),
        note="POST only",
    ),
    Row("orders:invoice_queue", expect=only("finance_clerk", "general_manager", status=200)),
    Row("orders:invoice_export", expect=only("finance_clerk", "general_manager", status=200),
        note="the tax bureau's batch-issue layout"),
    Row(
        "orders:invoice_issue",
        kwargs={"pk": MISSING},
        expect=only("finance_clerk", "general_manager", status=405),
        note="POST only",
    ),
    Row(
        "orders:pricerule_list",
        expect=only("sales_rep", "sales_manager", "finance_clerk", "general_manager", status=200),
    ),
    Row("orders:pricerule_create", expect=only("sales_manager", "general_manager", status=200)),
    Row("orders:pricerule_edit", kwargs={"pk": MISSING}, expect=only("sales_manager", "general_manager", status=404)),
    Row("orders:analytics", expect=only("sales_manager", "finance_clerk", "general_manager", status=200)),
    Row(
        "orders:rep_month_fragment",
        expect=only("sales_rep", "sales_manager", "finance_clerk", "general_manager", status=200),
        note="revenue: not the warehouse",
    ),
    Row(
        "orders:customer_purchases",
        kwargs={"pk": MISSING},
        expect=only("sales_rep", "sales_manager", "finance_clerk", "general_manager", status=404),
        note="amounts: not the warehouse",
    ),
    Row(
        "orders:order_from_opportunity",
        kwargs={"pk": MISSING},
        expect=only("sales_rep", "sales_manager", "general_manager", status=404),
    ),
    Row(
        "orders:customer_lookup",
        expect=only("sales_rep", "sales_manager", "finance_clerk", "general_manager", status=200),
        note="order and payment forms",
    ),
    Row("orders:product_lookup", expect=only("sales_rep", "sales_manager", "general_manager", status=200)),
    Row("orders:product_by_code", expect=only("sales_rep", "sales_manager", "general_manager", status=200)),
    Row("orders:customer_defaults", expect=only("sales_rep", "sales_manager", "general_manager", status=404),
        note="without a customer of theirs"),
    Row("orders:order_lines_preview", expect=only("sales_rep", "sales_manager", "general_manager", status=405),
        note="POST only"),
    Row("orders:status_page", kwargs={"token": "no-such-code"}, expect=everyone(404), note="public"),
]
