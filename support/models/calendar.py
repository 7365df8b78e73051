from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hardware_erp.core.models import TimeStampedModel


class CalendarDay(TimeStampedModel):
    """A company-specific day that overrides the public calendar (a company outing, an extra workday)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"), default=False,
                                     help_text=_("Ticked: the company works that day; not ticked: a day off."))
    note = models.CharField(pgettext_lazy("support", "note"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-date"]
        verbose_name = _("company calendar day")
        verbose_name_plural = _("company calendar days")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.note}"
