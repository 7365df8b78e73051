from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from hardware_erp.core.models import TimeStampedModel

from .base import Bilingual, in_language


def _role_choices():
    from hardware_erp.core.roles import ROLES

    return [(k, r.label) for k, r in ROLES.items()]


class OnboardingPlan(Bilingual, TimeStampedModel):
    role = models.CharField(pgettext_lazy("training", "role"), max_length=30, choices=_role_choices, unique=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    courses = models.ManyToManyField("training.Course", through="PlanCourse", related_name="plans",
                                     verbose_name=_("courses"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["role"]
        verbose_name = _("onboarding plan")
        verbose_name_plural = _("onboarding plans")

    @property
    def description(self):
        return in_language(self, "description")

    def get_absolute_url(self):
        return reverse("training:plan", args=[self.pk])


class PlanCourse(models.Model):
    plan = models.ForeignKey(OnboardingPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items")
    course = models.ForeignKey("training.Course", verbose_name=_("course"), on_delete=models.PROTECT,
                               related_name="plan_items")
    order = models.PositiveIntegerField(pgettext_lazy("training", "order"), default=1)
    due_days = models.PositiveIntegerField(_("due (days after hire)"), default=7)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name = _("plan course")
        verbose_name_plural = _("plan courses")
        constraints = [models.UniqueConstraint(fields=["plan", "course"], name="plan_course_once")]

    def __str__(self):
        return f"{self.plan} · {self.course}"


class PlanAssignmentQuerySet(models.QuerySet):
    def for_user(self, user):
        if user.has_perm("training.view_team_progress"):
            return self
        return self.filter(Q(user=user) | Q(mentor=user))


class PlanAssignment(TimeStampedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("new employee"), on_delete=models.CASCADE,
                             related_name="onboarding_assignments")
    plan = models.ForeignKey(OnboardingPlan, verbose_name=_("plan"), on_delete=models.PROTECT,
                             related_name="assignments")
    start_date = models.DateField(_("start date"))
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("mentor"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="mentees")
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    history = HistoricalRecords()

    objects = PlanAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "pk"]
        verbose_name = _("plan assignment")
        verbose_name_plural = _("plan assignments")
        permissions = [("assign_mentor", _("Can choose mentors for new employees"))]
        constraints = [models.UniqueConstraint(fields=["user", "plan"], name="plan_assignment_once")]

    def __str__(self):
        return f"{self.user} · {self.plan}"

    def get_absolute_url(self):
        return reverse("training:mentee", args=[self.pk])


class MentorMessage(models.Model):
    """The thread between a new employee and the mentor, one per plan assignment."""

    assignment = models.ForeignKey(PlanAssignment, on_delete=models.CASCADE, related_name="messages",
                                   verbose_name=_("plan assignment"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("author"))
    body = models.TextField(pgettext_lazy("training", "message"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("mentor message")
        verbose_name_plural = _("mentor messages")

    def __str__(self):
        return self.body[:60]
