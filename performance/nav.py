from django.utils.translation import gettext_lazy as _

ITEMS = [
    (_("My scorecard"), "performance:me", "performance.view_scorecard"),
    (_("Scorecards"), "performance:scorecard_list", "performance.review_scorecard"),
    (_("Manager dashboard"), "performance:dashboard", "performance.review_scorecard"),
    (_("Appraisal periods"), "performance:period_list", "performance.view_period"),
    (_("Recognition"), "performance:recognition", "performance.view_scorecard"),
    (_("KPI catalogue"), "performance:kpi_list", "performance.view_kpi"),
    (_("Bonus tiers"), "performance:tier_list", "performance.view_bonustier"),
]
