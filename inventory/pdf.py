"""Inventory PDFs: purchase orders, stocktake variance reports and label sheets (reportlab)."""

import io

from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import Spacer

from hardware_erp.core import pdf
from hardware_erp.core.templatetags.erp import qty

from . import labels
from .choices import BarcodeKind


def _text(value) -> str:
    """Escaped for reportlab's paragraph markup (a name with "&" or "<" is text, not a tag); STSong-Light has no
    middle dot: use a wide space between fields."""
    return escape(str(value)).replace(" · ", "\u3000\u3000").replace("·", "\u3000")


def _para(text, style):
    return pdf.Paragraph(_text(text), style)


def purchase_order_pdf(order) -> bytes:
    """采购订单: the company header, the supplier, 4-place unit prices, amounts per line to the cent, the total in
    capitals and the signature/stamp area."""
    st = pdf.styles()
    P = _para
    title = _("Purchase order")
    head = [
        P(f"{title}  {order.number}", st["title"]),
        P(pdf.field(_("Supplier"), order.supplier.name), st["body"]),
        P(pdf.field(_("Deliver to"), f"{order.warehouse.name}  {order.warehouse.address}".strip()), st["body"]),
        P("    ".join([pdf.field(_("Expected delivery"), order.expected_at or "—"),
                       pdf.field(_("Status"), order.get_status_display())]), st["body"]),
    ]
    rows = [[_("Line"), _("SKU"), _("Product"), _("Specification"), _("Quantity"), _("Unit price"), _("Amount")]]
    total = 0
    for i, line in enumerate(order.lines.select_related("product__base_unit"), 1):
        p = line.product
        rows.append([str(i), p.sku, P(p.name_zh, st["small"]), P(p.spec_line, st["small"]),
                     f"{qty(line.quantity)} {p.base_unit.name_zh}", pdf.price_text(line.unit_price),
                     pdf.money_text(line.amount)])
        total += line.amount
    rows.append(["", "", "", "", "", _("Total"), pdf.money_text(total)])
    table = pdf.Table(rows, colWidths=[10 * mm, 32 * mm, 43 * mm, 33 * mm, 22 * mm, 20 * mm, 20 * mm], repeatRows=1)
    table.setStyle(pdf.table_style(number_columns=(4, 5, 6)))
    story = [*head, Spacer(1, 4 * mm), table, Spacer(1, 2 * mm), pdf.amount_in_words_table(total)]
    if order.note:
        story.append(P(order.note, st["body"]))
    story += [Spacer(1, 4 * mm), pdf.signature_block([_("Purchaser"), _("Approved by"), _("Supplier confirmation")],
                                                     stamp_label=_("Company stamp"))]
    return pdf.build_pdf(story, title=title, subtitle=order.number)


def variance_pdf(stocktake, lines, totals, *, blind=False) -> bytes:
    """The variance report; `blind` (a counter of a blind count): counted quantities only."""
    st = pdf.styles()
    P = _para
    if blind:
        rows = [[_("Location"), _("SKU"), _("Product"), pgettext("quantity", "Counted")]]
        rows += [[ln.location.code, ln.product.sku, P(ln.product.name_zh, st["small"]), qty(ln.counted)]
                 for ln in lines]
        table = pdf.Table(rows, colWidths=[26 * mm, 40 * mm, 96 * mm, 26 * mm], repeatRows=1)
        table.setStyle(pdf.table_style(number_columns=(3,)))
    else:
        rows = [[_("Location"), _("SKU"), _("Product"), _("Expected"), pgettext("quantity", "Counted"), _("Variance"),
                 _("Value")]]
        for ln in lines:
            rows.append([ln.location.code, ln.product.sku, P(ln.product.name_zh, st["small"]),
                         qty(ln.expected_now), qty(ln.counted), qty(ln.variance), pdf.money_text(ln.variance_value)])
        rows.append(["", "", _("Total"), "", "", qty(totals["quantity"]), pdf.money_text(totals["value"])])
        table = pdf.Table(rows, colWidths=[22 * mm, 34 * mm, 56 * mm, 18 * mm, 18 * mm, 18 * mm, 22 * mm],
                          repeatRows=1)
        table.setStyle(pdf.table_style(number_columns=(3, 4, 5, 6)))
    story = [P(_("Variance report %(n)s") % {"n": stocktake.number}, st["title"]),
             P(_("Warehouse: %(w)s · Opened: %(t)s") % {
                 "w": stocktake.warehouse.name_zh, "t": f"{timezone.localtime(stocktake.opened_at):%Y-%m-%d %H:%M}"},
               st["body"]),
             Spacer(1, 4 * mm), table]
    return pdf.build_pdf(story, title=_("Variance report"), subtitle=stocktake.number)


def _labels(items, draw_one, title, size, dpi):
    """Labels on pages: one per page on a thermal roll, a grid with cut guides on an A4 sheet."""
    font = pdf.register_fonts()
    sheet = labels.SHEETS[size]
    page_w, page_h = sheet.page
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(page_w, page_h), initialFontName=font)  # no unembedded Helvetica
    c.setTitle(title)
    left = labels.snap((page_w - sheet.cols * sheet.w) / 2, dpi)
    top = page_h - (page_h - sheet.rows * sheet.h) / 2
    per_page = sheet.cols * sheet.rows
    for i, item in enumerate(items):
        if i and i % per_page == 0:
            c.showPage()
        n = i % per_page
        x = left + (n % sheet.cols) * sheet.w
        y = top - (n // sheet.cols + 1) * sheet.h
        c.saveState()
        if per_page > 1:
            c.setStrokeGray(0.85)
            c.rect(x, y, sheet.w, sheet.h)  # cut guide
            c.setFillGray(0)
        draw_one(c, item, x, y, sheet, dpi)
        c.restoreState()
    c.showPage()
    c.save()
    return buf.getvalue()


def _product_label(c, p, x, y, sheet, dpi):
    """SKU, name, specification and the barcode with its text: Code 128 / EAN-13 across the bottom when it fits
    the width, else a QR code at the bottom right with the specification and the code's text beside it."""
    pad = sheet.pad
    inner_w, inner_h = sheet.w - 2 * pad, sheet.h - 2 * pad
    left, top = x + pad, y + sheet.h - pad
    big = inner_h > 30 * mm
    name = p.name_zh + (f" {p.name_en}" if p.name_en else "")
    code = labels.plan_code(p.barcode, inner_w, dpi, ean13=p.barcode_kind == BarcodeKind.EAN13)
    fit = labels.fit_text
    latin = pdf.latin_font()
    sku = fit(p.sku, latin, inner_w, max_size=11 if big else 10, height=0.22 * inner_h, ellipsis=False)
    yy = labels.draw_text(c, sku, left, top, bold=True)
    title = fit(name, pdf.CJK_FONT, inner_w, max_size=9, height=0.26 * inner_h)
    yy = labels.draw_text(c, title, left, yy)
    if code is not None:
        spec = fit(p.spec_line, pdf.CJK_FONT, inner_w, max_size=7, max_lines=2 if big else 1, height=0.14 * inner_h)
        yy = labels.draw_text(c, spec, left, yy)
        text = fit(p.barcode, latin, inner_w, max_size=8, max_lines=1, ellipsis=False)
        labels.draw_text(c, text, left, y + pad + text.height, inner_w, align="center")
        bar_h = yy - 0.8 * mm - (y + pad + text.height + 0.5 * mm)
        labels.draw_code(c, code, left + (inner_w - code.width) / 2, y + pad + text.height + 0.5 * mm, bar_h, dpi)
        return
    side = min(yy - 0.8 * mm - (y + pad), 0.5 * inner_w)
    qr = labels.plan_qr(p.barcode, side, dpi)
    labels.draw_code(c, qr, left + inner_w - qr.width, y + pad, qr.width, dpi)
    col_w = inner_w - qr.width - 1 * mm
    text = fit(p.barcode, latin, col_w, max_size=7, max_lines=3, ellipsis=False)
    spec = fit(p.spec_line, pdf.CJK_FONT, col_w, max_size=7, max_lines=2,
               height=yy - 0.8 * mm - (y + pad) - text.height - 0.5 * mm)
    labels.draw_text(c, spec, left, yy - 0.5 * mm)
    labels.draw_text(c, text, left, y + pad + text.height)


def product_labels_pdf(products, size=labels.LabelSize.A4_3X8, dpi=300) -> bytes:
    return _labels(products, _product_label, _("Product labels"), size, dpi)


def _location_label(c, loc, x, y, sheet, dpi):
    """The bin code large and the warehouse; the code's Code 128 across the bottom when it fits the width, else
    a QR code at the left. The barcode encodes the bin code exactly as printed (the count page knows the
    warehouse's bins)."""
    pad = sheet.pad
    inner_w, inner_h = sheet.w - 2 * pad, sheet.h - 2 * pad
    left, top = x + pad, y + sheet.h - pad
    fit = labels.fit_text
    where = loc.warehouse.name_zh + (f" · {loc.description}" if loc.description else "")
    where = where.replace(" · ", "\u3000")  # STSong-Light has no middle dot
    code = labels.plan_code(loc.code, inner_w, dpi)
    latin = pdf.latin_font()
    if code is not None:
        big = fit(loc.code, latin, inner_w, max_size=22, height=0.42 * inner_h, ellipsis=False)
        yy = labels.draw_text(c, big, left, top, bold=True)
        wh = fit(where, pdf.CJK_FONT, inner_w, max_size=8, max_lines=1, height=0.14 * inner_h)
        yy = labels.draw_text(c, wh, left, yy)
        labels.draw_code(c, code, left + (inner_w - code.width) / 2, y + pad, yy - 0.8 * mm - (y + pad), dpi)
        return
    qr = labels.plan_qr(loc.code, min(inner_h, 0.5 * inner_w), dpi)
    labels.draw_code(c, qr, left, y + pad + (inner_h - qr.width) / 2, qr.width, dpi)
    tx = left + qr.width + 1 * mm
    col_w = inner_w - qr.width - 1 * mm
    big = fit(loc.code, latin, col_w, max_size=16, max_lines=3, height=0.7 * inner_h, ellipsis=False)
    yy = labels.draw_text(c, big, tx, top, bold=True)
    wh = fit(where, pdf.CJK_FONT, col_w, max_size=8, max_lines=2, height=yy - (y + pad))
    labels.draw_text(c, wh, tx, yy - 0.5 * mm)


def location_labels_pdf(locations, size=labels.LabelSize.A4_3X8, dpi=300) -> bytes:
    return _labels(locations, _location_label, _("Location labels"), size, dpi)
