"""Governance records: change requests for key data and the security log.

Both are append-only in spirit: a change request is written once and then only moves from
pending to approved/rejected through `governance.services`; a security event is never
changed or deleted by anyone (the model refuses it, the admin is read-only and no role holds
change/delete permissions).
"""

import json

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .fields import EncryptedTextField


class ChangeRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ChangeRequest.Status.PENDING)

    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk)

    def for_user(self, user):
        """Reviewers see every request; everyone else sees the requests they made."""
        if user.has_perm("governance.view_changerequest"):
            return self
        return self.filter(requester=user)


class ChangeRequest(models.Model):
    """A change of key data waiting for (or decided by) a reviewer.

    `changes` holds {field: {"old": value, "new": value}} in JSON form; it is stored encrypted,
    because key data includes bank accounts and tax numbers. `base_fingerprint` is a hash of the
    record's key data when the request was made: approval refuses when it no longer matches.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", pgettext_lazy("governance", "Approved")
        REJECTED = "rejected", _("Rejected")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("record"), max_length=200)
    field_names = models.CharField(_("fields"), max_length=500)
    changes_data = EncryptedTextField(_("changes"))
    base_fingerprint = models.CharField(_("base fingerprint"), max_length=64)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("requested by"),
                                  related_name="change_requests")
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 verbose_name=_("reviewed by"), related_name="reviewed_change_requests")
    comment = models.TextField(_("review comment"), blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now, db_index=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        default_permissions = ("view",)
        permissions = [("approve_changerequest", _("Can approve or reject changes of key data"))]
        indexes = [models.Index(fields=["content_type", "object_id", "status"])]

    def __str__(self):
        return f"#{self.pk} {self.object_repr}"

    @property
    def changes(self) -> dict:
        return json.loads(self.changes_data or "{}")

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def record_type(self):
        model = self.content_type.model_class()
        return model._meta.verbose_name if model else self.content_type.model

    @property
    def model_label(self) -> str:
        return f"{self.content_type.app_label}.{self.content_type.model}"

    def diff(self):
        """[{"field", "label", "old", "new"}] with readable values."""
        from .keydata import readable_changes

        return readable_changes(self)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("governance:changerequest", args=[self.pk])


class AppendOnlyModel(models.Model):
    """Rows are written once: saving an existing row or deleting one is refused."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(f"{type(self).__name__} rows are append-only")


class SecurityEventQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionDenied("security events are append-only")

    def update(self, **kwargs):
        raise PermissionDenied("security events are append-only")


class SecurityEvent(AppendOnlyModel):
    class Kind(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGOUT = "logout", _("Signed out")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOCKED_OUT = "locked_out", pgettext_lazy("governance", "Account locked")
        EXPORT = "export", _("Data exported")
        PERMISSION_DENIED = "denied", pgettext_lazy("governance", "Access denied")
        CHANGE_REQUESTED = "change_requested", _("Key data change requested")
        CHANGE_APPROVED = "change_approved", _("Key data change approved")
        CHANGE_REJECTED = "change_rejected", _("Key data change rejected")
        AGREEMENT_ACCEPTED = "agreement", _("Confidentiality agreement accepted")
        OTP_ENABLED = "otp_enabled", _("Two-factor sign-in set up")
        OTP_DISABLED = "otp_disabled", _("Two-factor sign-in turned off")
        OTP_FAILED = "otp_failed", _("Wrong two-factor code")
        SESSIONS_ENDED = "sessions_ended", _("Other sessions ended")
        BACKUP = "backup", _("Backup")
        RESTORE = "restore", _("Restore")
        KEYS_ROTATED = "keys_rotated", _("Encryption keys rotated")
        ADMIN_CHANGE = "admin_change", _("Changed in the administration")
        ROLE_GRANTED = "role_granted", _("Role given")
        ROLE_REVOKED = "role_revoked", _("Role removed")
        PERMISSION_GRANTED = "perm_granted", _("Permission given")
        PERMISSION_REVOKED = "perm_revoked", _("Permission removed")
        USER_CREATED = "user_created", _("User account created")
        USER_CHANGED = "user_changed", _("User account changed")
        USER_DEACTIVATED = "user_deactivated", _("User account deactivated")
        USER_REACTIVATED = "user_reactivated", _("User account reactivated")
        PASSWORD_RESET = "password_reset", _("Password reset")
        OTP_RESET = "otp_reset", _("Two-factor sign-in reset")
        UNLOCKED = "unlocked", _("Lock-out lifted")
        API_TOKEN_CREATED = "api_token_created", _("API token created")
        API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")

    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             verbose_name=_("user"), related_name="security_events")
    username = models.CharField(_("user name"), max_length=150, blank=True,
                                help_text=_("As typed, for failed sign-ins of unknown users."))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    path = models.CharField(pgettext_lazy("governance", "address"), max_length=500, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        default_permissions = ("view",)
        permissions = [("manage_users", _("Can manage user accounts (create, roles, deactivate, reset)")),
                       ("unlock_accounts", _("Can lift sign-in lock-outs"))]
        indexes = [models.Index(fields=["user", "kind", "created_at"])]
        constraints = [models.CheckConstraint(condition=~Q(kind=""), name="securityevent_kind_set")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.username} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def summary(self) -> str:
        """The event's details in the reader's language: stored as the kind (the code) and parameters, put into
        words now. Model labels, records and field names are shown by their names in the reader's language."""
        d = self.detail or {}
        template = EVENT_TEXTS.get(self.kind)
        if self.kind == SecurityEvent.Kind.BACKUP:
            template = BACKUP_TEXTS[bool(d.get("ok"))]
        if template is not None:
            params = {k: _readable(k, v, d) for k, v in d.items()}
            text = str(template)
            try:
                out = text % _Blank(params)
            except (TypeError, ValueError):
                out = ""
            if out:
                comment = d.get("comment")
                return f"{out} {comment}".strip() if comment and "%(comment)" not in text else out
        parts = [f"{k}: {v}" for k, v in d.items() if v not in (None, "")]
        return "; ".join(parts)


class _Blank(dict):
    """Parameters for a text: a detail a row does not have reads as empty (rows written before it existed)."""

    def __missing__(self, key):
        return ""


def _model(label):
    from django.apps import apps

    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _readable(key, value, detail):
    """A detail as a reader sees it: a choice's label, a model's name, a record as "customer #31", field names."""
    if key in PARAM_LABELS:
        return str(PARAM_LABELS[key].get(value, value))
    if key == "role":
        from hardware_erp.core.roles import ROLES

        for role in ROLES.values():
            if value in (role.group, role.key):
                return str(role.label)
        return value
    if key == "model" and isinstance(value, str):
        model = _model(value)
        return str(model._meta.verbose_name_plural if detail.get("rows") is not None else model._meta.verbose_name) \
            if model else value
    if key == "record" and isinstance(value, str) and "#" in value:
        label, _sep, pk = value.rpartition("#")
        model = _model(label)
        return f"{model._meta.verbose_name} #{pk}" if model else value
    if key == "fields":
        names = value.split(",") if isinstance(value, str) else list(value or [])
        model = _model(str(detail.get("record", "")).rpartition("#")[0]) if detail.get("record") else None
        if model is None and detail.get("target"):
            from django.contrib.auth import get_user_model

            model = get_user_model()
        out = []
        for name in (n.strip() for n in names if n.strip()):
            try:
                out.append(str(model._meta.get_field(name).verbose_name) if model else name)
            except Exception:  # noqa: BLE001 - a field since removed, or a profile field: its name as stored
                out.append(name)
        return ", ".join(out)
    return value


PARAM_LABELS = {
    "action": {"add": _("Added"), "change": _("Changed"), "delete": _("Deleted")},
    "how": {"temporary": _("one-time temporary password"), "link": _("set-password link")},
    "what": {"backup": _("Backup"), "verify": _("Verification"), "restore": _("Restore")},
}

EVENT_TEXTS = {
    SecurityEvent.Kind.ADMIN_CHANGE: _("%(action)s %(model)s “%(object)s” in the administration"),
    SecurityEvent.Kind.ROLE_GRANTED: _("%(target)s was given the role %(role)s"),
    SecurityEvent.Kind.ROLE_REVOKED: _("%(target)s no longer has the role %(role)s"),
    SecurityEvent.Kind.PERMISSION_GRANTED: _("%(target)s was given the permission %(perm)s"),
    SecurityEvent.Kind.PERMISSION_REVOKED: _("%(target)s no longer has the permission %(perm)s"),
    SecurityEvent.Kind.USER_CREATED: _("Account %(target)s created"),
    SecurityEvent.Kind.USER_CHANGED: _("Account %(target)s changed: %(fields)s"),
    SecurityEvent.Kind.USER_DEACTIVATED: _("Account %(target)s deactivated"),
    SecurityEvent.Kind.USER_REACTIVATED: _("Account %(target)s reactivated"),
    SecurityEvent.Kind.PASSWORD_RESET: _("Password of %(target)s reset (%(how)s)"),
    SecurityEvent.Kind.OTP_RESET: _("Two-factor sign-in of %(target)s reset"),
    SecurityEvent.Kind.UNLOCKED: _("Lock-out of %(target)s lifted (%(ip)s)"),
    SecurityEvent.Kind.CHANGE_REQUESTED: _("Change request %(change_request)s: %(record)s (%(fields)s)"),
    SecurityEvent.Kind.CHANGE_APPROVED: _("Change request %(change_request)s approved: %(record)s (%(fields)s)"),
    SecurityEvent.Kind.CHANGE_REJECTED: _("Change request %(change_request)s rejected: %(record)s (%(fields)s)"),
    SecurityEvent.Kind.AGREEMENT_ACCEPTED: _("Version %(version)s"),
    SecurityEvent.Kind.OTP_ENABLED: _("Device %(device)s"),
    SecurityEvent.Kind.OTP_DISABLED: _("Device %(device)s"),
    SecurityEvent.Kind.SESSIONS_ENDED: _("Sessions ended: %(sessions)s"),
    SecurityEvent.Kind.KEYS_ROTATED: _("Values encrypted again: %(values)s"),
    SecurityEvent.Kind.PERMISSION_DENIED: _("%(method)s %(view)s"),
    SecurityEvent.Kind.EXPORT: _("%(model)s: %(rows)s rows (%(format)s)"),
    SecurityEvent.Kind.API_TOKEN_CREATED: _("API token “%(object)s” for %(target)s created"),
    SecurityEvent.Kind.API_TOKEN_REVOKED: _("API token “%(object)s” of %(target)s revoked"),
}
BACKUP_TEXTS = {True: _("%(what)s written: %(file)s"), False: _("%(what)s failed: %(error)s")}


class BackupRun(models.Model):
    """One run of the nightly backup or the weekly verification (the IT page and backup_status() read them)."""

    class Kind(models.TextChoices):
        BACKUP = "backup", _("Backup")
        VERIFY = "verify", _("Verification")
        RESTORE = "restore", _("Restore")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, db_index=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    ok = models.BooleanField(_("succeeded"), default=False)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("backup run")
        verbose_name_plural = _("backup runs")
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'failed'}"


class ImportLog(models.Model):
    """One import of a spreadsheet by a user (apps record it with `governance.services.record_import`);
    the error rate per person feeds the data-quality page and the performance KPI."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             verbose_name=_("user"), related_name="+")
    model_label = models.CharField(_("records"), max_length=100)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    error_rows = models.PositiveIntegerField(_("rows refused"), default=0)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        default_permissions = ("view",)
        permissions = [("view_data_quality", _("Can see the data quality page"))]

    def __str__(self):
        return f"{self.model_label} {self.file_name}"


# --- confidentiality agreement ---------------------------------------------------------------------------------

class AgreementVersionQuerySet(models.QuerySet):
    def published(self):
        return self.exclude(published_at=None)

    def current(self):
        """The version everyone must have accepted: the one published last (None before the first)."""
        return self.published().order_by("-published_at", "-pk").first()


class AgreementVersion(models.Model):
    """One version of the confidentiality agreement (保密协议), in both languages.

    A draft can be edited; once published its texts are frozen (a change is a new version), and every user
    must accept it before using the system (`governance.middleware.AccountGateMiddleware`)."""

    version = models.CharField(_("version"), max_length=20, unique=True, help_text=_("For example 2026-1."))
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_zh = models.TextField(_("text (Chinese)"))
    body_en = models.TextField(_("text (English)"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   verbose_name=_("created by"), related_name="+")
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     verbose_name=_("published by"), related_name="+")

    objects = AgreementVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at", "-pk"]
        verbose_name = _("confidentiality agreement version")
        verbose_name_plural = _("confidentiality agreement versions")
        permissions = [("publish_agreementversion", _("Can publish a confidentiality agreement version"))]

    def __str__(self):
        return f"{self.version} {self.title_zh or self.title_en}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def title_in(self, language: str) -> str:
        return (self.title_zh or self.title_en) if language.startswith("zh") else (self.title_en or self.title_zh)

    def body_in(self, language: str) -> str:
        return (self.body_zh or self.body_en) if language.startswith("zh") else (self.body_en or self.body_zh)


class AgreementAcceptance(AppendOnlyModel):
    """A user accepted one version: who, which version, when, from which address. Never changed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("user"),
                             related_name="agreement_acceptances")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, verbose_name=_("version"),
                                related_name="acceptances")
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        ordering = ["-accepted_at", "-pk"]
        verbose_name = _("agreement acceptance")
        verbose_name_plural = _("agreement acceptances")
        default_permissions = ("view",)
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="agreement_accepted_once")]

    def __str__(self):
        return f"{self.user} {self.version.version} {self.accepted_at:%Y-%m-%d %H:%M}"


# --- sessions ------------------------------------------------------------------------------------------------

class UserSession(models.Model):
    """A signed-in browser of a user, so that the user can see and end their other sessions.

    Written at sign-in and refreshed (at most once a minute) by `AccountGateMiddleware`; the session itself lives
    in Django's session store, and ending one deletes it there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("user"),
                             related_name="tracked_sessions")
    session_key = models.CharField(pgettext_lazy("governance", "session"), max_length=40, unique=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("signed in"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-last_seen", "-pk"]
        verbose_name = pgettext_lazy("governance", "session")
        verbose_name_plural = pgettext_lazy("governance", "sessions")
        default_permissions = ()

    def __str__(self):
        return f"{self.user} {self.ip_address or ''} {self.last_seen:%Y-%m-%d %H:%M}"

    @property
    def device(self) -> str:
        """"Chrome 131 · Windows" from the browser's user agent ("" when it says nothing known)."""
        return describe_user_agent(self.user_agent)


BROWSERS = [("Edg/", "Edge"), ("OPR/", "Opera"), ("MicroMessenger/", "WeChat"), ("Firefox/", "Firefox"),
            ("HeadlessChrome/", "Chrome (headless)"), ("Chrome/", "Chrome"), ("Version/", "Safari")]
SYSTEMS = [("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
           ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux")]


def describe_user_agent(agent: str) -> str:
    browser = next((f"{name} {agent.split(token, 1)[1].split('.')[0].split(' ')[0]}".strip()
                    for token, name in BROWSERS if token in agent), "")
    system = next((name for token, name in SYSTEMS if token in agent), "")
    return " · ".join(part for part in (browser, system) if part)
