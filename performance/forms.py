from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hardware_erp.core.money import DecimalInput

from . import scoring
from .choices import PeriodKindChoices
from .models import KPI, BonusTier


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PeriodKindChoices.choices)
    month = forms.DateField(label=_("Any day in the period"), initial=timezone.localdate,
                            widget=forms.DateInput(attrs={"type": "date"}))

class PeriodKPIForm(forms.Form):
    """One row of a role's settings in a period: target, weight and bands."""

    target = DecimalInput(label=_("Target"), max_digits=10, decimal_places=2, min_value=Decimal(0))
    weight = DecimalInput(label=_("Weight (%)"), max_digits=5, decimal_places=2, min_value=Decimal(0),
                          max_value=Decimal(100))
    bands = forms.CharField(label=_("Scoring bands"), max_length=200,
                            help_text=_("achievement % : score, best first, e.g. 100:100, 90:85, 0:20"))

    def clean_bands(self):
        try:
            return scoring.parse_bands(self.cleaned_data["bands"])
        except ValueError as exc:
            raise forms.ValidationError(
                _("Write the bands as “achievement:score” pairs separated by commas, e.g. 100:100, 90:85, 0:20 "
                  "(cannot read “%(part)s”).") % {"part": exc.args[0] if exc.args else ""}) from None

class TransitionForm(forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(label=pgettext_lazy("performance", "Comment"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

class AdjustmentForm(forms.Form):
    points = DecimalInput(label=_("Points (+/−)"), max_digits=6, decimal_places=2,
                          min_value=Decimal(-100), max_value=Decimal(100))
    kpi = forms.ModelChoiceField(label=_("About KPI (optional)"), queryset=KPI.objects.none(), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("An adjustment needs a reason.")})

    def __init__(self, *args, kpis=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kpis is not None:
            self.fields["kpi"].queryset = kpis

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points == 0:
            raise forms.ValidationError(_("Enter the points to add (positive) or take away (negative)."))
        return points

class CommentForm(forms.Form):
    text = forms.CharField(label=_("Manager's comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("Write a comment first.")})

class BonusTierForm(forms.ModelForm):
    class Meta:
        model = BonusTier
        fields = ["name_zh", "name_en", "min_score", "bonus", "points"]
