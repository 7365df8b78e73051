import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hardware_erp.core.filtersets import AllYesNo, PersonFilter

from . import keydata
from .models import AgreementAcceptance, AgreementVersion, BackupRun, ChangeRequest, SecurityEvent


def governed_types(request=None):
    return ContentType.objects.filter(
        pk__in=[ContentType.objects.get_for_model(m).pk for m in keydata.governed_models()])


class ChangeRequestFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search",
                                  widget=forms.TextInput(attrs={"type": "search"}))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ChangeRequest.Status.choices,
                                         empty_label=_("All"))
    content_type = django_filters.ModelChoiceFilter(label=_("Record type"), queryset=governed_types)
    requester = PersonFilter(
        label=_("Requested by"),
        queryset=lambda request: get_user_model().objects.filter(change_requests__isnull=False).distinct())

    class Meta:
        model = ChangeRequest
        fields = ["q", "status", "content_type", "requester"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(object_repr__icontains=value) | Q(reason__icontains=value)
                               | Q(field_names__icontains=value))


class SecurityEventFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("User name or IP"), method="search",
                                  widget=forms.TextInput(attrs={"type": "search"}))
    kind = django_filters.ChoiceFilter(label=_("Event"), choices=SecurityEvent.Kind.choices, empty_label=_("All"))
    since = django_filters.DateFilter(label=_("From"), field_name="created_at", lookup_expr="date__gte",
                                      widget=forms.DateInput(attrs={"type": "date"}))
    until = django_filters.DateFilter(label=pgettext_lazy("governance", "To"), field_name="created_at",
                                      lookup_expr="date__lte",
                                      widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = SecurityEvent
        fields = ["q", "kind", "since", "until"]

    def search(self, queryset, name, value):
        q = Q(username__icontains=value)
        if "." in value or ":" in value:  # looks like an address
            q |= Q(ip_address__startswith=value)
        return queryset.filter(q)


class BackupRunFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=BackupRun.Kind.choices, empty_label=_("All"))
    ok = django_filters.BooleanFilter(label=_("Succeeded"), widget=AllYesNo())

    class Meta:
        model = BackupRun
        fields = ["kind", "ok"]


class AgreementAcceptanceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("User name, name or IP"), method="search",
                                  widget=forms.TextInput(attrs={"type": "search"}))
    version = django_filters.ModelChoiceFilter(label=_("Version"), queryset=AgreementVersion.objects.published(),
                                               empty_label=_("All"))
    department = django_filters.ModelChoiceFilter(label=_("Department"), field_name="user__employee__department",
                                                  queryset=lambda request: _departments())
    since = django_filters.DateFilter(label=_("From"), field_name="accepted_at", lookup_expr="date__gte",
                                      widget=forms.DateInput(attrs={"type": "date"}))
    until = django_filters.DateFilter(label=pgettext_lazy("governance", "To"), field_name="accepted_at",
                                      lookup_expr="date__lte",
                                      widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = AgreementAcceptance
        fields = ["q", "version", "department", "since", "until"]

    def search(self, queryset, name, value):
        q = Q(user__username__icontains=value) | Q(user__first_name__icontains=value) \
            | Q(user__last_name__icontains=value)
        if "." in value or ":" in value:
            q |= Q(ip_address__startswith=value)
        return queryset.filter(q)


def _departments():
    from hardware_erp.core.models import Department

    return Department.objects.all()
