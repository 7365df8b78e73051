"""Price levels with quantity breaks, and the review thresholds managers edit."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.choices import CustomerLevelChoices
from hardware_erp.core.money import QuantityField

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class PriceRule(models.Model):
    """A discount off the list price for a customer level, from a quantity on (a quantity break).

    A rule names a product, a category, or neither (every product). The best matching rule wins.
    """

    level = models.CharField(_("customer level"), max_length=4, choices=CustomerLevelChoices.choices, blank=True,
                             help_text=_("Empty: every level."))
    product = models.ForeignKey("inventory.Product", verbose_name=_("product"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("inventory.Category", verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    min_quantity = QuantityField(_("from quantity (base units)"), validators=[MinValueValidator(0)])
    discount_percent = models.DecimalField(_("discount (%)"), max_digits=5, decimal_places=2, validators=PERCENT)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["level", "product", "category", "min_quantity"]
        verbose_name = _("price rule")
        verbose_name_plural = _("price rules")

    def __str__(self):
        return f"{self.level or '*'} ≥{self.min_quantity.normalize():f}: -{self.discount_percent}%"


class ReviewSettings(models.Model):
    """One row: the thresholds of the review on submit and the default tax rate."""

    default_tax_rate = models.DecimalField(_("default VAT rate (%)"), max_digits=5, decimal_places=2,
                                           default=Decimal("13.00"), validators=PERCENT)
    min_margin_percent = models.DecimalField(_("minimum margin (%)"), max_digits=5, decimal_places=2,
                                             default=Decimal("10.00"), validators=PERCENT)
    max_discount_percent = models.DecimalField(_("discount needing approval above (%)"), max_digits=5,
                                               decimal_places=2, default=Decimal("15.00"), validators=PERCENT)
    check_credit = models.BooleanField(_("check credit limit and overdue balance"), default=True)
    check_stock = models.BooleanField(_("check stock availability"), default=True)
    overdue_grace_days = models.PositiveSmallIntegerField(_("days overdue before an order needs Finance"),
                                                          default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("updated by"))

    class Meta:
        verbose_name = _("review settings")
        verbose_name_plural = _("review settings")

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "ReviewSettings":
        obj = cls.objects.order_by("pk").first()
        return obj if obj is not None else cls.objects.create()
