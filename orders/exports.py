"""Excel export of report numbers (every chart and the ageing table), logged like list exports."""

import io
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook

from hardware_erp.core.signals import data_exported


def xlsx_response(request, name, head, rows, *, model=None) -> HttpResponse:
    wb = Workbook()
    ws = wb.active
    ws.title = name[:31]
    ws.append([str(h) for h in head])
    for row in rows:
        ws.append([float(v) if isinstance(v, Decimal) else (str(v) if v is not None and not isinstance(
            v, (int, float)) else v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    data_exported.send(sender=xlsx_response, request=request, model=model, rows=len(rows), format="xlsx")
    resp = HttpResponse(buf.getvalue(),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return resp
