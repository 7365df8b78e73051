"""Performance permissions of each role (applied by `manage.py sync_roles`).

Everyone sees their own scorecard (object access in Scorecard.objects.for_user); reviewers see
their reports and department; the general manager sees everyone; finance exports payroll."""

EVERYONE = ["performance.view_scorecard", "performance.view_kpi"]
REVIEWER = [*EVERYONE, "performance.review_scorecard", "performance.view_period", "performance.compute_period",
            "performance.manage_kpi", "performance.view_bonustier"]

# a team lead (the warehouse manager) reviews their reports' scorecards; periods and KPIs stay with managers
TEAM_REVIEWER = [*EVERYONE, "performance.review_scorecard", "performance.view_period"]

PERMISSIONS = {
    "sales_rep": EVERYONE,
    "warehouse_clerk": EVERYONE,
    "warehouse_manager": TEAM_REVIEWER,
    "purchaser": EVERYONE,
    "finance_clerk": [*EVERYONE, "performance.export_payroll", "performance.view_bonustier"],
    "it_admin": EVERYONE,
    "trainer": EVERYONE,
    "sales_manager": REVIEWER,
    "general_manager": [*REVIEWER, "performance.view_all_scorecards", "performance.export_payroll",
                        "performance.add_bonustier", "performance.change_bonustier",
                        "performance.delete_bonustier"],
}
