from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import ChangeRequest, SecurityEvent


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    """Managers review key-data changes here as in the app's queue: a readable diff, bulk decisions."""

    list_display = ("id", "object_repr", "record_type", "diff_html", "requester", "created_at", "status", "reviewer")
    list_display_links = ("id", "object_repr")
    list_filter = ("status", "content_type", "created_at")
    search_fields = ("object_repr", "reason", "requester__username", "field_names")
    list_select_related = ("content_type", "requester", "reviewer")
    actions = ["approve_selected", "reject_selected"]
    fields = ("object_repr", "record_type", "diff_html", "reason", "requester", "created_at", "status",
              "reviewer", "reviewed_at", "comment")
    readonly_fields = fields
    date_hierarchy = "created_at"

    @admin.display(description=_("changes"))
    def diff_html(self, obj):
        return format_html_join(
            "", '<div><span style="color:#6c757d">{}:</span> <del>{}</del> → <strong>{}</strong></div>',
            ((d["label"], d["old"], d["new"]) for d in obj.diff()))

    @admin.display(description=_("record type"))
    def record_type(self, obj):
        return obj.record_type

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_approve_permission(self, request):
        return request.user.has_perm(services.APPROVE_PERM)

    def _decide(self, request, queryset, approve):
        pending = list(queryset.filter(status=ChangeRequest.Status.PENDING).order_by("pk"))
        comment = str(_("Decided in the administration (bulk action)."))
        done, failed = services.decide_many(pending, actor=request.user, approve=approve,
                                            comment="" if approve else comment)
        if done:
            msg = (ngettext("%(n)d change request approved.", "%(n)d change requests approved.", len(done))
                   if approve else
                   ngettext("%(n)d change request rejected.", "%(n)d change requests rejected.", len(done)))
            self.message_user(request, msg % {"n": len(done)}, messages.SUCCESS)
        for cr, reason in failed:
            self.message_user(request, format_html("#{} {}: {}", cr.pk, cr.object_repr, reason), messages.ERROR)
        skipped = queryset.count() - len(pending)
        if skipped:
            self.message_user(request, ngettext("%(n)d request was already decided and was left as it is.",
                                                "%(n)d requests were already decided and were left as they are.",
                                                skipped) % {"n": skipped}, messages.WARNING)

    @admin.action(description=_("Approve the selected change requests"), permissions=["approve"])
    def approve_selected(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Reject the selected change requests"), permissions=["approve"])
    def reject_selected(self, request, queryset):
        self._decide(request, queryset, approve=False)


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """Read-only for everyone: the security log is append-only."""

    list_display = ("created_at", "kind", "username", "ip_address", "path", "summary")
    list_filter = ("kind", "created_at")
    search_fields = ("username", "path")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "kind", "user", "username", "ip_address", "user_agent", "path", "detail")
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
