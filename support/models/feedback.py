from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hardware_erp.core.models import TimeStampedModel


class SuggestionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self  # suggestions are open to every employee: that is how votes gather


class Suggestion(TimeStampedModel):
    class Status(models.TextChoices):
        REVIEW = "review", _("Under review")
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        DECLINED = "declined", _("Declined")

    class Area(models.TextChoices):
        ERP = "erp", _("ERP system")
        HARDWARE = "hardware", _("Computers and devices")
        NETWORK = "network", _("Network and Wi-Fi")
        PRINTING = "printing", _("Printing and scanning")
        OTHER = "other", _("Other")

    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("support", "author"),
                               on_delete=models.PROTECT,
                               related_name="+")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("suggestion"))
    area = models.CharField(_("area"), max_length=20, choices=Area.choices, default=Area.ERP)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REVIEW,
                              db_index=True)
    answer = models.TextField(_("IT's answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    vote_count = models.PositiveIntegerField(_("votes"), default=0, db_index=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-vote_count", "-created_at"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        permissions = [("answer_suggestion", _("Can answer suggestions and set their status"))]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("support:suggestion", args=[self.pk])


class Vote(models.Model):
    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="votes",
                                   verbose_name=_("suggestion"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["suggestion", "user"], name="support_one_vote_per_person")]

    def __str__(self):
        return f"{self.user_id} → {self.suggestion_id}"
