import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Department, Employee


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
