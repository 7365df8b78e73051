import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hardware_erp.core.tables import PersonColumn

from .models import Incident, Inspection, MaintenanceWindow, Suggestion, System, Ticket

STATUS_TONES = {"new": "primary", "assigned": "info", "in_progress": "warning", "waiting": "secondary",
                "resolved": "success", "closed": "dark", "reopened": "danger"}
PRIORITY_TONES = {"low": "secondary", "normal": "info", "high": "warning", "urgent": "danger"}


def badge(tone, text):
    return format_html('<span class="badge text-bg-{}">{}</span>', tone, text)


class TicketTable(tables.Table):
    number = tables.Column(_("No."), accessor="pk", linkify=True, attrs={"td": {"class": "text-nowrap"}})
    subject = tables.Column(_("Subject"), linkify=True)
    requester = PersonColumn(_("Requester"))
    category = tables.Column(pgettext_lazy("support", "Category"))
    priority = tables.Column(_("Priority"))
    status = tables.Column(_("Status"))
    assignee = PersonColumn(_("Assignee"), default="—")
    resolution_due = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("Resolution due"))
    created_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=pgettext_lazy("support", "Opened"))

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


SEVERITY_TONES = {"minor": "warning", "major": "danger", "critical": "danger"}
INCIDENT_STATUS_TONES = {"draft": "secondary", "open": "danger", "resolved": "success"}


def local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


class IncidentTable(tables.Table):
    number = tables.Column(_("No."), accessor="pk", linkify=True)
    title = tables.Column(_("Title"), linkify=True)
    severity = tables.Column(_("Severity"))
    status = tables.Column(_("Status"))
    started_at = tables.Column(_("Started"))
    estimated_recovery_at = tables.Column(_("Estimated recovery"), default="—")
    resolved_at = tables.Column(_("Resolved"), default="—")

    class Meta:
        model = Incident
        fields = ["number", "title", "severity", "status", "started_at", "estimated_recovery_at", "resolved_at"]
        attrs = {"class": "table table-hover align-middle", "data-testid": "incident-table"}

    def render_number(self, record):
        return record.number

    def render_severity(self, record):
        return badge(SEVERITY_TONES.get(record.severity, "secondary"), record.get_severity_display())

    def value_severity(self, record):
        return record.get_severity_display()

    def render_status(self, record):
        return badge(INCIDENT_STATUS_TONES.get(record.status, "secondary"), record.get_status_display())

    def value_status(self, record):
        return record.get_status_display()

    def render_started_at(self, value):
        return local(value)

    def render_estimated_recovery_at(self, value):
        return local(value)

    def render_resolved_at(self, value):
        return local(value)


class SystemTable(tables.Table):
    name = tables.Column(pgettext_lazy("support", "Name"), linkify=True)
    code = tables.Column(_("Code"))
    owner = PersonColumn(_("Responsible"), default="—")
    plan_reviewed_at = tables.DateColumn(format="Y-m-d", verbose_name=_("Plan reviewed"), default="—")

    class Meta:
        model = System
        fields = ["name", "code", "owner", "plan_reviewed_at"]
        attrs = {"class": "table table-hover align-middle"}


class MaintenanceTable(tables.Table):
    title = tables.Column(_("Title"))
    starts_at = tables.Column(pgettext_lazy("support", "Starts"))
    ends_at = tables.Column(_("Ends"))
    announce_from = tables.Column(_("Announced from"))
    cancelled = tables.BooleanColumn(_("Cancelled"))
    actions = tables.TemplateColumn(template_name="support/_maintenance_actions.html", verbose_name="",
                                    orderable=False, exclude_from_export=True)

    class Meta:
        model = MaintenanceWindow
        fields = ["title", "starts_at", "ends_at", "announce_from", "cancelled", "actions"]
        attrs = {"class": "table table-hover align-middle", "data-testid": "maintenance-table"}

    def render_starts_at(self, value):
        return local(value)

    def render_ends_at(self, value):
        return local(value)

    def render_announce_from(self, value):
        return local(value)


class SuggestionTable(tables.Table):
    vote_count = tables.Column(_("Votes"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    title = tables.Column(_("Title"), linkify=True)
    area = tables.Column(_("Area"))
    status = tables.Column(_("Status"))
    created_at = tables.DateColumn(format="Y-m-d", verbose_name=pgettext_lazy("support", "Submitted"))

    class Meta:
        model = Suggestion
        fields = ["vote_count", "title", "area", "status", "created_at"]
        attrs = {"class": "table table-hover align-middle", "data-testid": "suggestion-table"}

    def render_status(self, record):
        tones = {"review": "secondary", "planned": "info", "done": "success", "declined": "dark"}
        return badge(tones.get(record.status, "secondary"), record.get_status_display())

    def value_status(self, record):
        return record.get_status_display()


class InspectionTable(tables.Table):
    checklist = tables.Column(_("Checklist"), linkify=lambda record: record.get_absolute_url())
    kind = tables.Column(_("Kind"), accessor="checklist__kind", orderable=False)
    due_date = tables.DateColumn(format="Y-m-d", verbose_name=_("Due"))
    status = tables.Column(_("Status"))
    done_by = PersonColumn(_("Done by"), default="—")
    failed_count = tables.Column(_("Failed items"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})

    class Meta:
        model = Inspection
        fields = ["checklist", "kind", "due_date", "status", "done_by", "failed_count"]
        attrs = {"class": "table table-hover align-middle", "data-testid": "inspection-table"}

    def render_kind(self, record):
        return record.checklist.get_kind_display()

    def render_status(self, record):
        return badge("success" if record.status == "done" else "warning", record.get_status_display())

    def value_status(self, record):
        return record.get_status_display()
