"""The completion certificate: A4 landscape, bilingual, with a verification code and QR code."""

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Spacer

from hardware_erp.core import pdf


def _qr(url: str, size: float):
    widget = QrCodeWidget(url)
    x0, y0, x1, y1 = widget.getBounds()
    d = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0],
                initialFontName=pdf.register_fonts())  # the renderer's default would be Helvetica, not embedded
    d.add(widget)
    return d


def _en(text: str) -> str:
    """Latin text in the embedded document font (Helvetica only when no TrueType font is installed: STSong-Light's
    Latin glyphs are spaced too widely for English lines)."""
    return f'<font name="{pdf.latin_font()}">{escape(text)}</font>'


def certificate_pdf(cert, request=None) -> bytes:
    base = pdf.styles()
    big = ParagraphStyle("big", parent=base["title"], fontSize=30, leading=38, spaceAfter=4)
    sub = ParagraphStyle("sub", parent=base["body"], fontSize=14, leading=20, alignment=1,
                         textColor=colors.HexColor("#4a5868"))
    name = ParagraphStyle("name", parent=base["title"], fontSize=26, leading=32, textColor=colors.HexColor("#1f6feb"))
    course = ParagraphStyle("course", parent=base["title"], fontSize=18, leading=24)
    small = ParagraphStyle("small", parent=base["small"], fontSize=9, leading=12, alignment=1)
    path = reverse("training:verify", args=[cert.code])
    url = request.build_absolute_uri(path) if request else path
    issued = timezone.localtime(cert.issued_at)
    score = f"，测验最高分 {_en(f'/ best quiz score {cert.score}%')}" if cert.score is not None else ""
    story = [
        Spacer(1, 18),
        pdf.Paragraph("结业证书", big),
        pdf.Paragraph(_en("Certificate of Completion"), sub),
        Spacer(1, 18),
        pdf.Paragraph("兹证明 " + _en("This certifies that"), sub),
        Spacer(1, 6),
        pdf.Paragraph(escape(cert.holder_name), name),
        pdf.Paragraph("已完成培训课程 " + _en("has completed the course"), sub),
        Spacer(1, 6),
        pdf.Paragraph(escape(cert.course_title_zh), course),
    ]
    if cert.course_title_en and cert.course_title_en != cert.course_title_zh:
        story.append(pdf.Paragraph(_en(cert.course_title_en), course))
    story += [
        pdf.Paragraph(f"第 {cert.course_version} 版 {_en(f'/ version {cert.course_version}')}{score}", sub),
        Spacer(1, 16),
    ]
    table = pdf.Table([[
        pdf.Paragraph(f"颁发日期 {_en('Issued')}<br/>{_en(f'{issued:%Y-%m-%d}')}", small),
        _qr(url, 80),
        pdf.Paragraph(f"验证码 {_en('Verification code')}<br/>{_en(cert.code)}<br/>{_en(url)}", small),
    ]], colWidths=[200, 110, 260])
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (1, 0), (1, 0), "CENTER")])
    story.append(table)
    return pdf.build_pdf(story, title="结业证书 Certificate", subtitle=cert.code, pagesize=landscape(A4))
