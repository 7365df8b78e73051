import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hardware_erp.core.models import Department

from .choices import ScorecardStatusChoices
from .models import KPI, BonusTier, Period, Scorecard


class ScorecardFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=django_filters.widgets.forms.TextInput(
        attrs={"type": "search", "placeholder": _("Name or user name")}))
    period = django_filters.ModelChoiceFilter(label=pgettext_lazy("performance", "Period"),
                                              queryset=Period.objects.all())
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=Department.objects.all())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ScorecardStatusChoices.choices)
    todo = django_filters.BooleanFilter(label=_("Waiting for me"), method="waiting",
                                        widget=django_filters.widgets.forms.CheckboxInput())

    class Meta:
        model = Scorecard
        fields = ["q", "period", "department", "status", "todo"]

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(Q(employee__username__icontains=value) | Q(employee__first_name__icontains=value)
                               | Q(employee__last_name__icontains=value))

    def waiting(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.exclude(employee=self.request.user).filter(status__in=[
            ScorecardStatusChoices.DRAFT, ScorecardStatusChoices.DISPUTED, ScorecardStatusChoices.ACKNOWLEDGED])


class PeriodFilterSet(django_filters.FilterSet):
    class Meta:
        model = Period
        fields = ["kind", "status"]


class KPIFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=django_filters.widgets.forms.TextInput(
        attrs={"type": "search", "placeholder": _("Code or name")}))
    role = django_filters.CharFilter(label=_("Role"), method="by_role", widget=django_filters.widgets.forms.Select(
        choices=[("", "---------")]))

    class Meta:
        model = KPI
        fields = ["q", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from hardware_erp.core.roles import ROLES

        self.filters["role"].field.widget.choices = [("", "---------")] + [(k, r.label) for k, r in ROLES.items()]

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name_en__icontains=value) | Q(name_zh__icontains=value))

    def by_role(self, queryset, name, value):
        return queryset.filter(weights__role=value) if value else queryset


class BonusTierFilterSet(django_filters.FilterSet):
    class Meta:
        model = BonusTier
        fields = []
