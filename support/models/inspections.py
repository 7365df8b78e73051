from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hardware_erp.core.models import TimeStampedModel


class Checklist(TimeStampedModel):
    """A recurring inspection: what to check, how often."""

    class Kind(models.TextChoices):
        SERVER = "server", _("Servers")
        BACKUP = "backup", _("Backups")
        NETWORK = "network", _("Network")
        PRINTER = "printer", _("Printers")
        SCANNER = "scanner", _("Scanners")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    interval_days = models.PositiveSmallIntegerField(_("every (days)"), default=7)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("inspector"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    system = models.ForeignKey("support.System", verbose_name=_("system"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="checklists")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")

    def __str__(self):
        return self.name


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items",
                                  verbose_name=_("checklist"))
    text = models.CharField(_("check"), max_length=300)
    position = models.PositiveSmallIntegerField(pgettext_lazy("support", "order"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self):
        return self.text


class Inspection(TimeStampedModel):
    class Status(models.TextChoices):
        DUE = "due", _("Due")
        DONE = "done", _("Done")

    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="inspections",
                                  verbose_name=_("checklist"))
    due_date = models.DateField(pgettext_lazy("support", "due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DUE,
                              db_index=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField(pgettext_lazy("support", "done"), null=True, blank=True)
    failed_count = models.PositiveSmallIntegerField(_("failed items"), default=0)

    class Meta:
        ordering = ["-due_date", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [models.UniqueConstraint(fields=["checklist", "due_date"], name="support_one_inspection_a_day")]

    def __str__(self):
        return f"{self.checklist} {self.due_date:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("support:inspection", args=[self.pk])


class InspectionResult(models.Model):
    class Result(models.TextChoices):
        OK = "ok", _("OK")
        FAILED = "failed", pgettext_lazy("support", "Failed")
        NA = "na", _("Not applicable")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results",
                                   verbose_name=_("inspection"))
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("check"))
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    note = models.CharField(pgettext_lazy("support", "note"), max_length=300, blank=True)
    ticket = models.ForeignKey("support.Ticket", verbose_name=_("ticket"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["item__position", "pk"]
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="support_one_result_per_item")]

    def __str__(self):
        return f"{self.item}: {self.result}"
