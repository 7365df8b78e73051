from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from hardware_erp.core.admin import ServiceAdminMixin

from .models import KPI, BonusTier, KPIWeight, Period, Scorecard, ScorecardEvent


class KPIWeightInline(admin.TabularInline):
    """Read-only: a role's weights must sum to 100, which the period settings page checks."""

    model = KPIWeight
    extra = 0
    can_delete = False
    readonly_fields = ("role", "weight")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(KPI)
class KPIAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    app_scope = "all"
    list_display = ("code", "name_en", "name_zh", "aggregation", "direction", "target", "active")
    search_fields = ("code", "name_en", "name_zh")
    inlines = [KPIWeightInline]


@admin.register(Period)
class PeriodAdmin(ServiceAdminMixin, admin.ModelAdmin):
    app_scope = "all"
    list_display = ("__str__", "kind", "start", "end", "status", "computed_at")
    list_filter = ("kind", "status")


class ScorecardEventInline(admin.TabularInline):
    model = ScorecardEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "from_status", "to_status", "actor", "note", "created_at")


@admin.register(Scorecard)
class ScorecardAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    list_display = ("employee", "period", "role", "status", "final_score")
    list_filter = ("status", "period")
    readonly_fields = ("computed_score", "coverage", "adjustment", "final_score", "computed_at", "closed_at")
    inlines = [ScorecardEventInline]


@admin.register(BonusTier)
class BonusTierAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    app_scope = "all"
    list_display = ("name_zh", "name_en", "min_score", "bonus", "points")
