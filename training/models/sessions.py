from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from hardware_erp.core.models import TimeStampedModel

from ..choices import ExternalKind, ModuleChoices, SeatStatus, SessionStatus
from .base import Bilingual, in_language


class TrainingSession(Bilingual, TimeStampedModel):
    """An in-service training session: a topic, a trainer, a time and a place (or an online link)."""

    title_zh = models.CharField(_("topic (Chinese)"), max_length=200)
    title_en = models.CharField(_("topic (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    module = models.CharField(_("module"), max_length=20, choices=ModuleChoices.choices,
                              default=ModuleChoices.GENERAL)
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("trainer"), on_delete=models.PROTECT,
                                related_name="sessions_given")
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), default=20)
    status = models.CharField(_("status"), max_length=12, choices=SessionStatus.choices,
                              default=SessionStatus.SCHEDULED)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        permissions = [("take_attendance", _("Can take attendance at training sessions"))]

    @property
    def description(self):
        return in_language(self, "description")

    def get_absolute_url(self):
        return reverse("training:session", args=[self.pk])


class SessionSeat(models.Model):
    session = models.ForeignKey(TrainingSession, verbose_name=_("session"), on_delete=models.CASCADE,
                                related_name="seats")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("participant"), on_delete=models.CASCADE,
                             related_name="session_seats")
    status = models.CharField(_("status"), max_length=12, choices=SeatStatus.choices, default=SeatStatus.ENROLLED)
    requested_at = models.DateTimeField(pgettext_lazy("training", "requested"), auto_now_add=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("session seat")
        verbose_name_plural = _("session seats")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="seat_once_per_session")]

    def __str__(self):
        return f"{self.session} · {self.user}"


class SessionFeedback(models.Model):
    session = models.ForeignKey(TrainingSession, verbose_name=_("session"), on_delete=models.CASCADE,
                                related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("participant"), on_delete=models.CASCADE,
                             related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    useful = models.BooleanField(_("useful for my work"), default=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("session feedback")
        verbose_name_plural = _("session feedback")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="feedback_once_per_session")]

    def __str__(self):
        return f"{self.session} · {self.rating}"


class ExternalTrainingQuerySet(models.QuerySet):
    def for_user(self, user):
        if user.has_perm("training.view_team_progress"):
            return self
        return self.filter(user=user)


class ExternalTraining(TimeStampedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.CASCADE,
                             related_name="external_trainings")
    kind = models.CharField(_("kind"), max_length=20, choices=ExternalKind.choices, default=ExternalKind.COURSE)
    title = models.CharField(pgettext_lazy("training", "title"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    certificate = models.FileField(_("certificate"), upload_to="training/external/%Y/", blank=True,
                                   help_text=_("PDF, PNG or JPEG."))
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    objects = ExternalTrainingQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("external training")
        verbose_name_plural = _("external trainings")

    def __str__(self):
        return self.title
