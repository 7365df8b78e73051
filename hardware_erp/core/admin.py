from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.forms.models import BaseInlineFormSet, construct_instance
from simple_history.admin import SimpleHistoryAdmin

from .models import Department, Employee, IntegrityRun, Notification, WorkerHeartbeat

User = get_user_model()


class ScopedAdminMixin:
    """The admin shows each user exactly the rows the application shows them, or the model is not in their admin.

    `app_scope` says how the application scopes the model's rows:
    - ``"for_user"`` (the default when the model's queryset has a ``for_user`` method): that method, as every view;
    - ``"all"``: the application shows every row to whoever holds the view permission (products, KPIs, the
      security log);
    - the name of a method of the admin, ``method(request, queryset) -> queryset`` (rows of orders the user sees);
    - ``None``: the application has no such list for this user; only superusers see the model here.
    Superusers see every row."""

    app_scope = "auto"

    def _scope(self):
        if self.app_scope == "auto":
            return "for_user" if hasattr(self.model._default_manager.get_queryset(), "for_user") else None
        return self.app_scope

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = self._scope()
        if request.user.is_superuser or scope == "all":
            return qs
        if scope == "for_user":
            return qs.filter(pk__in=self.model._default_manager.get_queryset().for_user(request.user).values("pk"))
        if scope:
            return getattr(self, scope)(request, qs)
        return qs.none()

    def has_module_permission(self, request):
        return (request.user.is_superuser or self._scope() is not None) and super().has_module_permission(request)

    def _in_scope(self, request, object_id):
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise PermissionDenied

    # django-simple-history's history pages fetch the row without get_queryset: scope them here
    def history_view(self, request, object_id, extra_context=None):
        self._in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)

    def has_view_permission(self, request, obj=None):
        return (request.user.is_superuser or self._scope() is not None) and super().has_view_permission(request, obj)


class ReadOnlyForEveryoneMixin:
    """Money and stock rows (payments, allocations, order lines): read-only in the admin for everyone, superusers
    included; they change only through services."""

    def has_add_permission(self, request, *args, **kwargs):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceAdminMixin(ScopedAdminMixin):
    """For models the application writes through services: read-only in the admin for everyone but a superuser,
    and scoped as in the application (`ScopedAdminMixin`).

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
