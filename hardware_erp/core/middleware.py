"""Input guard: one place where every query and form parameter of every view is made safe to use.

- A request whose ``Content-Length`` is above ``REQUEST_MAX_BYTES`` is refused with 413 before its body is read
  (`BodySizeLimitMiddleware`, placed before anything that reads the body); nginx refuses it even earlier with
  ``client_max_body_size`` (docs/deployment.md).

- A NUL character (``\\x00``) in a parameter name or value answers 400 with a readable page: no browser
  sends one from a form, PostgreSQL cannot store or compare it, and searching with it would fail deep inside
  a query.
- A number typed with full-width digits (``１２３``, ``１３８００１３８０００``, ``－５．５``: what a Chinese input
  method produces in full-width mode), with the digits of another script or with superscript or circled digits
  (``²``, ``①``, which ``str.isdigit()`` accepts and ``int()`` does not) becomes ASCII before any form, filter
  or view sees it, so quantities, prices, phone numbers and ids behave the same however they were typed.
  Only values that consist of digits and number punctuation are touched; text such as ``张三五金（上海）`` stays
  as it was entered.
"""

import unicodedata

from django.conf import settings
from django.http import JsonResponse, QueryDict
from django.utils.translation import gettext as _

from .views import bad_request

# signs, decimal and grouping marks, brackets and spaces of numbers, in their ASCII and full-width forms
NUMBER_PUNCTUATION = frozenset(" \u3000+-−．.,，、/()（）＋－＃#")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def ascii_number(value: str) -> str:
    """``value`` with digits of any script (full-width, superscript and circled ones included) and full-width
    number punctuation in ASCII, when the value is a number (an amount, a quantity, a phone number, an id);
    otherwise unchanged. Afterwards ``str.isdigit()`` of a value means ``int()`` can read it."""
    if value.isascii() or not any(ch.isdigit() for ch in value) or \
            not all(ch.isdigit() or ch in NUMBER_PUNCTUATION for ch in value):
        return value
    out = []
    for ch in value:
        if ch.isascii():
            out.append(ch)
        elif ch.isdigit():
            out.append(str(unicodedata.digit(ch)))
        else:
            out.append({"−": "-", "、": ","}.get(ch) or unicodedata.normalize("NFKC", ch))
    return "".join(out)


def _has_nul(params: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in params.lists())


def _normalised(params: QueryDict) -> QueryDict | None:
    """A copy of ``params`` with number-like values in ASCII, or None when nothing changes."""
    changed = False
    copy = params.copy()
    for key, values in params.lists():
        new = [ascii_number(v) if isinstance(v, str) else v for v in values]
        if new != values:
            copy.setlist(key, new)
            changed = True
    if not changed:
        return None
    copy._mutable = False
    return copy


JSON_PREFIXES = ("/api/",)  # paths whose callers read JSON, not pages


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        has_form = request.method == "POST" and request.content_type in FORM_TYPES
        if _has_nul(request.GET) or (has_form and _has_nul(request.POST)):
            reason = _("The request contained a character that is not allowed (a NUL byte). Remove it and try again.")
            if request.path.startswith(JSON_PREFIXES):  # the API answers in its own error format (docs/api.md)
                return JsonResponse({"detail": str(reason), "code": "nul_byte"}, status=400)
            return bad_request(request, reason=reason)
        if request.GET:
            normalised = _normalised(request.GET)
            if normalised is not None:
                request.GET = normalised
        if has_form:
            normalised = _normalised(request.POST)
            if normalised is not None:
                request.POST = normalised
        return self.get_response(request)


class BodySizeLimitMiddleware:
    """Refuses a request body larger than ``settings.REQUEST_MAX_BYTES`` by its Content-Length, unread."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            response = bad_request(request, reason=_(
                "The request is too large (%(size)s MB; at most %(limit)s MB). Send fewer or smaller files.") % {
                "size": round(length / 1048576, 1), "limit": round(settings.REQUEST_MAX_BYTES / 1048576, 1)})
            response.status_code = 413
            response["Connection"] = "close"
            return response
        return self.get_response(request)
