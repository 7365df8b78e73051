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
