"""Stored text is never a finished sentence: it is a code and parameters, put into words when it is read, in the
reader's language (ARCHITECTURE, "Never store a sentence").

Two kinds of code:
- an event code an app defines for its ledger and timelines (`define("inventory.stocktake", _("Stocktake …"))` in
  `<app>/events.py`, imported by the kernel at start-up): stocked in `code` + `params` columns of the app's rows;
- a phrase: a translatable message and its parameters, as `lazy_format(_("Order %(n)s …"), n=…)` builds it for
  `notify()`. Its code is the message's msgid (the English source text, which is what the translation catalogue is
  looked up by) and, where the message has one, its context: `{"msgid": …, "context": …, "params": {…}}`.

Parameters are JSON: text and numbers as they are; a nested phrase (a status label, a translated kind) as a phrase
dict; money as `{"money": "1234.50"}` and quantities as `{"qty": "300.000"}`, formatted when read. A row written
before codes existed keeps its text and is shown as it is (`render(..., default=text)`).
"""

import datetime
import functools
import logging
import re
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext

log = logging.getLogger(__name__)

EVENTS: dict[str, Promise] = {}


def define(code: str, text) -> str:
    """Name an event's text (a lazy translation with %(name)s parameters); returns the code."""
    if code in EVENTS and str(EVENTS[code]) != str(text):
        raise ValueError(f"event code {code!r} is defined twice with different texts")
    EVENTS[code] = text
    return code


def money(value) -> dict:
    return {"money": str(value)}


def qty(value) -> dict:
    return {"qty": str(value)}


def describe(message):
    """A lazy translation (gettext_lazy / pgettext_lazy) as a phrase dict, or None when it is not one."""
    if not isinstance(message, Promise):
        return None
    if isinstance(message, Phrase):
        return message.as_json()
    try:
        func, args = message.__reduce__()[1][:2]
    except (AttributeError, IndexError, TypeError):
        return None
    if func is gettext and len(args) == 1:
        return {"msgid": args[0]}
    if func is pgettext and len(args) == 2:
        return {"context": args[0], "msgid": args[1]}
    return None


def param(value):
    """A parameter as JSON: phrases stay translatable, everything else becomes plain text or a number."""
    if isinstance(value, dict):
        return value
    if isinstance(value, Promise):
        found = describe(value)
        return found if found is not None else str(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class Phrase(Promise):
    """A translatable message with parameters, put into words when it is turned into text (in the language active
    then). `notify()` stores it as a phrase dict; `str()` renders it."""

    def __init__(self, message, params):
        self.message = message
        self.params = params

    def as_json(self) -> dict:
        found = describe(self.message) or {"text": str(self.message)}
        return {**found, "params": {k: param(v) for k, v in self.params.items()}}

    def __str__(self):
        return render_phrase(self.as_json())

    def __mod__(self, other):  # noqa: D105 - a Phrase is already formatted
        return str(self) % other

    def __add__(self, other):
        return str(self) + str(other)

    def __radd__(self, other):
        return str(other) + str(self)

    def __eq__(self, other):
        return str(self) == str(other)

    def __hash__(self):
        return hash(str(self))


def _render_param(value):
    if isinstance(value, dict):
        if "money" in value:
            from .templatetags.erp import cny

            return cny(value["money"])
        if "qty" in value:
            from .templatetags.erp import qty as fmt_qty

            return fmt_qty(value["qty"])
        if "code" in value:
            return render(value["code"], value.get("params"))
        if "msgid" in value or "text" in value:
            return render_phrase(value)
    if isinstance(value, list):
        return ", ".join(str(_render_param(v)) for v in value)
    return value


def _fill(text: str, params) -> str:
    if not params:
        return text
    try:
        return text % {k: _render_param(v) for k, v in params.items()}
    except (KeyError, TypeError, ValueError):
        log.warning("text %r does not take the parameters %r", text, sorted(params))
        return text


def render_phrase(phrase: dict | None, default: str = "") -> str:
    """A phrase dict in the active language."""
    if not phrase:
        return default
    if "msgid" in phrase:
        text = pgettext(phrase["context"], phrase["msgid"]) if phrase.get("context") else gettext(phrase["msgid"])
    elif "text" in phrase:
        text = phrase["text"]
    else:
        return default
    return _fill(text, phrase.get("params"))


def render(code: str, params=None, default: str = "") -> str:
    """An event code and its parameters in the active language; `default` (a legacy text) when the code is empty
    or unknown."""
    text = EVENTS.get(code) if code else None
    if text is None:
        return default
    return _fill(str(text), params)


# --- reading old text back into phrases (data migrations of rows stored as sentences) -----------------------------

_PLACEHOLDER = re.compile(r"%\((\w+)\)([-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa])|%%")


def _pattern(template: str):
    """A regular expression that matches the text `template` renders to, with a group per parameter."""
    parts, pos, names, kinds = [], 0, set(), {}
    for m in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[pos:m.start()]))
        pos = m.end()
        if m.group(0) == "%%":
            parts.append("%")
            continue
        name = m.group(1)
        if name in names:
            parts.append(f"(?P={name})")
        else:
            names.add(name)
            parts.append(f"(?P<{name}>.+?)")
            kinds[name] = m.group(2)[-1]
    parts.append(re.escape(template[pos:]))
    return re.compile("".join(parts), re.DOTALL), kinds


def _typed(value: str, kind: str):
    try:
        if kind in "diu":
            return int(value.replace(",", ""))
        if kind in "eEfFgG":
            return float(value.replace(",", ""))
    except ValueError:
        return None
    return value


@functools.cache
def _catalogue(languages: tuple[str, ...]):
    """Every message of the translation catalogues: exact texts and patterns of texts with parameters, each with
    the phrase it comes from (msgid and context), in English and in each language's translation."""
    from django.utils.translation import trans_real

    exact, patterns = {}, []
    for lang in languages:
        catalog = trans_real.translation(lang)._catalog
        for key, msgstr in catalog.items():
            if not isinstance(key, str) or not key:
                continue  # plural forms, the header
            context, _sep, msgid = key.rpartition("\x04")
            phrase = {"msgid": msgid, **({"context": context} if context else {})}
            for text in (msgid, msgstr):
                if not text:
                    continue
                if _PLACEHOLDER.search(text) is None:
                    exact.setdefault(text, phrase)
                elif "%(" in text:
                    literal = len(re.sub(r"\s", "", _PLACEHOLDER.sub("", text)))
                    if literal < 3:
                        continue  # "%(a)s %(b)s" would read any text as itself
                    pattern, kinds = _pattern(text)
                    patterns.append((literal, pattern, kinds, phrase))
    patterns.sort(key=lambda p: -p[0])  # the most specific text first
    return exact, patterns


def parse_text(text: str, languages=("zh-hans",)) -> dict | None:
    """The phrase a stored sentence was rendered from, found in the catalogues (English source or its
    translation), or None. Parameters come back as text (numbers as numbers where the message says so)."""
    text = (text or "").strip()
    if not text:
        return None
    exact, patterns = _catalogue(tuple(languages))
    if text in exact:
        return dict(exact[text])
    for _literal, pattern, kinds, phrase in patterns:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        params = {k: _typed(v, kinds.get(k, "s")) for k, v in m.groupdict().items()}
        if any(v is None for v in params.values()):
            continue
        return {**phrase, "params": params}
    return None


def event_from_text(text: str, codes: dict[str, str] | None = None) -> tuple[str, dict] | None:
    """(code, params) of an event code whose text a stored sentence was rendered from, or None."""
    phrase = parse_text(text)
    if phrase is None:
        return None
    for code, template in (codes or EVENTS).items():
        if describe(template) == {k: v for k, v in phrase.items() if k != "params"}:
            return code, phrase.get("params", {})
    return None
