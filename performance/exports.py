"""Excel exports: a period's results (every KPI value) and the payroll file (tiers and bonuses)."""

import io

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from hardware_erp.core.signals import data_exported

from .models import Scorecard

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(ws, header, rows):
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E9EEF5")
    for row in rows:
        ws.append([None if v is None else (float(v) if hasattr(v, "as_tuple") else v) for v in row])
    for i, h in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(str(h)) + 4))
    ws.freeze_panes = "A2"


def _response(wb, filename, request, rows):
    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(buf.getvalue(), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    data_exported.send(sender=None, request=request, model=Scorecard, rows=rows, format="xlsx")
    return resp


def period_results_xlsx(request, period, rows, kpis):
    """Sheet 1: one row per person with each KPI's value (blank = no data) and score; sheet 2: settings."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Results")
    header = [_("Employee"), _("User name"), _("Department"), _("Role"), _("Computed score"), _("Adjustment"),
              _("Final score"), _("Weight with data (%)"), _("Status")]
    for k in kpis:
        header += [f"{k.name} ({k.get_unit_display()})", f"{k.name} · {_('score')}"]
    out = []
    for r in rows:
        line = [r["name"], r["username"], r["department"], r["role"], r["computed"], r["adjustment"], r["final"],
                r["coverage"], r["status"]]
        for k in kpis:
            v = r["values"].get(k.code)
            line += [v.value if v else None, v.score if v else None]
        out.append(line)
    _sheet(ws, header, out)
    ws2 = wb.create_sheet(_("Targets and weights"))
    _sheet(ws2, [_("Role"), _("KPI"), _("Target"), _("Weight (%)"), _("Scoring bands")],
           [[s.role, s.kpi.name, s.target, s.weight, ", ".join(f"{a}:{b}" for a, b in s.bands)]
            for s in period.kpis.select_related("kpi").order_by("role", "kpi__position")])
    return _response(wb, f"performance-{period.label.replace(' ', '-')}.xlsx", request, len(rows))


def payroll_xlsx(request, period, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = _("Payroll")
    _sheet(ws, [_("User name"), _("Employee"), _("Department"), _("Final score"), _("Tier"), _("Bonus (CNY)"),
                _("Points"), _("Scorecard status")],
           [[r["username"], r["name"], r["department"], r["final"], r["tier"].name if r["tier"] else "",
             r["bonus"], r["points"], r["status"]] for r in rows])
    return _response(wb, f"payroll-{period.label.replace(' ', '-')}.xlsx", request, len(rows))


def distribution_xlsx(request, period, overview):
    """The numbers behind the dashboard's charts: the distribution and the departments."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Distribution")
    _sheet(ws, [_("Final score"), _("People")], [[b["label"], b["count"]] for b in overview["distribution"]])
    ws2 = wb.create_sheet(_("Departments"))
    _sheet(ws2, [_("Department"), _("People"), _("Scored"), _("Average"), _("Median"), _("Below 60"), _("Closed")],
           [[str(d["name"]), d["people"], d["scored"], d["average"], d["median"], d["below_60"], d["closed"]]
            for d in overview["departments"]])
    return _response(wb, f"performance-distribution-{period.label.replace(' ', '-')}.xlsx", request,
                     overview["people"])
