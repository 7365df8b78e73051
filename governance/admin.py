from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hardware_erp.core.admin import ScopedAdminMixin
from hardware_erp.core.errors import BusinessRuleError

from . import accounts, services
from .models import AgreementAcceptance, AgreementVersion, ChangeRequest, SecurityEvent


class ReadOnlyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Rows written only by the application's services: nobody adds, changes or deletes them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    """Managers review key-data changes here as in the app's queue: a readable diff, bulk decisions."""

    list_display = ("id", "object_repr", "record_type", "diff_html", "requester", "created_at", "status", "reviewer")
    list_display_links = ("id", "object_repr")
    list_filter = ("status", ("content_type", admin.RelatedOnlyFieldListFilter), "created_at")
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
class SecurityEventAdmin(ReadOnlyAdmin):
    app_scope = "all"
    """Read-only for everyone: the security log is append-only."""

    list_display = ("created_at", "kind", "username", "ip_address", "path", "summary")
    list_filter = ("kind", "created_at")
    search_fields = ("username", "path")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "kind", "user", "username", "ip_address", "user_agent", "path", "detail")
    fields = readonly_fields


@admin.register(AgreementVersion)
class AgreementVersionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    app_scope = "all"
    """Write a new version as a draft, then publish it: everyone is asked to accept it at their next page.
    A published version cannot be edited (publish a new one instead)."""

    list_display = ("version", "title_zh", "title_en", "created_at", "published_at", "published_by", "accepted")
    search_fields = ("version", "title_zh", "title_en")
    fields = ("version", "title_zh", "title_en", "body_zh", "body_en", "created_at", "created_by", "published_at",
              "published_by")
    actions = ["publish_selected"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).select_related("published_by").annotate(n_accepted=Count("acceptances"))

    @admin.display(description=_("accepted by"), ordering="n_accepted")
    def accepted(self, obj):
        return obj.n_accepted

    def get_readonly_fields(self, request, obj=None):
        audit = ("created_at", "created_by", "published_at", "published_by")
        if obj is not None and obj.is_published:
            return ("version", "title_zh", "title_en", "body_zh", "body_en", *audit)
        return audit

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_publish_permission(self, request):
        return request.user.has_perm("governance.publish_agreementversion")

    @admin.action(description=_("Publish the selected version (everyone must accept it)"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one version to publish."), messages.ERROR)
            return
        try:
            version = accounts.publish_agreement(queryset.get(), actor=request.user)
        except BusinessRuleError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        self.message_user(request, _("Version %(version)s is published; every user is asked to accept it.")
                          % {"version": version.version}, messages.SUCCESS)


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(ReadOnlyAdmin):
    app_scope = "all"
    """Read-only: acceptances are written only by the user accepting."""

    list_display = ("accepted_at", "user", "version", "ip_address")
    list_filter = ("version",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "ip_address")
    list_select_related = ("user", "version")
    readonly_fields = ("user", "version", "accepted_at", "ip_address", "user_agent")
    fields = readonly_fields
    date_hierarchy = "accepted_at"


# --- two-factor devices: never the secret ------------------------------------------------------------------------
# django-otp's own admin shows a device's key and an otpauth QR code page (/config/, /qrcode/) to anyone with the view
# permission: with a known password that defeats the second factor. Here a device shows who, what and when, nobody
# (superusers included) sees or edits its secret after enrolment, and IT may delete one (a reset: the person
# enrols again), as on the account page.
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    app_scope = "all"  # IT sees every account's two-factor state on the account pages
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username", "name")
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # enrolment shows the secret once, to its owner, on the two-factor page

    def has_change_permission(self, request, obj=None):
        return False
