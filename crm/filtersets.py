from datetime import timedelta

import django_filters as filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hardware_erp.core.filtersets import PersonFilter

from .choices import (
    OPEN_STAGES,
    PROVINCE_CHOICES,
    ChannelChoices,
    CustomerLevelChoices,
    CustomerSourceChoices,
    CustomerTypeChoices,
    StageChoices,
    TaskStatusChoices,
)
from .forms import crm_users
from .list_search import list_search_q
from .models import ContactRecord, Customer, FollowUpTask, Opportunity

User = get_user_model()
SEARCH = forms.TextInput(attrs={"type": "search", "autofocus": True, "autocomplete": "off"})


def _owners(request):
    return crm_users() if request is not None else User.objects.none()


class CustomerFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("Search"), method="search", widget=forms.TextInput(attrs={
        "type": "search", "autofocus": True, "autocomplete": "off", "data-testid": "customer-search",
        "placeholder": _("name, pinyin (zswj), phone, tax code, contact")}))
    owner = PersonFilter(label=_("owner"), queryset=_owners)
    customer_type = filters.ChoiceFilter(label=_("type"), choices=CustomerTypeChoices.choices)
    level = filters.ChoiceFilter(label=pgettext_lazy("crm", "level"), choices=CustomerLevelChoices.choices)
    source = filters.ChoiceFilter(label=_("source"), choices=CustomerSourceChoices.choices)
    province = filters.ChoiceFilter(label=_("province"), choices=PROVINCE_CHOICES)
    city = filters.CharFilter(label=_("city"), lookup_expr="exact")
    last_contact = filters.ChoiceFilter(label=_("last contact"), method="filter_last_contact", choices=[
        ("7", _("in the last 7 days")), ("30", _("in the last 30 days")),
        ("stale30", _("not for 30 days")), ("stale90", _("not for 90 days")), ("never", _("never"))])
    last_order = filters.ChoiceFilter(label=_("last order"), method="filter_last_order", choices=[
        ("30", _("in the last 30 days")), ("90", _("in the last 90 days")), ("365", _("in the last 12 months")),
        ("stale90", _("over 90 days ago")), ("stale180", _("over 180 days ago")), ("never", _("never ordered"))])
    ordered_from = filters.DateFilter(label=_("last order from"), field_name="last_order_date", lookup_expr="gte",
                                      widget=forms.DateInput(attrs={"type": "date"}))
    ordered_to = filters.DateFilter(label=_("last order by"), field_name="last_order_date", lookup_expr="lte",
                                    widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = Customer
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(list_search_q(value))  # `search_q`'s customers, paged lookup by lookup

    def filter_last_contact(self, queryset, name, value):
        now = timezone.now()
        if value == "never":
            return queryset.filter(last_contact_at__isnull=True)
        if value.startswith("stale"):
            days = int(value[5:])
            return queryset.exclude(last_contact_at__gte=now - timedelta(days=days))
        return queryset.filter(last_contact_at__gte=now - timedelta(days=int(value)))

    def filter_last_order(self, queryset, name, value):
        """On the last order date the orders app keeps on each customer (one indexed column, no join)."""
        today = timezone.localdate()
        if value == "never":
            return queryset.filter(last_order_date__isnull=True)
        if value.startswith("stale"):
            return queryset.filter(last_order_date__lt=today - timedelta(days=int(value[5:])))
        return queryset.filter(last_order_date__gte=today - timedelta(days=int(value)))


class OpportunityFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("Search"), method="search", widget=SEARCH)
    stage = filters.ChoiceFilter(label=_("stage"), choices=[("open", _("All open"))] + StageChoices.choices,
                                 method="filter_stage")
    owner = PersonFilter(label=_("owner"), queryset=_owners)
    close_from = filters.DateFilter(label=_("closing from"), field_name="expected_close", lookup_expr="gte",
                                    widget=forms.DateInput(attrs={"type": "date"}))
    close_to = filters.DateFilter(label=_("closing by"), field_name="expected_close", lookup_expr="lte",
                                  widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = Opportunity
        fields = []

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(title__icontains=value) | Q(customer__name__icontains=value)
                               | Q(products_of_interest__icontains=value))

    def filter_stage(self, queryset, name, value):
        return queryset.filter(stage__in=OPEN_STAGES) if value == "open" else queryset.filter(stage=value)


class TaskFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("Search"), method="search", widget=SEARCH)
    status = filters.ChoiceFilter(label=_("status"), method="filter_status",
                                  choices=[("overdue", _("Overdue"))] + TaskStatusChoices.choices)
    assignee = PersonFilter(label=_("assigned to"), queryset=_owners)
    mine = filters.BooleanFilter(label=_("only mine"), method="filter_mine", widget=forms.CheckboxInput)
    due_from = filters.DateFilter(label=_("due from"), field_name="due_at", lookup_expr="date__gte",
                                  widget=forms.DateInput(attrs={"type": "date"}))
    due_to = filters.DateFilter(label=_("due by"), field_name="due_at", lookup_expr="date__lte",
                                widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = FollowUpTask
        fields = []

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(title__icontains=value) | Q(customer__name__icontains=value))

    def filter_status(self, queryset, name, value):
        if value == "overdue":
            return queryset.filter(status=TaskStatusChoices.OPEN, due_at__lt=timezone.now())
        return queryset.filter(status=value)

    def filter_mine(self, queryset, name, value):
        return queryset.filter(assignee=self.request.user) if value else queryset


class ContactRecordFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("Search"), method="search", widget=SEARCH)
    channel = filters.ChoiceFilter(label=_("channel"), choices=ChannelChoices.choices)
    created_by = PersonFilter(label=pgettext_lazy("crm", "by"), queryset=_owners)
    date_from = filters.DateFilter(label=pgettext_lazy("crm", "from"), field_name="occurred_at",
                                   lookup_expr="date__gte",
                                   widget=forms.DateInput(attrs={"type": "date"}))
    date_to = filters.DateFilter(label=pgettext_lazy("crm", "to"), field_name="occurred_at", lookup_expr="date__lte",
                                 widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = ContactRecord
        fields = []

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(summary__icontains=value) | Q(customer__name__icontains=value)
                               | Q(next_step__icontains=value))
