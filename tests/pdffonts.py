"""Every font of a PDF must be embedded (a font the viewer has to supply prints differently, or not at all).

`pdffonts` (poppler-utils, installed by .ci/run) lists each font with its `emb` column; the columns are read
by position from the dashed rule under the header, since font names may contain spaces."""

import subprocess
import tempfile
from pathlib import Path


def fonts(data: bytes) -> list[dict]:
    """Each font of the PDF `data`: {"name", "type", "emb"}."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(data)
        out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    header, rule, *rows = out.splitlines()
    spans, start = [], 0
    for part in rule.split(" "):
        spans.append((start, start + len(part)))
        start += len(part) + 1
    names = header.split()[:1] + ["type", "encoding", "emb", "sub", "uni", "object", "id"]
    found = []
    for row in rows:
        cells = {key: row[a:b].strip() for key, (a, b) in zip(names, spans, strict=False)}
        found.append({"name": cells["name"], "type": cells["type"], "emb": cells["emb"]})
    return found


def unembedded(data: bytes) -> list[str]:
    """The names of the fonts that are not embedded (empty when every font is)."""
    return [f"{f['name']} ({f['type']})" for f in fonts(data) if f["emb"] != "yes"]


def assert_all_embedded(data: bytes, what: str = "PDF"):
    listed = fonts(data)
    assert listed, f"{what}: no font at all (text drawn as paths would not be searchable)"
    assert not unembedded(data), f"{what}: fonts not embedded: {unembedded(data)}"
