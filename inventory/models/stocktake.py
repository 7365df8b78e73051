"""Stocktakes: expected quantities frozen at opening, counted by scanning, approved as adjustments."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.money import QuantityField

from ..choices import EntryMethod, StocktakeStatus
from .catalogue import Category, Location, Product, Warehouse


class Stocktake(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stocktakes",
                                  verbose_name=_("warehouse"))
    locations = models.ManyToManyField(Location, blank=True, related_name="+", verbose_name=_("locations"))
    categories = models.ManyToManyField(Category, blank=True, related_name="+", verbose_name=_("categories"))
    blind = models.BooleanField(_("blind count"), default=False,
                                help_text=_("Counters do not see the expected quantity."))
    recount_threshold_pct = models.DecimalField(
        _("recount above variance (%)"), max_digits=5, decimal_places=1, default=Decimal("5.0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)])
    status = models.CharField(_("status"), max_length=10, choices=StocktakeStatus.choices,
                              default=StocktakeStatus.COUNTING, db_index=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("opened by"))
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")
        permissions = [("approve_stocktake", _("Can approve stocktakes")),
                       ("count_stocktake", _("Can count stock"))]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("inventory:stocktake", args=[self.pk])

    def hides_expected_from(self, user) -> bool:
        """A blind count hides the expected quantities (and the variances, which reveal them) from its counters
        until it is closed; whoever may approve it sees them."""
        return (self.blind and self.status in (StocktakeStatus.COUNTING, StocktakeStatus.REVIEW)
                and not user.has_perm("inventory.approve_stocktake"))


class StocktakeEvent(models.Model):
    """One change of a count's state (opened, approved, cancelled), written by `stocktakes.transition`."""

    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="events",
                                  verbose_name=_("stocktake"))
    from_status = models.CharField(_("from"), max_length=10, choices=StocktakeStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=StocktakeStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("by"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("stocktake event")
        verbose_name_plural = _("stocktake events")

    def __str__(self):
        return f"{self.stocktake_id} → {self.to_status}"


class StocktakeLine(models.Model):
    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="lines",
                                  verbose_name=_("stocktake"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location"))
    expected = QuantityField(_("expected"))
    counted = QuantityField(_("counted"), null=True, blank=True, default=None)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=16, decimal_places=4, default=0)
    needs_recount = models.BooleanField(_("recount"), default=False)
    recounted = models.BooleanField(_("recounted"), default=False)
    added_during_count = models.BooleanField(_("found during count"), default=False)

    class Meta:
        ordering = ["location__code", "product__sku"]
        verbose_name = _("count line")
        verbose_name_plural = _("count lines")
        constraints = [models.UniqueConstraint(fields=["stocktake", "product", "location"], name="countline_once")]

    def __str__(self):
        return f"{self.stocktake_id}:{self.product_id}@{self.location_id}"


class CountEntry(models.Model):
    """One scan or typed quantity: the audit trail of a count and the evidence of scanning KPIs."""

    line = models.ForeignKey(StocktakeLine, on_delete=models.CASCADE, related_name="entries",
                             verbose_name=_("count line"))
    quantity = QuantityField(_("quantity"))
    method = models.CharField(_("entry"), max_length=10, choices=EntryMethod.choices)
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("counted by"))
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    recount = models.BooleanField(_("recount"), default=False)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("count entry")
        verbose_name_plural = _("count entries")

    def __str__(self):
        return f"{self.line_id}+{self.quantity}"
