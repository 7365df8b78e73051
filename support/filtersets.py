import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import TicketCategory, TicketPriority, TicketStatus
from .models import Checklist, Incident, Inspection, MaintenanceWindow, Suggestion, System, Ticket


class TicketFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search",
                                  widget=django_filters.widgets.forms.TextInput(attrs={"type": "search"}))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=TicketStatus.choices)
    category = django_filters.ChoiceFilter(label=pgettext_lazy("support", "Category"), choices=TicketCategory.choices)
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=TicketPriority.choices)
    open = django_filters.BooleanFilter(label=_("Open only"), method="open_only",
                                        widget=django_filters.widgets.forms.CheckboxInput())
    mine = django_filters.BooleanFilter(label=_("Assigned to me"), method="assigned_to_me",
                                        widget=django_filters.widgets.forms.CheckboxInput())

    class Meta:
        model = Ticket
        fields = ["q", "status", "category", "priority", "open", "mine"]

    def search(self, qs, name, value):
        value = value.strip()
        q = Q(subject__icontains=value) | Q(description__icontains=value) | Q(requester__username__icontains=value)
        digits = value.upper().removeprefix("T-").lstrip("0")
        if digits.isdigit():
            q |= Q(pk=int(digits))
        return qs.filter(q)

    def open_only(self, qs, name, value):
        return qs.open() if value else qs

    def assigned_to_me(self, qs, name, value):
        return qs.filter(assignee=self.request.user) if value else qs


class IncidentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="title", lookup_expr="icontains",
                                  widget=django_filters.widgets.forms.TextInput(attrs={"type": "search"}))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Incident.Status.choices)
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=Incident.Severity.choices)
    systems = django_filters.ModelChoiceFilter(label=_("System"), queryset=System.objects.all())

    class Meta:
        model = Incident
        fields = ["q", "status", "severity", "systems"]


class SystemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search",
                                  widget=django_filters.widgets.forms.TextInput(attrs={"type": "search"}))

    class Meta:
        model = System
        fields = ["q"]

    def search(self, qs, name, value):
        return qs.filter(Q(name__icontains=value) | Q(code__icontains=value) | Q(description__icontains=value))


class MaintenanceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="title", lookup_expr="icontains",
                                  widget=django_filters.widgets.forms.TextInput(attrs={"type": "search"}))
    upcoming = django_filters.BooleanFilter(label=_("Not ended"), method="not_ended",
                                            widget=django_filters.widgets.forms.CheckboxInput())

    class Meta:
        model = MaintenanceWindow
        fields = ["q", "upcoming"]

    def not_ended(self, qs, name, value):
        from django.utils import timezone

        return qs.filter(ends_at__gt=timezone.now()) if value else qs


class SuggestionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search",
                                  widget=django_filters.widgets.forms.TextInput(attrs={"type": "search"}))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Suggestion.Status.choices)
    area = django_filters.ChoiceFilter(label=_("Area"), choices=Suggestion.Area.choices)

    class Meta:
        model = Suggestion
        fields = ["q", "status", "area"]

    def search(self, qs, name, value):
        return qs.filter(Q(title__icontains=value) | Q(body__icontains=value))


class InspectionFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Inspection.Status.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), field_name="checklist__kind",
                                       choices=Checklist.Kind.choices)

    class Meta:
        model = Inspection
        fields = ["status", "kind"]
