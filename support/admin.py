from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AssignmentRule, CalendarDay, SLAPolicy, Ticket, TicketEvent, TicketMessage


@admin.register(SLAPolicy)
class SLAPolicyAdmin(admin.ModelAdmin):
    list_display = ["priority", "response_hours", "resolution_hours", "warn_percent"]


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "assignee"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "note"]


class TicketMessageInline(admin.TabularInline):
    model = TicketMessage
    extra = 0


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    readonly_fields = ["from_status", "to_status", "actor", "note", "created_at"]


@admin.register(Ticket)
class TicketAdmin(SimpleHistoryAdmin):
    list_display = ["id", "subject", "requester", "category", "priority", "status", "assignee", "created_at"]
    list_filter = ["status", "category", "priority"]
    search_fields = ["subject", "description"]
    inlines = [TicketMessageInline, TicketEventInline]
