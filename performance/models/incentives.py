from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hardware_erp.core.models import TimeStampedModel
from hardware_erp.core.money import MoneyField


class BonusTier(TimeStampedModel):
    """A bonus tier: a final score from `min_score` up earns `bonus` and `points` (the highest tier reached)."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)
    min_score = models.DecimalField(_("from score"), max_digits=6, decimal_places=2, unique=True,
                                    validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("150"))])
    bonus = MoneyField(_("bonus"), default=0)
    points = models.PositiveIntegerField(_("points"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-min_score"]
        verbose_name = _("bonus tier")
        verbose_name_plural = _("bonus tiers")

    def __str__(self):
        return self.name

    @property
    def name(self):
        from django.utils import translation

        if (translation.get_language() or "en").startswith("zh"):
            return self.name_zh or self.name_en
        return self.name_en or self.name_zh
