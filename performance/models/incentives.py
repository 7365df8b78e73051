from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hardware_erp.core.models import BilingualNameModel, TimeStampedModel
from hardware_erp.core.money import MoneyField


class BonusTier(BilingualNameModel, TimeStampedModel):
    """A bonus tier: a final score from `min_score` up earns `bonus` and `points` (the highest tier reached)."""

    min_score = models.DecimalField(_("from score"), max_digits=6, decimal_places=2, unique=True,
                                    validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("150"))])
    bonus = MoneyField(_("bonus"), default=0)
    points = models.PositiveIntegerField(_("points"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-min_score"]
        verbose_name = _("bonus tier")
        verbose_name_plural = _("bonus tiers")
