"""The Content-Security-Policy forbids inline scripts, event-handler attributes, `javascript:` URLs and eval. The
browser test (tests/e2e/test_csp.py) opens the key pages; this one reads every template and every script of the
project, so that a page the browser does not open cannot slip one in either. htmx's `hx-on` attributes and
`hx-trigger` filters (`click[ctrlKey]`) are evaluated with `Function`, which the policy refuses."""

import re
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
SKIP = ("/.venv/", "/node_modules/", "/vendor/", "/var/", "/staticfiles/", "/htmlcov/", "/tests/")
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=[\"']?application/(?:ld\+)?json)[^>]*>", re.I)
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["'{]""", re.I)
JS_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)
HX_ON = re.compile(r"\bhx-on\b|\bhx-on[:-]|\bdata-hx-on\b", re.I)
HX_TRIGGER = re.compile(r"""hx-trigger\s*=\s*(["'])(.*?)\1""", re.I | re.S)
EVAL = re.compile(r"""\beval\s*\(|\bnew\s+Function\s*\(|set(?:Timeout|Interval)\s*\(\s*["'`]|setAttribute\(\s*["']on""")


def _files(*suffixes):
    for path in BASE.rglob("*"):
        if path.suffix in suffixes and path.is_file() and not any(s in f"/{path.relative_to(BASE)}" for s in SKIP):
            yield path


def _where(path, text, match):
    return f"{path.relative_to(BASE)}:{text.count(chr(10), 0, match.start()) + 1}: {match.group(0)[:80]!r}"


def test_templates_have_no_inline_script_handler_or_eval_attribute():
    found, seen = [], 0
    for path in _files(".html"):
        seen += 1
        text = path.read_text(errors="replace")
        for pattern in (INLINE_SCRIPT, HANDLER, JS_URL, HX_ON):
            found += [_where(path, text, m) for m in pattern.finditer(text)]
        for m in HX_TRIGGER.finditer(text):
            # a filter follows the event name directly (`keyup[key=='Enter']`); `from:input[type=search]` is a selector
            if any(re.match(r"[\w.:-]+\[", spec.strip()) for spec in m.group(2).split(",")):
                found.append(_where(path, text, m))
    assert seen > 100
    assert not found, "\n".join(found)


def test_scripts_do_not_eval():
    found, seen = [], 0
    for path in _files(".js"):
        seen += 1
        text = path.read_text(errors="replace")
        found += [_where(path, text, m) for m in EVAL.finditer(text)]
        found += [_where(path, text, m) for m in HX_ON.finditer(text)]
    assert seen >= 10
    assert not found, "\n".join(found)


def test_the_patterns_catch_what_they_are_for():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>") and not INLINE_SCRIPT.search('<script src="/a.js">')
    assert not INLINE_SCRIPT.search('<script id="d" type="application/json">{}</script>')
    assert HANDLER.search('<button onclick="x()">') and not HANDLER.search('<button data-on="x">')
    assert JS_URL.search('<a href="javascript:void(0)">') and HX_ON.search('<div hx-on:click="x()">')
    assert EVAL.search("setTimeout('go()', 5)") and not EVAL.search("setTimeout(go, 5)")
