"""The scorecard as a PDF, on the kernel's helpers (CJK font, header, table style)."""

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from hardware_erp.core import pdf

from .selectors import person_name, role_label


def _safe(text) -> str:
    """Escaped for reportlab's markup; the middle dot is missing from the CJK font, a slash reads the same."""
    return escape(str(text)).replace("·", "/")


def _n(v, unit=""):
    if v is None:
        return _("no data")
    return f"{v.normalize():f}{unit}" if hasattr(v, "normalize") else str(v)


def scorecard_pdf(scorecard, values, team, trend_rows, adjustments, events) -> bytes:
    st = pdf.styles()
    sc = scorecard
    story = [pdf.Paragraph(_("Scorecard"), st["title"]),
             pdf.Paragraph(_safe(f"{person_name(sc.employee)} · {role_label(sc.role)} · "
                           f"{sc.department or '—'} · {sc.period.label}"), st["body"]),
             pdf.Paragraph(_("Status: %(status)s") % {"status": sc.get_status_display()}, st["body"])]
    summary = [[_("Computed score"), _n(sc.computed_score)], [_("Adjustment"), f"{sc.adjustment:+}"],
               [_("Final score"), _n(sc.final_score)], [_("Team median"), _n(team["median"])],
               [_("Weight with data"), f"{sc.coverage.normalize():f}%"]]
    t = pdf.Table(summary, colWidths=[50 * pdf.mm, 40 * pdf.mm])
    t.setStyle(pdf.table_style(header_rows=0, number_columns=(1,)))
    story += [pdf.Paragraph(_("Summary"), st["h2"]), t]
    rows = [[_("KPI"), pgettext("performance", "Value"), _("Target"), _("Records"), _("Weight"), _("Score"),
             _("Team median")]]
    for v in values:
        unit = "" if v.kpi.unit == "rating" else (" h" if v.kpi.unit == "h" else "%")
        rows.append([pdf.Paragraph(_safe(v.kpi.name), st["small"]), _n(v.value, unit), _n(v.target, unit),
                     f"{v.records_ok}/{v.records}" if v.records else "—", f"{v.weight.normalize():f}%",
                     _n(v.score), _n(team["kpi_medians"].get(v.kpi_id), unit)])
    t = pdf.Table(rows, colWidths=[55 * pdf.mm, 22 * pdf.mm, 20 * pdf.mm, 20 * pdf.mm, 18 * pdf.mm, 18 * pdf.mm,
                                   25 * pdf.mm], repeatRows=1)
    t.setStyle(pdf.table_style(number_columns=(1, 2, 3, 4, 5, 6)))
    story += [pdf.Paragraph(_("KPIs"), st["h2"]), t]
    if trend_rows:
        t = pdf.Table([[r["label"] for r in trend_rows], [_n(r["score"]) for r in trend_rows]])
        t.setStyle(pdf.table_style())
        story += [pdf.Paragraph(_("Trend"), st["h2"]), t]
    if adjustments:
        rows = [[_("Points"), _("Reason"), pgettext("performance", "By"), _("When")]]
        rows += [[f"{a.points:+}", pdf.Paragraph(_safe(a.reason), st["small"]), person_name(a.actor),
                  a.created_at.strftime("%Y-%m-%d")] for a in adjustments]
        t = pdf.Table(rows, colWidths=[20 * pdf.mm, 100 * pdf.mm, 30 * pdf.mm, 28 * pdf.mm])
        t.setStyle(pdf.table_style())
        story += [pdf.Paragraph(_("Adjustments"), st["h2"]), t]
    for label, text in ((_("Manager's comment"), sc.manager_comment), (_("Employee's comment"),
                                                                         sc.employee_comment)):
        if text:
            story += [pdf.Paragraph(label, st["h2"]), pdf.Paragraph(_safe(text).replace("\n", "<br/>"), st["body"])]
    if events:
        rows = [[_("When"), pgettext("performance", "By"), _("What"), _("Note")]]
        rows += [[e.created_at.strftime("%Y-%m-%d %H:%M"), person_name(e.actor) if e.actor else "—",
                  e.to_label or e.get_kind_display(), pdf.Paragraph(_safe(e.display_note[:300]), st["small"])]
                 for e in events]
        t = pdf.Table(rows, colWidths=[30 * pdf.mm, 28 * pdf.mm, 35 * pdf.mm, 85 * pdf.mm], repeatRows=1)
        t.setStyle(pdf.table_style())
        story += [pdf.Paragraph(pgettext("performance", "History"), st["h2"]), t]
    return pdf.build_pdf(story, title=_("Scorecard"), subtitle=sc.period.label)
