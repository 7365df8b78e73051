import django_tables2 as tables
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hardware_erp.core.tables import PersonColumn

from .models import AgreementAcceptance, BackupRun, ChangeRequest, SecurityEvent

STATUS_TONE = {"pending": "warning", "approved": "success", "rejected": "secondary"}


class ChangeRequestTable(tables.Table):
    id = tables.Column(verbose_name="#", linkify=True)
    object_repr = tables.Column(verbose_name=_("record"))
    content_type = tables.Column(verbose_name=_("record type"), orderable=False)
    changes = tables.Column(verbose_name=_("changes"), accessor="pk", orderable=False)
    requester = PersonColumn(verbose_name=_("requested by"))
    created_at = tables.DateTimeColumn(verbose_name=_("requested"), format="Y-m-d H:i")
    status = tables.Column(verbose_name=_("status"))
    reviewer = PersonColumn(verbose_name=_("reviewed by"))

    class Meta:
        model = ChangeRequest
        fields = ("id", "object_repr", "content_type", "changes", "requester", "created_at", "status", "reviewer")
        attrs = {"class": "table table-hover align-middle mb-0", "data-testid": "changerequest-table"}

    def render_content_type(self, record):
        return record.record_type

    def render_changes(self, record):
        return format_html_join(
            "", '<div class="small"><span class="text-muted">{}:</span> <del>{}</del> → <strong>{}</strong></div>',
            ((d["label"], d["old"], d["new"]) for d in record.diff()))

    def render_status(self, record):
        return format_html('<span class="badge text-bg-{}">{}</span>', STATUS_TONE.get(record.status, "light"),
                           record.get_status_display())


class SecurityEventTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name=_("time"), format="Y-m-d H:i:s")
    kind = tables.Column(verbose_name=_("event"))
    username = tables.Column(verbose_name=_("user"))
    ip_address = tables.Column(verbose_name=_("IP address"))
    path = tables.Column(verbose_name=pgettext_lazy("governance", "address"))
    detail = tables.Column(verbose_name=_("detail"), accessor="summary", orderable=False)

    class Meta:
        model = SecurityEvent
        fields = ("created_at", "kind", "username", "ip_address", "path", "detail")
        attrs = {"class": "table table-sm table-hover align-middle mb-0", "data-testid": "securityevent-table"}


class BackupRunTable(tables.Table):
    started_at = tables.DateTimeColumn(verbose_name=_("started"), format="Y-m-d H:i")
    kind = tables.Column(verbose_name=_("kind"))
    ok = tables.BooleanColumn(verbose_name=_("succeeded"))
    file_name = tables.Column(verbose_name=_("file"))
    size_bytes = tables.Column(verbose_name=_("size"))
    error = tables.Column(verbose_name=_("error"))

    class Meta:
        model = BackupRun
        fields = ("started_at", "kind", "ok", "file_name", "size_bytes", "error")
        attrs = {"class": "table table-sm table-hover align-middle mb-0", "data-testid": "backuprun-table"}

    def render_size_bytes(self, value):
        return filesizeformat(value)


class AgreementAcceptanceTable(tables.Table):
    user = tables.Column(verbose_name=_("user name"), accessor="user__username")
    name = tables.Column(verbose_name=pgettext_lazy("governance", "name"), accessor="user__first_name",
                         order_by=("user__first_name",))
    department = tables.Column(verbose_name=_("department"), accessor="user__employee__department",
                               order_by=("user__employee__department__code",), default="—")
    version = tables.Column(verbose_name=_("version"), accessor="version__version")
    accepted_at = tables.DateTimeColumn(verbose_name=_("accepted"), format="Y-m-d H:i:s")
    ip_address = tables.Column(verbose_name=_("IP address"), default="—")

    class Meta:
        model = AgreementAcceptance
        fields = ("user", "name", "department", "version", "accepted_at", "ip_address")
        attrs = {"class": "table table-sm table-hover align-middle mb-0", "data-testid": "acceptance-table"}

    def render_name(self, record):
        return record.user.get_full_name() or "—"

    def value_name(self, record):
        return record.user.get_full_name()
