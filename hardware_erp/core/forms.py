"""Kernel forms: the company profile."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CompanyProfile
from .uploads import UploadField


class CompanyProfileForm(forms.ModelForm):
    logo = UploadField(label=_("Logo"), allowed=("png", "jpeg"), required=False,
                       help_text=_("PNG or JPEG, printed at 15 mm in the header of every document."))
    clear_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = CompanyProfile
        fields = ["name", "name_en", "credit_code", "address", "phone", "bank_name", "bank_account"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # a grouped or full-width code is normalised by the service
        self.fields["credit_code"].max_length = None
        self.fields["credit_code"].widget.attrs.pop("maxlength", None)
        self.fields["credit_code"].validators = []
        self.fields["bank_account"].validators = []
        self.fields["bank_account"].widget.attrs.pop("maxlength", None)
