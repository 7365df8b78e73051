"""Inventory PDFs: purchase orders, stocktake variance reports and label sheets (reportlab)."""

import io

import barcode
import qrcode
from barcode.writer import ImageWriter
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from reportlab.platypus import Spacer

from hardware_erp.core import pdf
from hardware_erp.core.templatetags.erp import qty

from .choices import BarcodeKind

# label sheet: 3 × 8 labels of 70 × 37 mm on A4 (a common adhesive sheet)
COLS, ROWS = 3, 8
LABEL_W, LABEL_H = 70 * mm, 37.125 * mm


def _text(value) -> str:
    """Escaped for reportlab's paragraph markup (a name with "&" or "<" is text, not a tag); STSong-Light has no
    middle dot: use a wide space between fields."""
    return escape(str(value)).replace(" · ", "\u3000\u3000").replace("·", "\u3000")


def _para(text, style):
    return pdf.Paragraph(_text(text), style)


def purchase_order_pdf(order) -> bytes:
    st = pdf.styles()
    P = _para
    head = [
        P(_("Purchase order %(n)s") % {"n": order.number}, st["title"]),
        P(_("Supplier: %(s)s") % {"s": f"{order.supplier.name_zh} {order.supplier.name_en}"}, st["body"]),
        P(_("Deliver to: %(w)s · %(a)s") % {"w": order.warehouse.name_zh, "a": order.warehouse.address}, st["body"]),
        P(_("Expected delivery: %(d)s · Status: %(s)s") % {"d": order.expected_at or "—",
                                                          "s": order.get_status_display()}, st["body"]),
    ]
    rows = [[_("Line"), _("SKU"), _("Product"), _("Specification"), _("Quantity"), _("Unit price"), _("Amount")]]
    total = 0
    for i, line in enumerate(order.lines.select_related("product__base_unit"), 1):
        p = line.product
        rows.append([str(i), p.sku, P(p.name_zh, st["small"]), P(p.spec_line, st["small"]),
                     f"{qty(line.quantity)} {p.base_unit.name_zh}", pdf.money_text(line.unit_price),
                     pdf.money_text(line.amount)])
        total += line.amount
    rows.append(["", "", "", "", "", _("Total"), pdf.money_text(total)])
    table = pdf.Table(rows, colWidths=[10 * mm, 32 * mm, 45 * mm, 35 * mm, 22 * mm, 18 * mm, 20 * mm], repeatRows=1)
    table.setStyle(pdf.table_style(number_columns=(4, 5, 6)))
    story = [*head, Spacer(1, 4 * mm), table]
    if order.note:
        story.append(P(order.note, st["body"]))
    return pdf.build_pdf(story, title=_("Purchase order"), subtitle=order.number)


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


def _barcode_image(value, kind):
    symbology = "ean13" if kind == BarcodeKind.EAN13 else "code128"
    code = barcode.get(symbology, value, writer=ImageWriter())
    return code.render({"module_width": 0.25, "module_height": 9, "quiet_zone": 4, "write_text": False,
                        "dpi": 300})


def _qr_image(value):
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=2)
    qr.add_data(value)
    qr.make(fit=True)
    return qr.make_image(fill_color="black", back_color="white").get_image()


def _sheet(items, draw_one, title):
    pdf.register_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(title)
    page_w, page_h = A4
    left = (page_w - COLS * LABEL_W) / 2
    top = page_h - (page_h - ROWS * LABEL_H) / 2
    per_page = COLS * ROWS
    for i, item in enumerate(items):
        if i and i % per_page == 0:
            c.showPage()
        n = i % per_page
        x = left + (n % COLS) * LABEL_W
        y = top - (n // COLS + 1) * LABEL_H
        c.saveState()
        c.setStrokeGray(0.85)
        c.rect(x, y, LABEL_W, LABEL_H)  # cut guide
        draw_one(c, item, x, y)
        c.restoreState()
    c.showPage()
    c.save()
    return buf.getvalue()


def _fit(c, text, font, size, width):
    while size > 5 and c.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def product_labels_pdf(products) -> bytes:
    def draw(c, p, x, y):
        pad = 3 * mm
        c.setFont("Helvetica-Bold", 10)
        c.drawString(x + pad, y + LABEL_H - 5.5 * mm, p.sku)
        name = p.name_zh + (f" {p.name_en}" if p.name_en else "")
        size = _fit(c, name, pdf.CJK_FONT, 8, LABEL_W - 2 * pad)
        c.setFont(pdf.CJK_FONT, size)
        c.drawString(x + pad, y + LABEL_H - 9.5 * mm, name)
        c.setFont(pdf.CJK_FONT, 7)
        c.drawString(x + pad, y + LABEL_H - 13 * mm, p.spec_line[:60])
        img = _barcode_image(p.barcode, p.barcode_kind)
        bw = LABEL_W - 2 * pad
        bh = 15 * mm
        c.drawImage(ImageReader(img), x + pad, y + 5 * mm, width=bw, height=bh, preserveAspectRatio=True)
        c.setFont("Helvetica", 7)
        c.drawCentredString(x + LABEL_W / 2, y + 2 * mm, p.barcode)

    return _sheet(products, draw, _("Product labels"))


def location_labels_pdf(locations) -> bytes:
    def draw(c, loc, x, y):
        pad = 3 * mm
        side = LABEL_H - 2 * pad
        c.drawImage(ImageReader(_qr_image(loc.qr_value)), x + pad, y + pad, width=side, height=side)
        tx = x + pad + side + 3 * mm
        c.setFont("Helvetica-Bold", 16)
        c.drawString(tx, y + LABEL_H - 12 * mm, loc.code)
        c.setFont(pdf.CJK_FONT, 8)
        c.drawString(tx, y + LABEL_H - 18 * mm, loc.warehouse.name_zh)
        c.setFont("Helvetica", 7)
        c.drawString(tx, y + LABEL_H - 23 * mm, loc.warehouse.code)

    return _sheet(locations, draw, _("Location labels"))
