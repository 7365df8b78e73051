"""Governance middleware (listed in settings right after AxesMiddleware).

- `SecurityLogMiddleware`: every 403 answer goes to the security log (permission denied).
"""

from .models import SecurityEvent
from .services import log_event


class SecurityLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            match = getattr(request, "resolver_match", None)
            log_event(SecurityEvent.Kind.PERMISSION_DENIED, request=request,
                      view=match.view_name if match else "", method=request.method)
        return response
