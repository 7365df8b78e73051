import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .forms import PersonChoiceField
from .models import Department, Employee


class PersonFilter(django_filters.ModelChoiceFilter):
    """A filter by a user (owner, salesperson, requester) whose choices show people by their names."""

    field_class = PersonChoiceField


class AllYesNo(django_filters.widgets.BooleanWidget):
    """A yes/no filter's choices: "All" (not filtered), "Yes", "No"; django-filter's first choice, "Unknown" (未知),
    reads as a value of the field rather than as no filter."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", _("All")), ("true", _("Yes")), ("false", _("No")))


class EmployeeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search",
                                  widget=django_filters.widgets.forms.TextInput(attrs={
                                      "type": "search", "placeholder": _("Name, user name, job title, phone")}))
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=Department.objects.all())

    class Meta:
        model = Employee
        fields = ["q", "department"]

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(Q(user__username__icontains=value) | Q(user__first_name__icontains=value)
                               | Q(user__last_name__icontains=value) | Q(job_title__icontains=value)
                               | Q(work_phone__icontains=value))
