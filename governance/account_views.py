"""The signed-in user's own account pages: the confidentiality agreement, two-factor sign-in, "My sessions".

Open to every signed-in user (no module permission); `AccountGateMiddleware` sends users here until they have
verified their second factor and accepted the current agreement.
"""

import base64

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.views import error_messages

from . import accounts
from .forms import AgreementForm, TokenForm
from .models import AgreementAcceptance, AgreementVersion, UserSession

WRONG_CODE = _("The code is wrong or has expired. Enter the code your authenticator app shows now.")
THROTTLED = _("Too many wrong codes: wait a few seconds, then enter the code your app shows now.")


def next_url(request, default="core:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # a path on this site only: redirect() would take a bare word for a URL name
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return reverse(default)


class AgreementView(LoginRequiredMixin, TemplateView):
    """The current confidentiality agreement in both languages; accepting it records user, version, time and IP."""

    template_name = "governance/agreement.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        version_id = accounts.current_agreement_id()
        version = AgreementVersion.objects.filter(pk=version_id).first() if version_id else None
        accepted = (AgreementAcceptance.objects.filter(user=self.request.user, version=version).first()
                    if version else None)
        lang = get_language() or "en"
        other = "en" if lang.startswith("zh") else "zh-hans"
        ctx.update(title=_("Confidentiality agreement"), version=version, accepted=accepted,
                   bare_page=version is not None and accepted is None,
                   title_here=version.title_in(lang) if version else "", body_here=version.body_in(lang) if version
                   else "", title_other=version.title_in(other) if version else "",
                   body_other=version.body_in(other) if version else "",
                   form=kwargs.get("form") or AgreementForm(initial={"version": version_id}),
                   next=self.request.GET.get("next", ""))
        return ctx

    def post(self, request):
        form = AgreementForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        version = AgreementVersion.objects.published().filter(pk=form.cleaned_data["version"]).first()
        try:
            if version is None:
                raise BusinessRuleError(_("A newer version of the agreement has been published; read it and "
                                          "accept that one."))
            accounts.accept_agreement(request.user, version, request=request)
        except BusinessRuleError as exc:
            error_messages(request, exc)
            return redirect(reverse("account:agreement") + (f"?next={request.POST['next']}"
                                                             if request.POST.get("next") else ""))
        messages.success(request, _("Thank you: your acceptance of version %(version)s is recorded.")
                         % {"version": version.version})
        return redirect(next_url(request))


class OTPVerifyView(LoginRequiredMixin, TemplateView):
    """The second step of signing in: the code of the user's authenticator app."""

    template_name = "governance/otp_verify.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and accounts.otp_state(request) != "verify":
            return redirect(next_url(request))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(title=_("Two-factor sign-in"), bare_page=True, form=kwargs.get("form") or TokenForm(),
                   next=self.request.GET.get("next", ""))
        return ctx

    def post(self, request):
        import django_otp

        form = TokenForm(request.POST)
        candidates = list(django_otp.devices_for_user(request.user))
        if form.is_valid() and not any(d.verify_is_allowed()[0] for d in candidates):
            form.add_error("token", THROTTLED)
        elif form.is_valid():
            device = None
            for candidate in candidates:
                device = django_otp.verify_token(request.user, candidate.persistent_id, form.cleaned_data["token"])
                if device is not None:
                    break
            if device is not None:
                accounts.otp_verified(request, device)
                return redirect(next_url(request))
            accounts.otp_failed(request)
            form.add_error("token", WRONG_CODE)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class OTPSetupView(LoginRequiredMixin, TemplateView):
    """Set up two-factor sign-in: scan the QR code, confirm with a code. Turning it off needs a code too, and is
    refused when the user's role requires it."""

    template_name = "governance/otp_setup.html"

    def get_device(self, confirmed):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        return TOTPDevice.objects.devices_for_user(self.request.user, confirmed=confirmed).order_by("pk").first()

    def get_context_data(self, **kwargs):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        ctx = super().get_context_data(**kwargs)
        device = self.get_device(confirmed=True)
        pending = None
        if device is None:
            pending = self.get_device(confirmed=False) or TOTPDevice.objects.create(
                user=self.request.user, name=str(_("Authenticator app")), confirmed=False)
            ctx["qr_svg"] = base64.b64encode(qr_svg(pending.config_url)).decode()
            ctx["secret"] = base64.b32encode(pending.bin_key).decode()
        ctx.update(title=_("Two-factor sign-in"), device=device, pending=pending,
                   required=accounts.otp_required(self.request.user),
                   bare_page=accounts.otp_state(self.request) != "ok",
                   form=kwargs.get("form") or TokenForm(), next=self.request.GET.get("next", ""))
        return ctx

    def post(self, request):
        form = TokenForm(request.POST)
        action = request.POST.get("action")
        device = self.get_device(confirmed=action == "disable")
        if device is None or action not in ("confirm", "disable"):
            return redirect("account:otp_setup")
        if action == "disable" and accounts.otp_required(request.user):
            messages.error(request, _("Your role requires two-factor sign-in; it cannot be turned off. If you lost "
                                      "your phone, ask IT to reset it."))
            return redirect("account:otp_setup")
        if form.is_valid() and not device.verify_is_allowed()[0]:
            form.add_error("token", THROTTLED)
        elif form.is_valid() and device.verify_token(form.cleaned_data["token"]):
            if action == "confirm":
                at_sign_in = accounts.otp_state(request) == "enrol"  # then go on into the system
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                accounts.otp_verified(request, device, enrolled=True)
                messages.success(request, _("Two-factor sign-in is on. From now on you sign in with your password "
                                            "and a code from the app."))
                return redirect(next_url(request, "core:home" if at_sign_in else "account:otp_setup"))
            accounts.otp_disabled(request, device)
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("account:otp_setup")
        elif form.is_valid():
            accounts.otp_failed(request)
            form.add_error("token", WRONG_CODE)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def qr_svg(data: str) -> bytes:
    import qrcode
    import qrcode.image.svg

    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    return img.to_string(encoding="utf-8")


class SessionListView(LoginRequiredMixin, TemplateView):
    """My sessions: where the user is signed in (browser, IP, last seen); end one or all the others."""

    template_name = "governance/sessions.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(title=_("My sessions"), sessions=accounts.user_sessions(self.request))
        return ctx

    def post(self, request):
        if request.POST.get("all"):
            n = accounts.end_sessions(request)
        else:
            key = UserSession.objects.filter(user=request.user, pk=request.POST.get("session") or 0) \
                .values_list("session_key", flat=True).first() if str(request.POST.get("session", "")).isdigit() \
                else None
            n = accounts.end_sessions(request, [key]) if key else 0
        if n:
            messages.success(request, ngettext("Signed out of %(n)d other session.",
                                               "Signed out of %(n)d other sessions.", n) % {"n": n})
        else:
            messages.info(request, _("No other session was signed in."))
        return redirect("account:sessions")
