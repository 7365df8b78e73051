import django_tables2 as tables
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hardware_erp.core.pagination import sort_by_few, sort_then
from hardware_erp.core.tables import PersonColumn
from hardware_erp.core.templatetags.erp import cny

from .models import ContactRecord, Customer, FollowUpTask, Opportunity

LEVEL_TONE = {"vip": "danger", "a": "warning", "b": "primary", "c": "secondary", "d": "light"}
STAGE_TONE = {"lead": "secondary", "qualified": "info", "quoted": "primary", "negotiating": "warning",
              "won": "success", "lost": "dark"}


class MoneyColumn(tables.Column):
    attrs = {"td": {"class": "num"}, "th": {"class": "num"}}

    def render(self, value):
        return cny(value)

    def value(self, value):
        return value


class CustomerTable(tables.Table):
    name = tables.Column(linkify=True, verbose_name=_("name"))
    customer_type = tables.Column(verbose_name=_("type"))
    level = tables.Column(verbose_name=pgettext_lazy("crm", "level"))
    region = tables.Column(verbose_name=_("region"), order_by=("province", "city", "district"), empty_values=())
    owner = PersonColumn(verbose_name=_("owner"), order_by=("owner__username",))
    phone = tables.Column(verbose_name=_("phone"), attrs={"td": {"class": "text-nowrap"}})
    source = tables.Column(verbose_name=_("source"))
    last_contact_at = tables.DateTimeColumn(verbose_name=_("last contact"), format="Y-m-d",
                                            attrs={"td": {"class": "text-nowrap"}})
    last_order_date = tables.DateColumn(verbose_name=_("last order"), format="Y-m-d",
                                        attrs={"td": {"class": "text-nowrap"}})
    credit_limit = MoneyColumn(verbose_name=_("credit limit"))

    class Meta:
        model = Customer
        fields = ("name", "customer_type", "level", "region", "owner", "phone", "source", "last_contact_at",
                  "last_order_date", "credit_limit")
        attrs = {"class": "table table-hover table-sm align-middle", "data-testid": "customer-table"}
        order_by = ("name",)

    export_reads = {"region": ("province", "city", "district")}  # core.exports.table_rows

    def render_name(self, record, value):
        initials = format_html('<span class="text-muted small ms-1">{}</span>', record.name_initials) \
            if record.name_initials and record.name_initials != record.name.lower() else ""
        return format_html("{}{}", value, initials)

    def value_name(self, value):
        return value

    @staticmethod
    def _dates_last(queryset, field, is_descending):
        """Customers without a date (never contacted, never ordered) after the dated ones, either way."""
        expr = F(field).desc(nulls_last=True) if is_descending else F(field).asc(nulls_last=True)
        return queryset.order_by(expr, "name", "pk"), True

    def order_last_contact_at(self, queryset, is_descending):
        return self._dates_last(queryset, "last_contact_at", is_descending)

    def order_last_order_date(self, queryset, is_descending):
        return self._dates_last(queryset, "last_order_date", is_descending)

    @staticmethod
    def _then_name(queryset, fields, is_descending):
        """`fields`, then name and pk: a page is read from an index on them in order (both ways) instead of sorting
        every customer (crm_customer_active_name / _owner / _region / _credit)."""
        return sort_then(queryset, fields, ("name", "pk"), is_descending)

    def order_name(self, queryset, is_descending):
        return self._then_name(queryset, (), is_descending)

    def order_owner(self, queryset, is_descending):
        sort_by_few(self, "owner", "username")  # a page: each owner's first customers from the owner index, merged
        return self._then_name(queryset, ("owner__username",), is_descending)

    def order_region(self, queryset, is_descending):
        return self._then_name(queryset, ("province", "city", "district"), is_descending)

    def order_credit_limit(self, queryset, is_descending):
        return self._then_name(queryset, ("credit_limit",), is_descending)

    def render_level(self, record):
        return format_html('<span class="badge text-bg-{}">{}</span>', LEVEL_TONE.get(record.level, "light"),
                           record.get_level_display())

    def value_level(self, value):
        return value  # the level's label (a field with choices gives its display)

    def render_region(self, record):
        return record.region or "—"

    def value_region(self, record):
        return record.region


class OpportunityTable(tables.Table):
    title = tables.Column(linkify=True, verbose_name=_("title"))
    customer = tables.Column(linkify=True, verbose_name=_("customer"), order_by=("customer__name",))
    stage = tables.Column(verbose_name=_("stage"))
    amount = MoneyColumn(verbose_name=_("expected amount"))
    probability = tables.Column(verbose_name=_("probability (%)"), attrs={"td": {"class": "num"}})
    expected_close = tables.DateColumn(verbose_name=_("expected close date"), format="Y-m-d")
    owner = PersonColumn(verbose_name=_("owner"), order_by=("owner__username",))
    last_activity_at = tables.DateTimeColumn(verbose_name=_("last activity"), format="Y-m-d")

    class Meta:
        model = Opportunity
        fields = ("title", "customer", "stage", "amount", "probability", "expected_close", "owner",
                  "last_activity_at")
        attrs = {"class": "table table-hover table-sm align-middle", "data-testid": "opportunity-table"}

    def render_stage(self, record):
        return format_html('<span class="badge text-bg-{}">{}</span>', STAGE_TONE[record.stage],
                           record.get_stage_display())

    def value_stage(self, record):
        return record.get_stage_display()


class TaskTable(tables.Table):
    due_at = tables.DateTimeColumn(verbose_name=_("due"), format="Y-m-d H:i")
    title = tables.Column(verbose_name=_("what to do"))
    customer = tables.Column(linkify=True, verbose_name=_("customer"), order_by=("customer__name",))
    assignee = PersonColumn(verbose_name=_("assigned to"), order_by=("assignee__username",))
    status = tables.Column(verbose_name=_("status"))
    outcome = tables.Column(verbose_name=_("outcome"))
    actions = tables.Column(verbose_name="", orderable=False, exclude_from_export=True, empty_values=(),
                            attrs={"td": {"class": "text-end"}})

    class Meta:
        model = FollowUpTask
        fields = ("due_at", "title", "customer", "assignee", "status", "outcome")
        attrs = {"class": "table table-hover table-sm align-middle", "data-testid": "task-table"}
        row_attrs = {"class": lambda record: "table-danger" if record.is_overdue else "",
                     "id": lambda record: f"task-{record.pk}"}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_close = bool(user and user.has_perm("crm.change_followuptask"))

    def render_actions(self, record):
        # a plain link, not a TemplateColumn: that renders each row with the context processors (queries per row)
        if record.status != "open" or not self.can_close:
            return ""
        return format_html('<a class="btn btn-sm btn-outline-success" href="{}?next={}">{}</a>',
                           reverse("crm:task_close", args=[record.pk]), reverse("crm:task_list"), _("Done"))

    def render_status(self, record):
        if record.is_overdue:
            return format_html('<span class="badge text-bg-danger">{}</span>', _("Overdue"))
        tone = {"open": "primary", "done": "success", "cancelled": "secondary"}[record.status]
        return format_html('<span class="badge text-bg-{}">{}</span>', tone, record.get_status_display())

    def value_status(self, record):
        return record.get_status_display()


class ContactRecordTable(tables.Table):
    occurred_at = tables.DateTimeColumn(verbose_name=_("when"), format="Y-m-d H:i")
    customer = tables.Column(linkify=True, verbose_name=_("customer"), order_by=("customer__name",))
    channel = tables.Column(verbose_name=_("channel"))
    summary = tables.Column(verbose_name=_("summary"))
    next_step = tables.Column(verbose_name=_("next step"))
    created_by = PersonColumn(verbose_name=pgettext_lazy("crm", "by"), order_by=("created_by__username",))

    class Meta:
        model = ContactRecord
        fields = ("occurred_at", "customer", "channel", "summary", "next_step", "created_by")
        attrs = {"class": "table table-hover table-sm align-middle", "data-testid": "record-table"}


