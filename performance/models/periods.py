import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..choices import PeriodKindChoices, PeriodStatusChoices
from .catalogue import KPI, default_bands


class Period(models.Model):
    """An appraisal period: a calendar month or quarter, [start, end) in local dates."""

    kind = models.CharField(_("kind"), max_length=10, choices=PeriodKindChoices.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end (exclusive)"))
    status = models.CharField(_("status"), max_length=10, choices=PeriodStatusChoices.choices,
                              default=PeriodStatusChoices.OPEN)
    computed_at = models.DateTimeField(pgettext_lazy("performance", "computed"), null=True, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("performance", "closed"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("closed by"))

    class Meta:
        ordering = ["-start", "kind"]
        verbose_name = _("appraisal period")
        verbose_name_plural = _("appraisal periods")
        constraints = [models.UniqueConstraint(fields=["kind", "start"], name="period_once_per_kind_start")]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        if self.kind == PeriodKindChoices.QUARTER:
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatusChoices.CLOSED

    def bounds(self):
        """The period as aware datetimes [start, end) in the project's time zone."""
        tz = timezone.get_default_timezone()
        return (datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz),
                datetime.datetime.combine(self.end, datetime.time.min, tzinfo=tz))

    @property
    def has_ended(self) -> bool:
        return timezone.localdate() >= self.end


class PeriodKPI(models.Model):
    """A KPI's target, weight and bands for one role in one period (copied from the catalogue when the
    period is created; managers may change them while the period is open)."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("period"))
    kpi = models.ForeignKey(KPI, on_delete=models.PROTECT, related_name="period_settings", verbose_name=_("KPI"))
    role = models.CharField(pgettext_lazy("performance", "role"), max_length=30)
    target = models.DecimalField(_("target"), max_digits=10, decimal_places=2)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    bands = models.JSONField(_("scoring bands"), default=default_bands)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("changed by"))
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)

    class Meta:
        ordering = ["role", "kpi__position", "kpi__code"]
        verbose_name = _("period KPI setting")
        verbose_name_plural = _("period KPI settings")
        constraints = [models.UniqueConstraint(fields=["period", "kpi", "role"], name="periodkpi_once")]

    def __str__(self):
        return f"{self.period} · {self.kpi.code} · {self.role}"


class ComputationRun(models.Model):
    """One computation of a period: who, when, how many values, and which stored values changed."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="runs", verbose_name=_("period"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("started by"))
    started_at = models.DateTimeField(pgettext_lazy("performance", "started"), default=timezone.now)
    finished_at = models.DateTimeField(pgettext_lazy("performance", "finished"), null=True, blank=True)
    people = models.PositiveIntegerField(_("people"), default=0)
    values = models.PositiveIntegerField(_("values"), default=0)
    skipped_closed = models.PositiveIntegerField(_("closed scorecards kept"), default=0)
    changes = models.JSONField(_("changed values"), default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("computation run")
        verbose_name_plural = _("computation runs")

    def __str__(self):
        return f"{self.period} {self.started_at:%Y-%m-%d %H:%M}"


class KPIValue(models.Model):
    """One person's value of one KPI in one period, with the target, weight and score it was judged by.
    `value` is null when the KPI had no data for the person (shown as "no data", never as zero)."""

    scorecard = models.ForeignKey("performance.Scorecard", on_delete=models.CASCADE, related_name="values",
                                  verbose_name=_("scorecard"))
    kpi = models.ForeignKey(KPI, on_delete=models.PROTECT, related_name="values", verbose_name=_("KPI"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True, blank=True)
    records = models.PositiveIntegerField(pgettext_lazy("performance", "records"), default=0)
    records_ok = models.PositiveIntegerField(_("records that count"), default=0)
    target = models.DecimalField(_("target"), max_digits=10, decimal_places=2)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    missing_sources = models.JSONField(_("selectors not available"), default=list, blank=True)
    computed_at = models.DateTimeField(pgettext_lazy("performance", "computed"))

    class Meta:
        ordering = ["kpi__position", "kpi__code"]
        verbose_name = _("KPI value")
        verbose_name_plural = _("KPI values")
        constraints = [models.UniqueConstraint(fields=["scorecard", "kpi"], name="kpivalue_once")]

    def __str__(self):
        return f"{self.kpi.code}={self.value}"

    @property
    def has_data(self) -> bool:
        return self.value is not None

    @property
    def missing_apps(self) -> list[str]:
        """The apps whose selectors this value could not read yet (from the dotted paths)."""
        return sorted({path.split(".", 1)[0] for path in self.missing_sources})

    @property
    def below_target(self) -> bool:
        from ..choices import DirectionChoices

        if self.value is None:
            return False
        if self.kpi.direction == DirectionChoices.LOWER:
            return self.value > self.target
        return self.value < self.target


class Evidence(models.Model):
    """One record behind a KPI value, as the owning app's selector described it."""

    kpi_value = models.ForeignKey(KPIValue, on_delete=models.CASCADE, related_name="evidence",
                                  verbose_name=_("KPI value"))
    model = models.CharField(_("record type"), max_length=100)
    object_id = models.CharField(_("record id"), max_length=64)
    label = models.CharField(_("record"), max_length=300)
    url = models.CharField(_("link"), max_length=500, blank=True)
    ok = models.BooleanField(_("counts"), null=True)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True, blank=True)
    detail = models.CharField(_("why"), max_length=500, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return f"{self.model}#{self.object_id}"
