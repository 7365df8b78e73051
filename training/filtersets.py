import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.models import Department

from .choices import CourseStatus, ExternalKind, LibraryKind, LibraryStatus, ModuleChoices, SessionStatus
from .models import Course, ExternalTraining, LibraryItem, TrainingSession


class SearchFilterSet(django_filters.FilterSet):
    search_fields: tuple = ()
    q = django_filters.CharFilter(label=_("Search"), method="search",
                                  widget=django_filters.widgets.forms.TextInput(attrs={"type": "search"}))

    def search(self, queryset, name, value):
        cond = Q()
        for f in self.search_fields:
            cond |= Q(**{f"{f}__icontains": value.strip()})
        return queryset.filter(cond) if value.strip() else queryset


class CourseFilterSet(SearchFilterSet):
    search_fields = ("title_zh", "title_en", "summary_zh", "summary_en", "code")
    module = django_filters.ChoiceFilter(label=_("Module"), choices=ModuleChoices.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CourseStatus.choices)

    class Meta:
        model = Course
        fields = ["q", "module", "status"]


class SessionFilterSet(SearchFilterSet):
    search_fields = ("title_zh", "title_en", "place")
    module = django_filters.ChoiceFilter(label=_("Module"), choices=ModuleChoices.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=SessionStatus.choices)
    upcoming = django_filters.BooleanFilter(label=_("Upcoming only"), method="filter_upcoming",
                                            widget=django_filters.widgets.forms.CheckboxInput())

    class Meta:
        model = TrainingSession
        fields = ["q", "module", "status", "upcoming"]

    def filter_upcoming(self, queryset, name, value):
        from django.utils import timezone

        if value is True:
            return queryset.filter(starts_at__gte=timezone.now()).order_by("starts_at")
        return queryset


class LibraryFilterSet(SearchFilterSet):
    search_fields = ("title_zh", "title_en", "body_zh", "body_en", "tags")
    module = django_filters.ChoiceFilter(label=_("Module"), choices=ModuleChoices.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=LibraryKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=LibraryStatus.choices)

    class Meta:
        model = LibraryItem
        fields = ["q", "module", "kind", "status"]


class ExternalTrainingFilterSet(SearchFilterSet):
    search_fields = ("title", "provider", "user__username", "user__first_name")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ExternalKind.choices)
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=Department.objects.all(),
                                                  field_name="user__employee__department")

    class Meta:
        model = ExternalTraining
        fields = ["q", "kind", "department"]
