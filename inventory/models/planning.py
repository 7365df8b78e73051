"""Thresholds, stock alerts and purchase suggestions."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.money import QuantityField

from ..choices import AlertKind, SuggestionStatus
from .catalogue import Product, Warehouse


class StockThreshold(models.Model):
    """Minimum and maximum available stock of a product in a warehouse; `state` remembers the last crossing."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="thresholds",
                                verbose_name=_("product"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="thresholds",
                                  verbose_name=_("warehouse"))
    minimum = QuantityField(_("minimum stock"), validators=[MinValueValidator(0)])
    maximum = QuantityField(_("maximum stock"), validators=[MinValueValidator(0)], help_text=_("0: no maximum"))
    state = models.CharField(_("state"), max_length=6, default="ok",
                             choices=[("ok", _("In range")), *AlertKind.choices])

    class Meta:
        ordering = ["product", "warehouse"]
        verbose_name = _("stock threshold")
        verbose_name_plural = _("stock thresholds")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="threshold_once"),
            models.CheckConstraint(condition=Q(maximum=0) | Q(maximum__gte=F("minimum")),
                                   name="threshold_max_at_least_min"),
        ]

    def __str__(self):
        return f"{self.product_id}@{self.warehouse_id} {self.minimum}–{self.maximum}"


class StockAlert(models.Model):
    """One crossing of a threshold: opened when available stock leaves the range, cleared when it returns."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("product"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="alerts",
                                  verbose_name=_("warehouse"))
    kind = models.CharField(_("kind"), max_length=6, choices=AlertKind.choices)
    available = QuantityField(_("available when raised"))
    limit = QuantityField(_("limit"))
    opened_at = models.DateTimeField(_("raised"), default=timezone.now, db_index=True)
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("stock alert")
        verbose_name_plural = _("stock alerts")
        constraints = [models.UniqueConstraint(fields=["product", "warehouse"], condition=Q(cleared_at__isnull=True),
                                               name="one_open_alert_per_item")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.product_id}@{self.warehouse_id}"


class PurchaseSuggestion(models.Model):
    """A computed reorder line with every number that explains it."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="suggestions",
                                verbose_name=_("product"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="suggestions",
                                  verbose_name=_("warehouse"))
    supplier = models.ForeignKey("inventory.Supplier", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="suggestions", verbose_name=_("supplier"))
    daily_demand = models.DecimalField(_("daily demand"), max_digits=14, decimal_places=4)
    demand_sigma = models.DecimalField(_("daily demand deviation"), max_digits=14, decimal_places=4)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"))
    safety_stock = QuantityField(_("safety stock"))
    reorder_point = QuantityField(_("reorder point"))
    maximum = QuantityField(_("maximum stock"))
    target = QuantityField(_("order up to"))
    on_hand = QuantityField(_("on hand"))
    reserved = QuantityField(_("reserved"))
    on_order = QuantityField(_("on order"))
    net_need = QuantityField(_("net need"))
    pack_size = QuantityField(_("pack size"))
    moq = QuantityField(_("minimum order quantity"))
    suggested_quantity = QuantityField(_("suggested quantity"))
    quantity = QuantityField(_("quantity to order"))
    status = models.CharField(_("status"), max_length=10, choices=SuggestionStatus.choices,
                              default=SuggestionStatus.OPEN, db_index=True)
    snoozed_until = models.DateField(_("snoozed until"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)
    purchase_order = models.ForeignKey("inventory.PurchaseOrder", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+", verbose_name=_("purchase order"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["supplier", "product"]
        verbose_name = _("purchase suggestion")
        verbose_name_plural = _("purchase suggestions")
        constraints = [models.UniqueConstraint(fields=["product", "warehouse"],
                                               condition=Q(status__in=["open", "snoozed", "dismissed"]),
                                               name="one_live_suggestion_per_item")]

    def __str__(self):
        return f"{self.product_id}@{self.warehouse_id}: {self.quantity}"
