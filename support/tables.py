import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Ticket

STATUS_TONES = {"new": "primary", "assigned": "info", "in_progress": "warning", "waiting": "secondary",
                "resolved": "success", "closed": "dark", "reopened": "danger"}
PRIORITY_TONES = {"low": "secondary", "normal": "info", "high": "warning", "urgent": "danger"}


def badge(tone, text):
    return format_html('<span class="badge text-bg-{}">{}</span>', tone, text)


class TicketTable(tables.Table):
    number = tables.Column(_("No."), accessor="pk", linkify=True, attrs={"td": {"class": "text-nowrap"}})
    subject = tables.Column(_("Subject"), linkify=True)
    requester = tables.Column(_("Requester"))
    category = tables.Column(_("Category"))
    priority = tables.Column(_("Priority"))
    status = tables.Column(_("Status"))
    assignee = tables.Column(_("Assignee"), default="—")
    resolution_due = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("Resolution due"))
    created_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("Opened"))

    class Meta:
        model = Ticket
        fields = ["number", "subject", "requester", "category", "priority", "status", "assignee", "resolution_due",
                  "created_at"]
        attrs = {"class": "table table-hover align-middle", "data-testid": "ticket-table"}
        order_by = ["-created_at"]

    def render_number(self, record):
        return record.number

    def value_number(self, record):
        return record.number

    def render_priority(self, record):
        return badge(PRIORITY_TONES.get(record.priority, "secondary"), record.get_priority_display())

    def value_priority(self, record):
        return record.get_priority_display()

    def render_status(self, record):
        return badge(STATUS_TONES.get(record.status, "secondary"), record.get_status_display())

    def value_status(self, record):
        return record.get_status_display()

    def render_resolution_due(self, record, value):
        text = timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"
        if record.is_open and record.resolution_breached():
            return format_html('<span class="text-danger fw-semibold">{}</span>', text)
        return text
