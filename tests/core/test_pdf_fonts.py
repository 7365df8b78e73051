"""No PDF names a font it does not embed: the kernel's document font is a TrueType file (fonts-wqy-microhei,
installed by .ci/run) and every module that draws text in a PDF uses it, Latin text included.

The PDFs themselves are checked with pdffonts where each kind is printed: the sales documents in
tests/orders/test_documents.py (zh-hans and en), labels of every size at 203 and 300 dpi in
tests/inventory/test_labels.py, the variance report in tests/inventory/test_stocktake.py, the scorecard in
tests/performance/test_views.py and the certificate in tests/training/test_views.py."""

import re
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from hardware_erp.core import pdf
from tests.pdffonts import assert_all_embedded, unembedded

ROOT = Path(__file__).resolve().parents[2]
BUILT_IN = re.compile(r"""["'](Helvetica|Times-Roman|Times|Courier|Symbol|ZapfDingbats|STSong-Light)[-"']""")


def _font_file_present():
    return any(Path(p).is_file() for p in pdf.FONT_FILES)


def test_no_module_draws_with_a_built_in_font():
    """A built-in font name in app code would not be embedded; only the kernel's fallback (no TrueType file
    installed) may name one."""
    offenders = []
    apps = [d for d in ROOT.iterdir() if d.is_dir() and not d.is_symlink() and not d.name.startswith(".")
            and d.name not in {"tests", "bench", "node_modules", "var", "static", "locale", "docs"}]
    for path in (p for app in apps for p in app.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel == Path("hardware_erp/core/pdf.py"):
            continue
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if BUILT_IN.search(line):
                offenders.append(f"{rel}:{no}: {line.strip()}")
    assert not offenders, offenders


def test_the_kernel_font_embeds_latin_and_chinese(tmp_path):
    if not _font_file_present():
        pytest.skip("fonts-wqy-microhei is not installed (.ci/run installs it)")
    assert pdf.latin_font() == pdf.register_fonts() == pdf.EMBEDDED_FONT
    path = tmp_path / "x.pdf"
    c = canvas.Canvas(str(path), initialFontName=pdf.register_fonts())
    c.setFont(pdf.latin_font(), 9)
    c.drawString(10, 10, "SKU GB5782-M8X30 六角头螺栓")
    c.save()
    assert_all_embedded(path.read_bytes(), "kernel font")


def test_the_checker_sees_an_unembedded_font(tmp_path):
    path = tmp_path / "h.pdf"
    c = canvas.Canvas(str(path))
    c.drawString(10, 10, "plain Helvetica")
    c.save()
    assert unembedded(path.read_bytes()) == ["Helvetica (Type 1)"]
