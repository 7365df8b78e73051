from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from hardware_erp.core.models import TimeStampedModel


class System(TimeStampedModel):
    """A system IT keeps running (ERP, network, printers…) with its emergency plan."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(pgettext_lazy("support", "description"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    plan_contacts = models.TextField(_("emergency contacts"), blank=True,
                                     help_text=_("One contact a line: name, role, phone."))
    plan_steps = models.TextField(_("emergency steps"), blank=True,
                                  help_text=_("What to do when the system fails, one step a line."))
    plan_reviewed_at = models.DateField(_("plan reviewed"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("system")
        verbose_name_plural = _("systems")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("support:system", args=[self.pk])

    @property
    def contact_lines(self):
        return [line.strip() for line in self.plan_contacts.splitlines() if line.strip()]

    @property
    def step_lines(self):
        return [line.strip() for line in self.plan_steps.splitlines() if line.strip()]


class IncidentQuerySet(models.QuerySet):
    def for_user(self, user):
        """Declared incidents are public to every employee; drafts only to IT."""
        if user.has_perm("support.change_incident"):
            return self
        return self.exclude(status=Incident.Status.DRAFT)


class Incident(TimeStampedModel):
    class Severity(models.TextChoices):
        MINOR = "minor", _("Minor (degraded)")
        MAJOR = "major", _("Major (partly down)")
        CRITICAL = "critical", _("Critical (down)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (to confirm)")
        OPEN = "open", _("Ongoing")
        RESOLVED = "resolved", _("Resolved")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what users notice"), blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MAJOR)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN,
                              db_index=True)
    systems = models.ManyToManyField(System, verbose_name=_("affected systems"), blank=True,
                                     related_name="incidents")
    departments = models.ManyToManyField("core.Department", verbose_name=_("affected departments"), blank=True,
                                         related_name="+", help_text=_("Leave empty to tell everyone."))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    estimated_recovery_at = models.DateTimeField(_("estimated recovery"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("declared by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    source_check = models.CharField(_("failing check"), max_length=50, blank=True)
    review_cause = models.TextField(_("cause"), blank=True)
    review_actions = models.TextField(_("actions to prevent it"), blank=True)
    reviewed_at = models.DateTimeField(pgettext_lazy("support", "reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("support", "reviewed by"),
                                    null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("support:incident", args=[self.pk])

    @property
    def number(self):
        return f"INC-{self.pk:04d}"

    @property
    def duration(self):
        return (self.resolved_at or timezone.now()) - self.started_at


class IncidentUpdate(models.Model):
    """One entry of an incident's public timeline."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates",
                                 verbose_name=_("incident"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("support", "author"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("update"))
    estimated_recovery_at = models.DateTimeField(_("new estimated recovery"), null=True, blank=True)
    is_resolution = models.BooleanField(_("resolution"), default=False)
    created_at = models.DateTimeField(pgettext_lazy("support", "posted"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("incident update")
        verbose_name_plural = _("incident updates")

    def __str__(self):
        return self.body[:60]


class MaintenanceWindow(TimeStampedModel):
    """Planned work: announced with a banner from `announce_from` until it ends."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what users should expect"), blank=True)
    systems = models.ManyToManyField(System, verbose_name=_("systems"), blank=True, related_name="maintenance")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    announce_from = models.DateTimeField(_("announce from"),
                                         help_text=_("The banner shows from this moment until the window ends."))
    cancelled = models.BooleanField(pgettext_lazy("support", "cancelled"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")

    def __str__(self):
        return self.title
