"""Shared reportlab helpers for every app's pdf.py: a CJK font, page header/footer, table style.

reportlab's built-in CID font STSong-Light covers Simplified Chinese without any font file,
so PDFs render the same on every machine; Latin text uses Helvetica.
"""

import io
from decimal import Decimal

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

CJK_FONT = "STSong-Light"
COMPANY = "Hardware ERP"
_registered = False


def register_fonts():
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
        _registered = True


def styles():
    register_fonts()
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=CJK_FONT, fontSize=16, leading=20),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=CJK_FONT, fontSize=12, leading=16),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontName=CJK_FONT, fontSize=9.5, leading=13),
        "small": ParagraphStyle("small", parent=base["BodyText"], fontName=CJK_FONT, fontSize=8, leading=10),
        "right": ParagraphStyle("right", parent=base["BodyText"], fontName=CJK_FONT, fontSize=9.5, leading=13,
                                alignment=2),
    }


def table_style(header_rows=1, number_columns=()):
    cmds = [
        ("FONT", (0, 0), (-1, -1), CJK_FONT, 9),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#e9eef5")),
        ("LINEBELOW", (0, 0), (-1, header_rows - 1), 0.8, colors.HexColor("#2c3e50")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b8c2cc")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for col in number_columns:
        cmds.append(("ALIGN", (col, 0), (col, -1), "RIGHT"))
    return TableStyle(cmds)


def money_text(value) -> str:
    return f"¥{Decimal(value):,.2f}"


def build_pdf(story, *, title: str, subtitle: str = "", pagesize=A4) -> bytes:
    """Render flowables to PDF bytes with the company header and page numbers."""
    register_fonts()
    buf = io.BytesIO()
    printed = timezone.localtime().strftime("%Y-%m-%d %H:%M")

    def on_page(canvas, doc):
        canvas.saveState()
        w, h = pagesize
        canvas.setFont(CJK_FONT, 9)
        canvas.setFillColor(colors.HexColor("#2c3e50"))
        canvas.drawString(15 * mm, h - 10 * mm, COMPANY)
        canvas.drawRightString(w - 15 * mm, h - 10 * mm, f"{title}  {subtitle}".strip())
        canvas.setStrokeColor(colors.HexColor("#b8c2cc"))
        canvas.line(15 * mm, h - 12 * mm, w - 15 * mm, h - 12 * mm)
        canvas.drawString(15 * mm, 8 * mm, printed)
        canvas.drawRightString(w - 15 * mm, 8 * mm, f"{doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(buf, pagesize=pagesize, title=title, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=18 * mm, bottomMargin=15 * mm)
    doc.build(list(story), onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue()


__all__ = ["CJK_FONT", "Paragraph", "Table", "build_pdf", "money_text", "styles", "table_style", "mm"]
