"""Label layout: sizes, text that fits by measurement, and a barcode that decodes at the printer's resolution.

A label is drawn on a reportlab canvas inside a box (one label per page on thermal rolls, a cell of an A4 sheet).

- **Text** is measured with reportlab's `stringWidth`: it is wrapped to two lines, then shrunk step by step to a
  minimum readable size (6 pt), and only then cut with an ellipsis. Codes (SKU, barcode text, bin code) are never
  cut: they wrap at `-`/`/` (or anywhere) onto a further line instead.
- **Barcodes** are drawn as vector bars whose module (narrowest bar) is a whole number of printer dots, at least
  0.25 mm (2 dots at 203 dpi, 3 at 300 dpi), placed on the dot grid. Code 128 (EAN-13 for a product's EAN) when
  the whole symbol with its quiet zones fits the label's width at that module; otherwise a QR code, whose
  modules are equally whole dots. The code encodes exactly the text printed with it.
"""

import math
import re
from dataclasses import dataclass

import qrcode
from django.db import models
from django.utils.translation import gettext_lazy as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from hardware_erp.core import pdf as core_pdf

MIN_TEXT_PT = 6.0  # the smallest size printed (a thermal printer's 6 pt is still legible at 203 dpi)
MIN_MODULE_MM = 0.25  # the narrowest bar / QR module a handheld scanner reads reliably
MAX_MODULE_MM = 0.5
LEADING = 1.15
ELLIPSIS = "…"


class LabelSize(models.TextChoices):
    A4_3X8 = "a4-3x8", _("A4 sheet, 3 × 8 labels of 70 × 37 mm")
    T50X30 = "50x30", _("Thermal label 50 × 30 mm")
    T60X40 = "60x40", _("Thermal label 60 × 40 mm")
    T40X30 = "40x30", _("Thermal label 40 × 30 mm")


class PrinterDpi(models.IntegerChoices):
    DPI203 = 203, _("203 dpi (8 dots/mm)")
    DPI300 = 300, _("300 dpi (12 dots/mm)")


@dataclass(frozen=True)
class Sheet:
    """Label `w` × `h` (points), `cols` × `rows` per page (1 × 1: a thermal roll, the page is the label)."""

    w: float
    h: float
    cols: int = 1
    rows: int = 1
    pad: float = 1.5 * mm

    @property
    def page(self):
        from reportlab.lib.pagesizes import A4

        return A4 if self.cols * self.rows > 1 else (self.w, self.h)


SHEETS = {
    LabelSize.A4_3X8: Sheet(70 * mm, 37.125 * mm, 3, 8, pad=3 * mm),
    LabelSize.T50X30: Sheet(50 * mm, 30 * mm),
    LabelSize.T60X40: Sheet(60 * mm, 40 * mm, pad=2 * mm),
    LabelSize.T40X30: Sheet(40 * mm, 30 * mm),
}
# an A4 sheet goes through an office laser printer (600 dpi): drawn on the 300 dpi grid, which it prints exactly
DEFAULT_DPI = {LabelSize.A4_3X8: 300}


def parse_choice(size, dpi):
    """The (size, dpi) asked for on the label page, with the defaults for anything else."""
    size = size if size in LabelSize.values else LabelSize.A4_3X8
    try:
        dpi = int(dpi)
    except (TypeError, ValueError):
        dpi = 0
    if dpi not in PrinterDpi.values:
        dpi = DEFAULT_DPI.get(size, PrinterDpi.DPI203)
    return LabelSize(size), dpi


# --- text ------------------------------------------------------------------------------------------------------

_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
# break opportunities: a space, after - or /, before and after each CJK character
_TOKENS = re.compile(rf"\s+|[{_CJK}]|[^\s{_CJK}]+?(?:[-/]|(?=[\s{_CJK}])|$)")


@dataclass
class Fitted:
    lines: list
    font: str
    size: float

    @property
    def height(self) -> float:
        return len(self.lines) * self.size * LEADING


def _wrap(text, font, size, width, *, hard=True) -> list[str] | None:
    """Greedy wrap at the break opportunities; a token wider than the line is broken anywhere when `hard`,
    else None (the caller tries a smaller size first)."""
    def w(s):
        return stringWidth(s, font, size)

    lines, cur = [], ""
    for token in _TOKENS.findall(text):
        if w((cur + token).rstrip()) <= width:
            cur += token
            continue
        if cur.strip():
            lines.append(cur.rstrip())
        cur = token.lstrip()
        if not hard and w(cur) > width:
            return None
        while cur and w(cur) > width:  # a token wider than the line (a long code): break it where it must
            k = max(1, max((i for i in range(1, len(cur) + 1) if w(cur[:i]) <= width), default=1))
            lines.append(cur[:k])
            cur = cur[k:]
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


def fit_text(text, font, width, *, max_size, min_size=MIN_TEXT_PT, max_lines=2, height=None,
             ellipsis=True) -> Fitted:
    """`text` in at most `max_lines` lines of `width` (and `height` if given): the largest size from `max_size`
    down to `min_size` in half points at which it fits; at the minimum size the last line ends in "…" — unless
    `ellipsis` is False (a code must be printed whole), when it takes the lines it needs."""
    text = " ".join(str(text or "").split())
    if not text:
        return Fitted([], font, max_size)
    for hard in (False, True):  # breaking inside a word (a bin code's part) only when no size avoids it
        size = max_size
        while size >= min_size:
            lines = _wrap(text, font, size, width, hard=hard)
            if lines is not None and len(lines) <= max_lines and (
                    height is None or len(lines) * size * LEADING <= height + 0.01):
                return Fitted(lines, font, size)
            size -= 0.5
    size = min_size
    lines = _wrap(text, font, size, width)
    if not ellipsis:
        return Fitted(lines, font, size)
    if height is not None:
        max_lines = max(1, min(max_lines, int((height + 0.01) // (size * LEADING))))
    kept = lines[:max_lines]
    last = kept[-1]
    while last and stringWidth(last + ELLIPSIS, font, size) > width:
        last = last[:-1]
    kept[-1] = last.rstrip() + ELLIPSIS
    return Fitted(kept, font, size)


def draw_text(c, fitted: Fitted, x, top, width=None, *, align="left", bold=False) -> float:
    """Draw the lines from `top` down; returns the y under the block. `bold` strokes the glyphs' outline as well
    (the embedded font has one weight); the outline adds a few hundredths of a point to the measured width."""
    y = top
    c.saveState()
    c.setLineWidth(fitted.size * 0.04)
    for line in fitted.lines:
        y -= fitted.size * LEADING
        baseline = y + fitted.size * (LEADING - 1) / 2 + fitted.size * 0.2
        left = x + (width - stringWidth(line, fitted.font, fitted.size)) / 2 if align == "center" else x
        text = c.beginText(left, baseline)
        text.setFont(fitted.font, fitted.size)
        text.setTextRenderMode(2 if bold else 0)
        text.textOut(line)
        c.drawText(text)
    c.restoreState()
    return y


# --- barcodes --------------------------------------------------------------------------------------------------

@dataclass
class Code:
    """A barcode planned for a box: `symbology` (ean13, code128, qr), the value it encodes, `module` (points, a
    whole number of printer dots), its drawn `width` including quiet zones, and for QR the module matrix."""

    symbology: str
    value: str
    module: float
    dots: int
    width: float
    matrix: list | None = None

    @property
    def linear(self) -> bool:
        return self.symbology != "qr"


def _dot(dpi) -> float:
    return 72.0 / dpi


def snap(value, dpi) -> float:
    """A coordinate on the printer's dot grid, so that every bar is a whole number of dots."""
    return round(value / _dot(dpi)) * _dot(dpi)


def _dots_range(dpi, max_mm=MAX_MODULE_MM):
    dot_mm = 25.4 / dpi
    low = math.ceil(MIN_MODULE_MM / dot_mm - 1e-9)
    high = max(low, math.floor(max_mm / dot_mm + 1e-9))
    return range(high, low - 1, -1)


def _linear_modules(value, symbology) -> tuple[int, int]:
    """(modules of the symbol, modules of one quiet zone)."""
    if symbology == "ean13":
        return 95, 11
    drawing = createBarcodeDrawing("Code128Auto", value=value, barWidth=1, barHeight=1, quiet=0, humanReadable=0)
    return round(drawing.width), 10


def plan_code(value, width, dpi, *, ean13=False) -> Code | None:
    """Code 128 (EAN-13 when `ean13`) at the widest whole-dot module that fits `width` with its quiet zones;
    None when it does not fit at the minimum module: the caller then lays the label out for a QR code."""
    symbology = "ean13" if ean13 else "code128"
    modules, quiet = _linear_modules(value, symbology)
    for dots in _dots_range(dpi):
        module = dots * _dot(dpi)
        if (modules + 2 * quiet) * module <= width:
            return Code(symbology, value, module, dots, (modules + 2 * quiet) * module)
    return None


def plan_qr(value, side, dpi) -> Code:
    """A QR code (error correction M, 2-module quiet zone) with the largest whole-dot module that fits `side`."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(value)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix) + 4
    candidates = [d for d in _dots_range(dpi, max_mm=1.0) if n * d * _dot(dpi) <= side]
    dots = candidates[0] if candidates else _dots_range(dpi)[-1]
    module = dots * _dot(dpi)
    return Code("qr", value, module, dots, n * module, matrix)


def draw_code(c, code: Code, x, y, height, dpi):
    """Draw `code` with its lower-left corner (quiet zone included) at (x, y); linear codes `height` tall."""
    x, y = snap(x, dpi), snap(y, dpi)
    c.saveState()
    c.setFillGray(0)
    if code.linear:
        modules, quiet = _linear_modules(code.value, code.symbology)
        name = "EAN13" if code.symbology == "ean13" else "Code128Auto"
        drawing = createBarcodeDrawing(name, value=code.value, barWidth=code.module,
                                       barHeight=snap(height, dpi), quiet=0, humanReadable=0)
        drawing.initialFontName = core_pdf.register_fonts()  # the renderer's default font would be Helvetica
        renderPDF.draw(drawing, c, x + quiet * code.module, y)
    else:
        m = code.module
        size = len(code.matrix)
        for r, row in enumerate(code.matrix):
            col = 0
            while col < size:  # one rectangle per run of dark modules: no hairline seams between them
                if row[col]:
                    start = col
                    while col < size and row[col]:
                        col += 1
                    c.rect(x + (2 + start) * m, y + (size + 1 - r) * m, (col - start) * m, m, stroke=0, fill=1)
                else:
                    col += 1
    c.restoreState()


def remember_choice(request, size, dpi):
    """The label page offers the size and resolution printed last time first."""
    request.session["label_choice"] = [str(size), int(dpi)]


def choice_context(request) -> dict:
    # a page rendered outside a browser session (a background export asks the list page for its table) has none
    session = getattr(request, "session", None) or {}
    size, dpi = parse_choice(*(session.get("label_choice") or (None, None)))
    return {"label_sizes": LabelSize.choices, "label_dpis": PrinterDpi.choices, "label_size": str(size),
            "label_dpi": dpi}
