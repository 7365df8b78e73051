"""Carriers, shipments (what left the warehouse in one parcel set) and their tracking events."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hardware_erp.core.money import QuantityField

from ..choices import CarrierAdapter, ShipmentStatus


class Carrier(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    code = models.SlugField(_("Kuaidi100 company code"), max_length=30, blank=True,
                            help_text=_("e.g. shunfeng, yuantong, zhongtong; lower case"))
    adapter = models.CharField(_("tracking"), max_length=12, choices=CarrierAdapter.choices,
                               default=CarrierAdapter.MANUAL)
    tracking_url = models.CharField(_("tracking page"), max_length=200, blank=True,
                                    help_text=_("Use {number} where the tracking number goes."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self):
        return self.name


class Shipment(models.Model):
    order = models.ForeignKey("orders.SalesOrder", on_delete=models.PROTECT, related_name="shipments",
                              verbose_name=_("order"))
    number = models.CharField(pgettext_lazy("orders", "number"), max_length=24, unique=True)
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("warehouse"))
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="shipments", verbose_name=_("carrier"))
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True, db_index=True)
    packages = models.PositiveSmallIntegerField(_("packages"), default=1, validators=[MinValueValidator(1)])
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=10, decimal_places=2, null=True, blank=True,
                                    validators=[MinValueValidator(0)])
    status = models.CharField(_("status"), max_length=16, choices=ShipmentStatus.choices,
                              default=ShipmentStatus.IN_TRANSIT, db_index=True)
    shipped_at = models.DateTimeField(_("shipped"), default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    push_subscribed = models.BooleanField(_("carrier pushes updates"), default=False)
    last_polled_at = models.DateTimeField(_("last asked the carrier"), null=True, blank=True)
    last_error = models.CharField(_("last carrier error"), max_length=255, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("shipped by"))

    class Meta:
        ordering = ["-shipped_at", "-pk"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        indexes = [models.Index(fields=["status", "push_subscribed"], name="orders_shipment_polling")]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("orders:shipment", args=[self.pk])

    @property
    def tracking_link(self) -> str:
        if self.carrier and self.carrier.tracking_url and self.tracking_number:
            return self.carrier.tracking_url.replace("{number}", self.tracking_number)
        return ""


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines",
                                 verbose_name=_("shipment"))
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="shipment_lines",
                                   verbose_name=_("order line"))
    location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("bin"))
    quantity = QuantityField(_("quantity (base units)"))
    movement = models.ForeignKey("inventory.StockMovement", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=pgettext_lazy("orders", "stock movement"))

    class Meta:
        ordering = ["shipment", "pk"]
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="shipmentline_positive")]

    def __str__(self):
        return f"{self.shipment_id}: {self.order_line_id} × {self.quantity}"


class TrackingEvent(models.Model):
    """One scan of a parcel: from the carrier (poll or push) or typed by staff. Stored once."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="tracking_events",
                                 verbose_name=_("shipment"))
    occurred_at = models.DateTimeField(_("when"))
    status = models.CharField(_("status"), max_length=16, choices=ShipmentStatus.choices)
    description = models.CharField(_("event"), max_length=500)
    location = models.CharField(_("place"), max_length=120, blank=True)
    source = models.CharField(pgettext_lazy("orders", "source"), max_length=10, default="manual")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("recorded by"))

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        constraints = [models.UniqueConstraint(fields=["shipment", "occurred_at", "description"],
                                               name="tracking_event_once")]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.description}"
