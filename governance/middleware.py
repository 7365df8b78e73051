"""Governance middleware (listed in settings after AxesMiddleware).

- `SecurityLogMiddleware`: every 403 answer goes to the security log (permission denied).
- `AccountGateMiddleware`: for signed-in users, keeps the session's row of "My sessions" fresh and lets nothing
  through but the gate pages until the user has passed two-factor sign-in (when they have a device, or must have
  one) and accepted the current confidentiality agreement. Signing out, the gate pages themselves, the language
  switch, static files and the health check stay open.
"""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import accounts
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


OTP_OPEN = ("logout", "core:set_language", "account:otp_verify", "account:otp_setup", "healthz")
AGREEMENT_OPEN = (*OTP_OPEN, "account:agreement")


class AccountGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open = None

    def open_paths(self):
        if self._open is None:
            self._open = ({reverse(name) for name in OTP_OPEN}, {reverse(name) for name in AGREEMENT_OPEN})
        return self._open

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path_info.startswith("/" + settings.STATIC_URL):
            return self.get_response(request)
        accounts.track_session(request)
        otp_open, agreement_open = self.open_paths()
        state = accounts.otp_state(request)
        if state != "ok" and request.path_info not in otp_open:
            return self.gate(request, "account:otp_verify" if state == "verify" else "account:otp_setup")
        if request.path_info not in agreement_open and accounts.needs_agreement(request):
            return self.gate(request, "account:agreement")
        return self.get_response(request)

    @staticmethod
    def gate(request, url_name):
        url = reverse(url_name)
        if request.method == "GET" and request.path_info != reverse("core:home"):
            url += "?" + urlencode({"next": request.get_full_path()})
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
