from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from hardware_erp.core.admin import ScopedAdminMixin, ServiceAdminMixin

from .models import (
    AssignmentRule,
    CalendarDay,
    Checklist,
    ChecklistItem,
    Incident,
    RequestRecord,
    SLAPolicy,
    Suggestion,
    System,
    Ticket,
    TicketEvent,
    TicketMessage,
)


@admin.register(SLAPolicy)
class SLAPolicyAdmin(ScopedAdminMixin, admin.ModelAdmin):  # configured here by IT (no page of its own)
    app_scope = "all"
    list_display = ["priority", "response_hours", "resolution_hours", "warn_percent"]


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(ScopedAdminMixin, admin.ModelAdmin):  # configured here by IT (no page of its own)
    app_scope = "all"
    list_display = ["category", "assignee"]


@admin.register(CalendarDay)
class CalendarDayAdmin(ServiceAdminMixin, admin.ModelAdmin):
    app_scope = "all"
    list_display = ["date", "is_workday", "note"]


class TicketMessageInline(admin.TabularInline):
    model = TicketMessage
    extra = 0


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    readonly_fields = ["from_status", "to_status", "actor", "note", "created_at"]


@admin.register(Ticket)
class TicketAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    list_display = ["id", "subject", "requester", "category", "priority", "status", "assignee", "created_at"]
    list_filter = ["status", "category", "priority"]
    search_fields = ["subject", "description"]
    inlines = [TicketMessageInline, TicketEventInline]


@admin.register(System)
class SystemAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    app_scope = "all"
    list_display = ["name", "code", "owner", "plan_reviewed_at"]
    search_fields = ["name", "code"]


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 1


@admin.register(Checklist)
class ChecklistAdmin(ScopedAdminMixin, admin.ModelAdmin):  # configured here by IT (no page of its own)
    app_scope = "all"
    list_display = ["name", "kind", "interval_days", "assignee", "active"]
    list_filter = ["kind", "active"]
    inlines = [ChecklistItemInline]


@admin.register(Incident)
class IncidentAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "severity", "status", "started_at", "resolved_at"]
    list_filter = ["status", "severity"]


@admin.register(Suggestion)
class SuggestionAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["title", "status", "vote_count", "created_at"]
    list_filter = ["status"]


@admin.register(RequestRecord)
class RequestRecordAdmin(ServiceAdminMixin, admin.ModelAdmin):
    app_scope = "all"
    list_display = ["created_at", "kind", "method", "path", "duration_ms", "status_code", "user"]
    list_filter = ["kind"]
