"""The site's pages of the API app: My API tokens (everyone; IT sees and revokes all and makes integration
tokens), webhooks and group robots with their delivery log (IT)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from hardware_erp.core.views import ModuleMixin, ServiceActionView, ServiceFormView

from . import services
from .forms import SubscriptionForm, TokenForm
from .models import ApiToken, Delivery, Subscription

NEW_TOKEN_KEY = "api_new_token"  # noqa: S105 - a session key name; the secret waits in the session until the list page shows it, once
MANAGE = services.MANAGE_PERMISSION


def tokens_for(user):
    qs = ApiToken.objects.select_related("user", "created_by")
    return qs if user.has_perm(MANAGE) else qs.filter(user=user) | qs.filter(created_by=user)


class TokenListView(LoginRequiredMixin, TemplateView):
    template_name = "api/token_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(title=_("My API tokens"), tokens=tokens_for(user).distinct()[:200],
                   new_token=self.request.session.pop(NEW_TOKEN_KEY, None), manage=user.has_perm(MANAGE))
        return ctx


class TokenCreateView(ServiceFormView):
    form_class = TokenForm
    title = gettext_lazy("New API token")
    intro = gettext_lazy("The token is shown once, after saving: copy it then. Only a hash of it is kept.")
    success_url = reverse_lazy("integrations:token_list")
    cancel_url = reverse_lazy("integrations:token_list")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "may_manage": self.request.user.has_perm(MANAGE)}

    def perform(self, form):
        d = form.cleaned_data
        token, raw = services.create_token(
            name=d["name"], scopes=d["scopes"], actor=self.request.user, user=d.get("user"),
            kind=d.get("kind") or ApiToken.Kind.PERSONAL, expires_at=d["expires_on"],
            rate_per_minute=d["rate_per_minute"], request=self.request)
        self.request.session[NEW_TOKEN_KEY] = {"name": token.name, "secret": raw}
        return token


class TokenRevokeView(ServiceActionView):
    success_message = gettext_lazy("Token %(object)s revoked.")
    success_url = reverse_lazy("integrations:token_list")

    def get_object(self):
        return get_object_or_404(tokens_for(self.request.user).distinct(), pk=self.kwargs["pk"])

    def perform(self):
        return services.revoke_token(self.object, actor=self.request.user, request=self.request)

    def get_error_url(self):
        return str(self.success_url)


class SubscriptionListView(ModuleMixin, TemplateView):
    module = "governance"
    permission_required = MANAGE
    template_name = "api/subscription_list.html"
    title = gettext_lazy("Webhooks and group robots")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "subscriptions": Subscription.objects.all()}


class SubscriptionView(ModuleMixin, TemplateView):
    module = "governance"
    permission_required = MANAGE
    template_name = "api/subscription.html"

    def get_context_data(self, **kwargs):
        sub = get_object_or_404(Subscription, pk=self.kwargs["pk"])
        return {**super().get_context_data(**kwargs), "title": sub.name, "sub": sub,
                "deliveries": sub.deliveries.all()[:100]}


class SubscriptionCreateView(ServiceFormView):
    module = "governance"
    permission_required = MANAGE
    form_class = SubscriptionForm
    title = gettext_lazy("New webhook or group robot")
    success_message = gettext_lazy("%(object)s saved.")
    cancel_url = reverse_lazy("integrations:subscription_list")

    def perform(self, form):
        return services.save_subscription(actor=self.request.user, **form.cleaned_data)

    def get_success_url(self, result=None):
        return reverse("integrations:subscription", args=[result.pk])


class SubscriptionEditView(SubscriptionCreateView):
    title = gettext_lazy("Edit webhook or group robot")

    def get_object(self):
        return get_object_or_404(Subscription, pk=self.kwargs["pk"])

    def get_initial(self):
        sub = self.object
        return {"name": sub.name, "kind": sub.kind, "url": sub.url, "events": sub.events, "language": sub.language,
                "active": sub.active}

    def get_cancel_url(self):
        return reverse("integrations:subscription", args=[self.object.pk])

    def perform(self, form):
        return services.save_subscription(actor=self.request.user, subscription=self.object, **form.cleaned_data)


class DeliveryResendView(ServiceActionView):
    module = "governance"
    permission_required = MANAGE
    success_message = gettext_lazy("Queued to be sent again.")

    def get_object(self):
        return get_object_or_404(Delivery.objects.select_related("subscription"), pk=self.kwargs["pk"])

    def perform(self):
        return services.resend(self.object, actor=self.request.user)

    def get_success_url(self, result=None):
        return reverse("integrations:subscription", args=[self.object.subscription_id])

    get_error_url = get_success_url


