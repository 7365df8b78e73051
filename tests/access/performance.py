"""Access rows of the performance app (its engineers keep them: a row for each URL they add).

Record URLs use ids that do not exist: a role the permission lets in gets 404, the others 403.
"""

from . import Row, everyone, module, only

MISSING = 999999


ROWS = [
    Row("performance:index", expect=module("performance")),
    Row(
        "performance:me",
        expect=only(
            "sales_rep",
            "sales_manager",
            "warehouse_clerk",
            "warehouse_manager",
            "purchaser",
            "finance_clerk",
            "it_admin",
            "trainer",
            "general_manager",
            status=200,
        ),
    ),
    Row(
        "performance:scorecard_list",
        expect=only(
            "sales_rep",
            "sales_manager",
            "warehouse_clerk",
            "warehouse_manager",
            "purchaser",
            "finance_clerk",
            "it_admin",
            "trainer",
            "general_manager",
            status=200,
        ),
    ),
    Row(
        "performance:scorecard",
        kwargs={"pk": MISSING},
        expect=only(
            "sales_rep",
            "sales_manager",
            "warehouse_clerk",
            "warehouse_manager",
            "purchaser",
            "finance_clerk",
            "it_admin",
            "trainer",
            "general_manager",
            status=404,
        ),
    ),
    Row(
        "performance:scorecard_pdf",
        kwargs={"pk": MISSING},
        expect=only(
            "sales_rep",
            "sales_manager",
            "warehouse_clerk",
            "warehouse_manager",
            "purchaser",
            "finance_clerk",
            "it_admin",
            "trainer",
            "general_manager",
            status=404,
        ),
    ),
    Row(
        "performance:evidence",
        kwargs={"pk": MISSING, "value_pk": MISSING},
        expect=only(
            "sales_rep",
            "sales_manager",
            "warehouse_clerk",
            "warehouse_manager",
            "purchaser",
            "finance_clerk",
            "it_admin",
            "trainer",
            "general_manager",
            status=404,
        ),
    ),
    Row("performance:period_list", expect=only("warehouse_manager", "sales_manager", "general_manager", status=200)),
    Row("performance:period_create", expect=only("sales_manager", "general_manager", status=405), note="POST only"),
    Row(
        "performance:period",
        kwargs={"pk": MISSING},
        expect=only("warehouse_manager", "sales_manager", "general_manager", status=404),
    ),
    Row(
        "performance:period_compute",
        kwargs={"pk": MISSING},
        expect=only("sales_manager", "general_manager", status=405),
        note="POST only",
    ),
    Row(
        "performance:period_close",
        kwargs={"pk": MISSING},
        expect=only("sales_manager", "general_manager", status=405),
        note="POST only",
    ),
    Row(
        "performance:period_settings",
        kwargs={"pk": MISSING},
        expect=everyone(404),
        note="a missing period answers 404 before the sign-in and permission checks",
    ),
    Row(
        "performance:payroll_export",
        kwargs={"pk": MISSING},
        expect=only("finance_clerk", "general_manager", status=404),
    ),
    Row("performance:dashboard", expect=only("warehouse_manager", "sales_manager", "general_manager", status=200)),
    Row(
        "performance:recognition",
        expect=only(
            "sales_rep",
            "sales_manager",
            "warehouse_clerk",
            "warehouse_manager",
            "purchaser",
            "finance_clerk",
            "it_admin",
            "trainer",
            "general_manager",
            status=200,
        ),
    ),
    Row(
        "performance:kpi_list",
        expect=only(
            "sales_rep",
            "sales_manager",
            "warehouse_clerk",
            "warehouse_manager",
            "purchaser",
            "finance_clerk",
            "it_admin",
            "trainer",
            "general_manager",
            status=200,
        ),
    ),
    Row("performance:tier_list", expect=only("sales_manager", "finance_clerk", "general_manager", status=200)),
    Row("performance:tier_create", expect=only("general_manager", status=200)),
    Row("performance:tier_edit", kwargs={"pk": MISSING}, expect=only("general_manager", status=404)),
]
