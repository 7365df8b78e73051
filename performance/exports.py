"""Excel exports: a period's results (every KPI value) and the payroll file (tiers and bonuses)."""

from django.utils.translation import gettext as _

from hardware_erp.core.exports import export_book_response
from hardware_erp.core.signals import data_exported

from .models import Scorecard


def _response(sheets, filename, request, rows):
    """The workbook through the kernel's export helper (markup stripped, formulas neutralised, numbers kept)."""
    resp = export_book_response(sheets, filename=filename)
    data_exported.send(sender=None, request=request, model=Scorecard, rows=rows, format="xlsx")
    return resp


def period_results_xlsx(request, period, rows, kpis):
    """Sheet 1: one row per person with each KPI's value (blank = no data) and score; sheet 2: settings."""
    header = [_("Employee"), _("User name"), _("Department"), _("Role"), _("Computed score"), _("Adjustment"),
              _("Final score"), _("Weight with data (%)"), _("Status")]
    score = _("score")
    for k in kpis:
        header += [f"{k.name} ({k.get_unit_display()})", f"{k.name} · {score}"]
    out = []
    for r in rows:
        line = [r["name"], r["username"], r["department"], r["role"], r["computed"], r["adjustment"], r["final"],
                r["coverage"], r["status"]]
        for k in kpis:
            v = r["values"].get(k.code)
            line += [v.value if v else None, v.score if v else None]
        out.append(line)
    settings_ = [[s.role, s.kpi.name, s.target, s.weight, ", ".join(f"{a}:{b}" for a, b in s.bands)]
                 for s in period.kpis.select_related("kpi").order_by("role", "kpi__position")]
    return _response([(_("Results"), header, out),
                      (_("Targets and weights"), [_("Role"), _("KPI"), _("Target"), _("Weight (%)"),
                                                  _("Scoring bands")], settings_)],
                     f"performance-{period.label.replace(' ', '-')}.xlsx", request, len(rows))


def payroll_xlsx(request, period, rows):
    header = [_("User name"), _("Employee"), _("Department"), _("Final score"), _("Tier"), _("Bonus (CNY)"),
              _("Points"), _("Scorecard status")]
    data = [[r["username"], r["name"], r["department"], r["final"], r["tier"].name if r["tier"] else "",
             r["bonus"], r["points"], r["status"]] for r in rows]
    return _response([(_("Payroll"), header, data)], f"payroll-{period.label.replace(' ', '-')}.xlsx", request,
                     len(rows))


def distribution_xlsx(request, period, overview):
    """The numbers behind the dashboard's charts: the distribution and the departments."""
    sheets = [
        (_("Distribution"), [_("Final score"), _("People")], [[b["label"], b["count"]]
                                                             for b in overview["distribution"]]),
        (_("Departments"), [_("Department"), _("People"), _("Scored"), _("Average"), _("Median"), _("Below 60"),
                            _("Closed")],
         [[str(d["name"]), d["people"], d["scored"], d["average"], d["median"], d["below_60"], d["closed"]]
          for d in overview["departments"]]),
    ]
    return _response(sheets, f"performance-distribution-{period.label.replace(' ', '-')}.xlsx", request,
                     overview["people"])
