from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from hardware_erp.core.models import Department, TimeStampedModel

from ..choices import ScorecardStatusChoices
from .catalogue import KPI
from .periods import Period


class ScorecardQuerySet(models.QuerySet):
    def for_user(self, user):
        """Own scorecards; a reviewer's direct reports and the departments they head or work in;
        everything for holders of performance.view_all_scorecards."""
        if not user.is_authenticated:
            return self.none()
        if user.has_perm("performance.view_all_scorecards"):
            return self
        q = Q(employee=user)
        if user.has_perm("performance.review_scorecard"):
            q |= Q(employee__employee__manager=user) | Q(department__head=user)
            dept_id = getattr(getattr(user, "employee", None), "department_id", None)
            if dept_id:
                q |= Q(department_id=dept_id)
        return self.filter(q)


class Scorecard(TimeStampedModel):
    """One person's appraisal for one period: computed values, weighted total, adjustments and review."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="scorecards",
                               verbose_name=_("period"))
    employee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="scorecards", verbose_name=_("employee"))
    role = models.CharField(pgettext_lazy("performance", "role"), max_length=30)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="scorecards", verbose_name=_("department"))
    status = models.CharField(_("status"), max_length=15, choices=ScorecardStatusChoices.choices,
                              default=ScorecardStatusChoices.DRAFT, db_index=True)
    computed_score = models.DecimalField(_("computed score"), max_digits=6, decimal_places=2, null=True,
                                         blank=True)
    coverage = models.DecimalField(_("weight with data (%)"), max_digits=5, decimal_places=2, default=0)
    adjustment = models.DecimalField(_("adjustment"), max_digits=6, decimal_places=2, default=0)
    final_score = models.DecimalField(_("final score"), max_digits=6, decimal_places=2, null=True, blank=True,
                                      db_index=True)
    manager_comment = models.TextField(_("manager's comment"), blank=True)
    employee_comment = models.TextField(_("employee's comment"), blank=True)
    computed_at = models.DateTimeField(pgettext_lazy("performance", "computed"), null=True, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("performance", "closed"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ScorecardQuerySet.as_manager()

    class Meta:
        ordering = ["period", "employee__username"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [models.UniqueConstraint(fields=["period", "employee"], name="scorecard_once_per_period")]
        permissions = [
            ("review_scorecard", _("Can review, adjust and close the scorecards of reports")),
            ("view_all_scorecards", _("Can see every scorecard")),
            ("compute_period", _("Can compute and close appraisal periods")),
            ("export_payroll", _("Can export incentive results for payroll")),
        ]

    def __str__(self):
        return f"{self.employee} · {self.period}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("performance:scorecard", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status == ScorecardStatusChoices.CLOSED


class Adjustment(models.Model):
    """A manager's change of the total score, with the reason; kept for good."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="adjustments",
                                  verbose_name=_("scorecard"))
    kpi = models.ForeignKey(KPI, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("KPI"))
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("by"))
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")

    def __str__(self):
        return f"{self.points:+} {self.reason[:40]}"


class ScorecardEvent(models.Model):
    """The history of a scorecard: state changes, comments, adjustments and recomputations."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("Status change")
        COMMENT = "comment", pgettext_lazy("performance", "Comment")
        ADJUSTMENT = "adjustment", _("Adjustment")
        COMPUTED = "computed", _("Computed")

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="events",
                                  verbose_name=_("scorecard"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=15, blank=True)
    to_status = models.CharField(_("to"), max_length=15, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("by"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("scorecard event")
        verbose_name_plural = _("scorecard events")

    def __str__(self):
        return f"{self.kind} {self.from_status}->{self.to_status}"

    @property
    def display_note(self) -> str:
        from django.utils.translation import gettext

        if self.kind == self.Kind.COMPUTED:
            if not self.note:
                return gettext("Computed for the first time.")
            return gettext("Recomputed; changed: %(list)s") % {"list": _kpi_names(self.note)}
        return self.note

    @property
    def to_label(self):
        return ScorecardStatusChoices(self.to_status).label if self.to_status else ""


def _kpi_names(note: str) -> str:
    """The stored "code old → new; ..." list with each KPI's code shown as its name in the reader's language."""
    from .catalogue import KPI

    parts = [p.partition(" ") for p in note.split("; ")]
    names = {k.code: k.name for k in KPI.objects.filter(code__in=[code for code, _s, _r in parts])}
    return "; ".join(f"{names.get(code, code)} {rest}" if rest else names.get(code, code)
                     for code, _s, rest in parts)
