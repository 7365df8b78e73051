"""Excel export of report numbers (every chart and the ageing table), logged like list exports.

The file itself is the kernel's (`hardware_erp.core.exports.export_response`: markup stripped, formula cells
neutralised, numbers kept numeric)."""

from django.http import HttpResponse

from hardware_erp.core.exports import export_response
from hardware_erp.core.signals import data_exported


def xlsx_response(request, name, head, rows, *, model=None) -> HttpResponse:
    rows = list(rows)
    data_exported.send(sender=xlsx_response, request=request, model=model, rows=len(rows), format="xlsx")
    return export_response(head, rows, filename=f"{name}.xlsx", fmt="xlsx", title=name)
