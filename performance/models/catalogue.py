from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from hardware_erp.core.models import BilingualNameModel, TimeStampedModel

from ..choices import AggregationChoices, DirectionChoices, UnitChoices


def default_bands():
    """Achievement (value against target, %) -> score, best band first."""
    return [[100, 100], [90, 85], [80, 70], [60, 50], [0, 20]]


class KPI(BilingualNameModel, TimeStampedModel):
    """One key performance indicator: how it is computed (the selectors it reads) and its default
    target, bands and weights per role. Each period copies them into PeriodKPI rows that managers may
    change for that period only."""

    code = models.SlugField(pgettext_lazy("performance", "code"), max_length=50, unique=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    formula = models.TextField(_("formula"), blank=True)
    formula_zh = models.TextField(_("formula (Chinese)"), blank=True)
    sources = models.JSONField(_("evidence selectors"), default=list,
                               help_text=_("Dotted paths of the apps' selector functions this KPI reads."))
    aggregation = models.CharField(_("aggregation"), max_length=10, choices=AggregationChoices.choices,
                                   default=AggregationChoices.SHARE)
    direction = models.CharField(_("direction"), max_length=10, choices=DirectionChoices.choices,
                                 default=DirectionChoices.HIGHER)
    unit = models.CharField(_("unit"), max_length=10, choices=UnitChoices.choices, default=UnitChoices.PERCENT)
    target = models.DecimalField(_("target"), max_digits=10, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])
    bands = models.JSONField(_("scoring bands"), default=default_bands)
    builtin = models.BooleanField(_("built in"), default=False)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(pgettext_lazy("performance", "order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        permissions = [("manage_kpi", _("Can change KPI targets, weights and bands"))]

    @property
    def description(self):
        if _zh():
            return self.description_zh or self.description_en
        return self.description_en or self.description_zh

    @property
    def formula_text(self):
        if _zh():
            return self.formula_zh or self.formula
        return self.formula or self.formula_zh


def _zh() -> bool:
    from django.utils import translation

    return (translation.get_language() or "en").startswith("zh")


class KPIWeight(models.Model):
    """The roles a KPI applies to and its default weight (per cent) in each; per role they sum to 100."""

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="weights", verbose_name=_("KPI"))
    role = models.CharField(pgettext_lazy("performance", "role"), max_length=30)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])

    class Meta:
        ordering = ["role", "kpi__position"]
        verbose_name = _("KPI weight")
        verbose_name_plural = _("KPI weights")
        constraints = [models.UniqueConstraint(fields=["kpi", "role"], name="kpiweight_once_per_role")]

    def __str__(self):
        return f"{self.kpi.code} · {self.role} · {self.weight}%"
