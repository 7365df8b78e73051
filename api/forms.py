from datetime import datetime, time

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import MODULES, ApiToken, Event, Subscription

User = get_user_model()


def scope_choices():
    labels = {"crm": _("CRM"), "inventory": _("Inventory"), "orders": pgettext_lazy("api", "Orders"),
              "support": pgettext_lazy("api", "Support")}
    access = {"read": pgettext_lazy("api", "read"), "write": pgettext_lazy("api", "write")}
    return [(f"{m}:{a}", f"{labels[m]}: {access[a]}")
            for m in MODULES for a in ("read", "write")]


class TokenForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("api", "Name"), max_length=100,
                           help_text=_("What uses it: the shop, a scanner app, the BI tool."))
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=scope_choices, widget=forms.CheckboxSelectMultiple,
                                       help_text=_("The token can never do more than your role allows."))
    expires_on = forms.DateField(label=_("Expires on"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("Empty: never (revoke it when it is no longer used)."))
    rate_per_minute = forms.IntegerField(label=_("Requests per minute"), min_value=1, max_value=6000, initial=120)

    def __init__(self, *args, may_manage=False, **kwargs):
        super().__init__(*args, **kwargs)
        if may_manage:
            self.fields["kind"] = forms.ChoiceField(label=_("Kind"), choices=ApiToken.Kind.choices,
                                                    initial=ApiToken.Kind.PERSONAL)
            self.fields["user"] = forms.ModelChoiceField(
                label=_("Acts as"), required=False, queryset=User.objects.filter(is_active=True).order_by("username"),
                help_text=_("An integration token acts as this account and has its roles (empty: you)."))

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("api", "Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Subscription.Kind.choices)
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https",
                         help_text=_("The receiver's address, or the group robot's webhook address."))
    secret = forms.CharField(label=_("Signing secret"), required=False, max_length=200,
                             help_text=_("Webhooks: empty makes one. DingTalk: the robot's SEC… secret (加签). "
                                         "WeCom: not used (the key is in the URL)."))
    events = forms.MultipleChoiceField(label=_("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple)
    language = forms.ChoiceField(label=_("Language of robot messages"), choices=Subscription._meta.get_field(
        "language").choices, initial="zh-hans")
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
