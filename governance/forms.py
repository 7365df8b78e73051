from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.ChoiceField(choices=[("approve", pgettext_lazy("governance", "Approve")), ("reject", _("Reject"))],
                                 widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("comment", "").strip():
            self.add_error("comment", _("Say why the change is rejected: the requester reads it."))
        return data


class AgreementForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    accept = forms.BooleanField(label=_("I have read the confidentiality agreement and accept it."),
                                error_messages={"required": _("Tick the box to accept the agreement: without "
                                                              "accepting it you cannot use the system.")})


class TokenForm(forms.Form):
    token = forms.CharField(label=_("Code from the app"), max_length=12,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                          "autofocus": True}),
                            error_messages={"required": _("Enter the 6-digit code your authenticator app shows.")})

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit() or len(token) not in (6, 8):
            raise forms.ValidationError(_("The code has 6 digits, like 123 456."))
        return token
