from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.forms.models import BaseInlineFormSet, construct_instance
from simple_history.admin import SimpleHistoryAdmin

from .models import Department, Employee, IntegrityRun, Notification, WorkerHeartbeat

User = get_user_model()


class ServiceAdminMixin:
    """For models the application writes through services: read-only in the admin for everyone but a superuser.

    Managers and IT may look (with the model's view permission) but not add, change or delete here, where no
    service's rules, approvals or events would apply. A superuser's changes are kept in the admin's log, which
    governance copies into the security log."""

    def has_add_permission(self, request, *args, **kwargs):
        return request.user.is_superuser and super().has_add_permission(request, *args, **kwargs)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class EmployeeInlineFormSet(BaseInlineFormSet):
    """A new user already has an employee profile (the post_save signal creates it): the inline fills that one
    instead of inserting a second (which failed with IntegrityError on core_employee.user_id)."""

    def save_new(self, form, commit=True):
        existing = Employee.objects.filter(user=self.instance).first()
        if existing is None:
            return super().save_new(form, commit=commit)
        obj = construct_instance(form, existing, form._meta.fields, form._meta.exclude)
        obj.user = self.instance
        if commit:
            obj.save()
        form.instance = obj
        return obj


class EmployeeInline(admin.StackedInline):
    model = Employee
    formset = EmployeeInlineFormSet
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
    list_display = ("recipient", "text", "level", "created_at", "read_at", "email_status")
    list_filter = ("level", "email_status")
    search_fields = ("legacy_text", "recipient__username")
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
