from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .phones import PhoneField


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class BilingualNameModel(models.Model):
    """Names kept in both languages; `name` shows the one of the active language."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        lang = translation.get_language() or "en"
        if lang.startswith("zh"):
            return self.name_zh or self.name_en
        return self.name_en or self.name_zh

    def __str__(self):
        return self.name


class ModuleAccess(models.Model):
    """No table: carries the permissions that open each module (sidebar entry and landing page)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("access_crm", _("Can use the CRM module")),
            ("access_inventory", _("Can use the inventory module")),
            ("access_orders", _("Can use the sales orders module")),
            ("access_governance", _("Can use the data governance module")),
            ("access_training", _("Can use the training module")),
            ("access_support", _("Can use the support module")),
            ("access_performance", _("Can use the performance module")),
        ]

    def __str__(self):
        return "module access"


class Department(BilingualNameModel, TimeStampedModel):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    parent = models.ForeignKey("self", verbose_name=_("parent department"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    head = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("head"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="headed_departments")
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")


class Employee(TimeStampedModel):
    """The employee profile of a user: one per user, created with the user."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employee",
                                verbose_name=_("user"))
    department = models.ForeignKey(Department, verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="employees")
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("manager"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="reports")
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    work_phone = PhoneField(_("work phone"), blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True,
                                help_text=_("Language of e-mails and notifications; the last one used to sign in."))
    email_notifications = models.BooleanField(
        _("notifications by e-mail"), default=True,
        help_text=_("Every notification is shown here; with this, it is also sent to your e-mail address."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")

    def __str__(self):
        return self.user.get_full_name() or self.user.username


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    class Level(models.TextChoices):
        INFO = "info", _("Information")
        SUCCESS = "success", _("Success")
        WARNING = "warning", _("Warning")
        DANGER = "danger", _("Urgent")

    class EmailStatus(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications", verbose_name=_("recipient"))
    # what to say, as a phrase (code and parameters, core/phrases.py) put into words when read; `legacy_text` holds
    # text that is not a phrase (a plain string given to notify) and the text of notifications stored before phrases
    phrase = models.JSONField(_("message"), null=True, blank=True)
    legacy_text = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.INFO)
    key = models.CharField(_("key"), max_length=200, blank=True,
                           help_text=_("Sends a notification once per key and recipient."))
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_status = models.CharField(_("e-mail"), max_length=10, choices=EmailStatus.choices,
                                    default=EmailStatus.PENDING)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], condition=~Q(key=""),
                                    name="notification_once_per_key"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"]),
                   models.Index(fields=["email_status"], name="notification_email_pending",
                                condition=Q(email_status="pending"))]

    def __str__(self):
        return self.text[:80]

    @property
    def text(self) -> str:
        """The message in the active language (the reader's: only the recipient reads it)."""
        from .phrases import render_phrase

        return render_phrase(self.phrase, self.legacy_text)

    @property
    def message(self) -> str:
        """The message in the recipient's own language (e-mails, tasks)."""
        lang = getattr(getattr(self.recipient, "employee", None), "language", "") or settings.LANGUAGE_CODE
        with translation.override(lang):
            return self.text


class IntegrityRun(models.Model):
    """One run of the invariant checks (`manage.py check_integrity`)."""

    started_at = models.DateTimeField(_("started"), db_index=True)
    seconds = models.FloatField(_("seconds"))
    ok = models.BooleanField(_("all invariants hold"))
    results = models.JSONField(_("results"), default=list)

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"
        verbose_name = _("integrity check")
        verbose_name_plural = _("integrity checks")

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'problems'}"

    @property
    def problem_count(self):
        return sum(r["count"] for r in self.results)


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker reported; /healthz reads it."""

    hostname = models.CharField(max_length=200, primary_key=True)
    beat_at = models.DateTimeField()

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return f"{self.hostname} {self.beat_at:%Y-%m-%d %H:%M:%S}"


class FormSubmission(models.Model):
    """A one-time token of a form that creates or changes something: the first POST claims it, a second POST
    of the same form (double click, resent page) finds it claimed and is sent to what the first one saved."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=300)
    result_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self):
        return f"{self.path} {self.created_at:%Y-%m-%d %H:%M:%S}"


class OutboxTask(models.Model):
    """A Celery task queued in the same transaction as the rows it is about. Sent after commit and deleted;
    left here when the broker was down, and sent by `core.drain_outbox_task` once it is back."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("queued task")
        verbose_name_plural = _("queued tasks")

    def __str__(self):
        return f"{self.task} {self.args}"


class ExportJob(models.Model):
    """A list export too big to answer inside the request: written to a file by a worker (queue `reports`), offered to
    the user who asked (and only them, while their role still opens the list) until it expires."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being written")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs",
                             verbose_name=_("user"))
    path = models.CharField(_("list"), max_length=300, help_text=_("The list page that was exported."))
    query = models.CharField(max_length=2000, blank=True)
    fmt = models.CharField(_("format"), max_length=10)
    filename = models.CharField(_("file name"), max_length=200)
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.CharField(max_length=300, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True, help_text="technical, for the log; users see the status")
    created_at = models.DateTimeField(_("asked"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self):
        return f"{self.filename} ({self.status})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("core:export_job", args=[self.pk])

    @property
    def is_ready(self):
        return self.status == self.Status.DONE and (self.expires_at is None or self.expires_at > timezone.now())

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(self.rows_done * 100 / self.rows_total))


class CompanyProfile(models.Model):
    """One row: the company's own details, printed as the header of every document (quotation, order, delivery
    note, statement, receipt, purchase order) and used as the seller on VAT invoice exports."""

    name = models.CharField(_("company name"), max_length=200, blank=True)
    name_en = models.CharField(_("company name (English)"), max_length=200, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    logo = models.FileField(_("logo"), upload_to="company/", blank=True, help_text=_("PNG or JPEG, printed at 15 mm."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("updated by"))

    class Meta:
        verbose_name = _("company profile")
        verbose_name_plural = _("company profile")
        permissions = [("edit_companyprofile", _("Can edit the company profile"))]

    def __str__(self):
        return self.name or str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "CompanyProfile":
        """The saved profile, or an empty unsaved one (reading never writes)."""
        return cls.objects.order_by("pk").first() or cls()
