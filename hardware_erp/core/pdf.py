"""Shared reportlab helpers for every app's pdf.py: an embedded CJK font, the company header, page numbers
"第 x 页 / 共 y 页", table styles, the amount in capitals and the signature/stamp area.

The font is a TrueType file embedded (subset) in every PDF, so Chinese prints the same in every viewer and on
every printer: WenQuanYi Micro Hei from Debian's fonts-wqy-microhei (installed by .ci/run), or the file named by
settings.PDF_FONT_PATH. reportlab embeds TrueType outlines only (not CFF/OpenType like Noto CJK). Without such a
file the documents fall back, with a warning in the log, to reportlab's built-in CID font STSong-Light, which is
NOT embedded (the viewer must supply it): `font_embedded()` says which one is in use and the health page can
show it. Every piece of text is drawn in that one font (the canvas' initial font too), so no Helvetica reference
is left unembedded: Latin text too (codes on labels, English lines of a certificate) through `latin_font()`,
since WenQuanYi Micro Hei has proportional Latin glyphs.
"""

import io
import logging
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as _Table

from .money import amount_in_words, format_money, format_price

log = logging.getLogger(__name__)

FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
EMBEDDED_FONT = "HwCJK"
FALLBACK_FONT = "STSong-Light"
CJK_FONT = EMBEDDED_FONT  # the font in use, settled by register_fonts(): read it as pdf.CJK_FONT after that
_registered = False


def _font_file():
    for candidate in (getattr(settings, "PDF_FONT_PATH", ""), *FONT_FILES):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def register_fonts() -> str:
    """Register the document font once and return its name."""
    global _registered, CJK_FONT
    if not _registered:
        path = _font_file()
        if path:
            pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, path, subfontIndex=0))
            CJK_FONT = EMBEDDED_FONT
        else:
            log.warning("No TrueType CJK font found (install fonts-wqy-microhei or set PDF_FONT_PATH): PDFs use "
                        "the built-in STSong-Light, which is not embedded.")
            pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
            CJK_FONT = FALLBACK_FONT
        # <b> and <i> in paragraphs stay in the same font (no unembedded Helvetica-Bold)
        pdfmetrics.registerFontFamily(CJK_FONT, normal=CJK_FONT, bold=CJK_FONT, italic=CJK_FONT,
                                      boldItalic=CJK_FONT)
        _registered = True
    return CJK_FONT


def latin_font() -> str:
    """The font for Latin-only text (SKUs, barcode text, bin codes, English lines): the embedded document font.
    Only without a TrueType file is it Helvetica, whose Latin glyphs are narrower than STSong-Light's; nothing is
    embedded in that case anyway."""
    return EMBEDDED_FONT if font_embedded() else "Helvetica"


class Table(_Table):
    """reportlab's Table with the document font as its cells' default: reportlab's own default, Helvetica, is set
    on the page for every cell (a paragraph or drawing cell too) and would be a font the PDF does not embed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setStyle([("FONT", (0, 0), (-1, -1), register_fonts())])


def font_embedded() -> bool:
    """Whether documents embed their font (a TrueType file was found)."""
    return register_fonts() == EMBEDDED_FONT


def styles():
    font = register_fonts()
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=font, fontSize=16, leading=20),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=font, fontSize=12, leading=16),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontName=font, fontSize=9.5, leading=13),
        "small": ParagraphStyle("small", parent=base["BodyText"], fontName=font, fontSize=8, leading=10),
        "right": ParagraphStyle("right", parent=base["BodyText"], fontName=font, fontSize=9.5, leading=13,
                                alignment=2),
    }


def table_style(header_rows=1, number_columns=()):
    font = register_fonts()
    cmds = [
        ("FONT", (0, 0), (-1, -1), font, 9),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b8c2cc")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        cmds += [("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#e9eef5")),
                 ("LINEBELOW", (0, 0), (-1, header_rows - 1), 0.8, colors.HexColor("#2c3e50"))]
    for col in number_columns:
        cmds.append(("ALIGN", (col, 0), (col, -1), "RIGHT"))
    return TableStyle(cmds)


def money_text(value) -> str:
    """An amount on a document: the kernel's one money formatter (half up, `-¥2,121.00`)."""
    return format_money(value)


def price_text(value) -> str:
    """A unit price on a document: up to 4 places (¥0.0392)."""
    return format_price(value)


def escape(text) -> str:
    return str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br/>")


def field(label, value) -> str:
    """`label：value` on a document: the label translated outside any f-string (xgettext reads it)."""
    return _("%(label)s: %(value)s") % {"label": label, "value": value}


def amount_in_words_table(total, *, width=180 * mm):
    """The document total in Chinese capitals and in figures: 合计（大写）… （小写）¥…"""
    st = styles()
    row = [Paragraph(escape(field(_("Total in words"), amount_in_words(total))), st["body"]),
           Paragraph(escape(field(_("In figures"), money_text(total))), st["right"])]
    t = Table([row], colWidths=[width * 0.68, width * 0.32])
    t.setStyle(table_style(header_rows=0))
    return t


def signature_block(labels, *, stamp_label=None, width=180 * mm):
    """Signature lines (制单 / 审核 / 签收 …) and, when `stamp_label` is given, a box for the company stamp
    (盖章) with its label: what paper needs for a document to count."""
    st = styles()
    cells = [Paragraph(escape(field(label, "")) + "<br/><br/>______________", st["body"]) for label in labels]
    widths = [width / (len(labels) + (1 if stamp_label else 0))] * (len(labels) + (1 if stamp_label else 0))
    if stamp_label:
        cells.append(Paragraph(escape(stamp_label), st["small"]))
    t = Table([cells], colWidths=widths, rowHeights=[24 * mm])
    cmds = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONT", (0, 0), (-1, -1), register_fonts(), 9)]
    if stamp_label:
        cmds += [("BOX", (-1, 0), (-1, 0), 0.6, colors.HexColor("#b03a2e")),
                 ("TEXTCOLOR", (-1, 0), (-1, 0), colors.HexColor("#b03a2e"))]
    t.setStyle(TableStyle(cmds))
    return t


def company_lines(profile) -> list[str]:
    """The company header's detail lines (credit code, address and phone, bank and account), translated."""
    lines = []
    if profile.credit_code:
        lines.append(field(_("Unified social credit code"), profile.credit_code))
    contact = "    ".join(x for x in (
        field(_("Address"), profile.address) if profile.address else "",
        field(_("Phone"), profile.phone) if profile.phone else "") if x)
    if contact:
        lines.append(contact)
    if profile.bank_name or profile.bank_account:
        lines.append(field(_("Bank and account"), f"{profile.bank_name} {profile.bank_account}".strip()))
    return lines


def _logo_path(profile):
    try:
        return profile.logo.path if profile.logo and Path(profile.logo.path).is_file() else None
    except (ValueError, NotImplementedError):  # object storage has no local path: the letterhead prints no logo
        return None


def _numbered_canvas(font, page_label):
    """A canvas that knows the page count: each page is kept until save, then stamped "第 x 页 / 共 y 页"."""

    class NumberedCanvas(rl_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            kwargs["initialFontName"] = font  # no Helvetica, which would not be embedded
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                w, _h = self._pagesize
                self.setFont(font, 8)
                self.setFillColor(colors.HexColor("#2c3e50"))
                self.drawRightString(w - 15 * mm, 8 * mm, page_label(self._pageNumber, total))
                super().showPage()
            super().save()

    return NumberedCanvas


def build_pdf(story, *, title: str, subtitle: str = "", pagesize=A4, letterhead=True) -> bytes:
    """Render flowables to PDF bytes: the company header (name, credit code, address, phone, bank, logo) on every
    page, the document title and number at the top right, the print time and "page x of y" at the foot."""
    from .models import CompanyProfile  # the kernel's own model; imported late so that pdf.py loads without apps

    font = register_fonts()
    buf = io.BytesIO()
    printed = field(_("Printed"), timezone.localtime().strftime("%Y-%m-%d %H:%M"))
    profile = CompanyProfile.current() if letterhead else None
    details = company_lines(profile) if profile else []
    logo = _logo_path(profile) if profile else None
    header_h = (8 + 4 * len(details)) * mm if profile and (profile.name or details) else 10 * mm

    def on_page(canvas, doc):
        canvas.saveState()
        w, h = pagesize
        top = h - 10 * mm
        x = 15 * mm
        if logo:
            try:
                canvas.drawImage(logo, x, top - 11 * mm, width=14 * mm, height=14 * mm, preserveAspectRatio=True,
                                 mask="auto")
                x += 17 * mm
            except OSError:
                log.warning("company logo %s could not be drawn", logo)
        canvas.setFillColor(colors.HexColor("#2c3e50"))
        if profile and profile.name:
            canvas.setFont(font, 12)
            canvas.drawString(x, top, profile.name)
        canvas.setFont(font, 7.5)
        for i, line in enumerate(details):
            canvas.drawString(x, top - (5 + 3.6 * i) * mm, line)
        canvas.setFont(font, 9)
        canvas.drawRightString(w - 15 * mm, top, str(title))
        if subtitle:
            canvas.drawRightString(w - 15 * mm, top - 4.5 * mm, str(subtitle))
        canvas.setStrokeColor(colors.HexColor("#b8c2cc"))
        line_y = top - header_h + 2 * mm
        canvas.line(15 * mm, line_y, w - 15 * mm, line_y)
        canvas.setFont(font, 8)
        canvas.drawString(15 * mm, 8 * mm, printed)
        canvas.restoreState()

    def page_label(n, total):
        return _("Page %(page)s of %(pages)s") % {"page": n, "pages": total}

    doc = SimpleDocTemplate(buf, pagesize=pagesize, title=str(title), author=(profile.name if profile else ""),
                            leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm + header_h,
                            bottomMargin=15 * mm)
    doc.build(list(story), onFirstPage=on_page, onLaterPages=on_page,
              canvasmaker=_numbered_canvas(font, page_label))
    return buf.getvalue()


__all__ = ["CJK_FONT", "Image", "Paragraph", "Spacer", "Table", "amount_in_words_table", "build_pdf", "escape",
           "field", "font_embedded", "money_text", "price_text", "signature_block", "styles", "table_style", "mm"]
