"""Records slow requests (slower than settings.SLOW_REQUEST_MS, 2000 ms by default) and server errors,
with their path, time and user, for the IT status page. Never breaks a response."""

import logging
import time

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError

log = logging.getLogger(__name__)
SKIP_PREFIXES = ("/static/", "/media/", "/healthz")


def threshold_ms() -> int:
    """settings.SLOW_REQUEST_MS, else 2000 ms (60 s in unit tests, so that a busy test machine does not add
    writes to the query counts that other tests guard)."""
    return int(getattr(settings, "SLOW_REQUEST_MS", 60_000 if settings.TESTING else 2000))


def _record(request, kind, duration_ms, status_code=None, detail=""):
    from .models import RequestRecord

    try:
        user = getattr(request, "user", None)
        RequestRecord.objects.create(kind=kind, method=request.method[:10], path=request.get_full_path()[:500],
                                     status_code=status_code, duration_ms=int(duration_ms),
                                     user=user if user is not None and user.is_authenticated else None,
                                     detail=detail[:300])
    except Exception:  # recording must never turn a served page into an error
        log.exception("could not record a %s request", kind)


class RequestMonitorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(SKIP_PREFIXES):
            return self.get_response(request)
        start = time.monotonic()
        request._support_start = start
        response = self.get_response(request)
        duration = (time.monotonic() - start) * 1000
        if response.status_code >= 500 and not getattr(request, "_support_error_recorded", False):
            _record(request, "error", duration, response.status_code)
        elif duration >= threshold_ms():
            _record(request, "slow", duration, response.status_code)
        return response

    def process_exception(self, request, exception):
        if status_for(exception) < 500:  # answered 403/404/400 by Django: not a server error (slow is seen above)
            return
        start = getattr(request, "_support_start", time.monotonic())
        request._support_error_recorded = True
        _record(request, "error", (time.monotonic() - start) * 1000, 500,
                f"{type(exception).__name__}: {exception}")


def status_for(exception) -> int:
    """The status Django answers for an exception raised by a view (as django.core.handlers.exception does)."""
    if isinstance(exception, Http404):
        return 404
    if isinstance(exception, PermissionDenied):
        return 403
    if isinstance(exception, (BadRequest, SuspiciousOperation, MultiPartParserError, RequestDataTooBig)):
        return 400
    return 500
