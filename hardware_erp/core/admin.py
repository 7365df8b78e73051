from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Department, Employee, IntegrityRun, Notification, WorkerHeartbeat

User = get_user_model()


class EmployeeInline(admin.StackedInline):
    model = Employee
    can_delete = False
    fk_name = "user"
    autocomplete_fields = ["department", "manager"]


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [EmployeeInline]
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "groups")


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_zh", "name_en", "parent", "head")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(Employee)
class EmployeeAdmin(SimpleHistoryAdmin):
    list_display = ("user", "department", "job_title", "manager", "hire_date")
    list_filter = ("department",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "job_title")
    autocomplete_fields = ["user", "department", "manager"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "message", "level", "created_at", "read_at", "email_status")
    list_filter = ("level", "email_status")
    search_fields = ("message", "recipient__username")
    raw_id_fields = ("recipient",)


@admin.register(IntegrityRun)
class IntegrityRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "ok", "seconds")
    list_filter = ("ok",)
    readonly_fields = ("started_at", "ok", "seconds", "results")

    def has_add_permission(self, request):
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("hostname", "beat_at")


admin.site.site_header = "Hardware ERP"
admin.site.site_title = "Hardware ERP"
