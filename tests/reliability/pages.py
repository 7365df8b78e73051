"""Reads the forms of a rendered page (stdlib HTMLParser): where each posts to, its fields, and a value for each
field that a person could plausibly have entered, so that a hostile value in one field meets valid values in the
others and reaches the service behind the form."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.utils import timezone


@dataclass
class Field:
    name: str
    kind: str  # input type ("text", "number", "hidden", "checkbox", ...), "select" or "textarea"
    value: str = ""
    options: list = field(default_factory=list)
    checked: bool = False
    url: str = ""  # a searchable picker's lookup URL (data-url): it loads the options the page does not render
    numeric: bool = False  # a text input for a number (inputmode decimal or numeric)


@dataclass
class Form:
    method: str
    action: str
    multipart: bool
    fields: list = field(default_factory=list)

    def names(self, *, kinds=None, exclude=()) -> list[str]:
        seen = []
        for f in self.fields:
            if f.name in seen or f.name in exclude or (kinds is not None and f.kind not in kinds):
                continue
            seen.append(f.name)
        return seen


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form = None
        self._select = None
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = Form(method=a.get("method", "get").lower(), action=a.get("action", ""),
                              multipart="multipart" in a.get("enctype", ""))
            self.forms.append(self._form)
            return
        if self._form is None or not a.get("name") or "disabled" in a:
            if tag == "option" and self._select is not None:
                self._option_start(a)
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            self._form.fields.append(Field(a["name"], kind, a.get("value", "on" if kind == "checkbox" else ""),
                                           checked="checked" in a,
                                           numeric=a.get("inputmode") in ("decimal", "numeric")))
        elif tag == "select":
            self._select = Field(a["name"], "select", url=a.get("data-url", ""))
            self._form.fields.append(self._select)
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea")
            self._form.fields.append(self._textarea)

    def _option_start(self, a):
        self._option = [a.get("value"), "", "selected" in a]
        self._select.options.append(self._option)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        elif self._option is not None:
            self._option[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def _plausible(f: Field) -> str:
    """A value a person could have typed into an empty field of this kind."""
    name = f.name.lower()
    now = timezone.localtime()
    if f.kind == "number" or f.numeric or any(w in name for w in ("quantity", "qty", "amount", "price", "count",
                                                                  "hours", "score", "rating", "days", "minutes")):
        return "1"
    if f.kind == "date" or name.endswith("date") or name.endswith("_on") or name in ("start", "end", "due"):
        return now.date().isoformat()
    if f.kind == "datetime-local" or name.endswith("_at"):
        return now.strftime("%Y-%m-%dT%H:%M")
    if f.kind == "time":
        return "10:00"
    if f.kind == "email" or "email" in name:
        return "walker@example.com"
    if f.kind == "tel" or "phone" in name or "mobile" in name:
        return "13800138000"
    if f.kind == "url":
        return "https://example.com/"
    if f.kind == "color":
        return "#336699"
    return "walker"


def baseline(form: Form) -> dict:
    """Field name -> value (a list where several are sent) as a person filling the form in would send it."""
    data: dict = {}
    for f in form.fields:
        if f.kind == "file":
            continue
        if f.kind in ("checkbox", "radio"):
            if f.checked:
                data.setdefault(f.name, []).append(f.value)
            elif f.kind == "radio" and f.name not in data:
                data[f.name] = [f.value]
            continue
        if f.kind == "select":
            chosen = [o[0] if o[0] is not None else o[1].strip() for o in f.options if o[2]]
            if not chosen:
                chosen = [o[0] for o in f.options if o[0]][:1]
            data[f.name] = chosen[:1] if chosen else [""]
            continue
        data[f.name] = [f.value if f.value.strip() or f.kind == "hidden" else _plausible(f)]
    # a radio group with one checked button keeps only that one
    return {k: v[-1:] if len(v) > 1 and k in {f.name for f in form.fields if f.kind == "radio"} else v
            for k, v in data.items()}
