"""Kernel forms: the company profile; choices of people shown by their names."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CompanyProfile
from .tables import person_name
from .uploads import UploadField


class PersonChoiceField(forms.ModelChoiceField):
    """A choice of users shown by their names (陈强), not their user names (clerk): owners, assignees, filters."""

    def label_from_instance(self, obj):
        return person_name(obj)


class PersonMultipleChoiceField(forms.ModelMultipleChoiceField):
    """`PersonChoiceField` for several people (the users a customer is shared with)."""

    def label_from_instance(self, obj):
        return person_name(obj)


def name_people(*fields):
    """Show the users of model form fields (a ForeignKey to a user) by their names, as `PersonChoiceField` does."""
    for field in fields:
        field.label_from_instance = person_name


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
