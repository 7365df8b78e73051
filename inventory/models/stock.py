"""The stock ledger: immutable movements, the levels they keep, and reservations."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hardware_erp.core.money import QuantityField
from hardware_erp.core.phrases import render

from ..choices import EntryMethod, MovementKind
from .catalogue import COST_PLACES, Location, Product, Warehouse


class ImmutableError(Exception):
    pass


class StockMovement(models.Model):
    """One change of stock, never edited or deleted: corrections are new movements."""

    kind = models.CharField(_("kind"), max_length=12, choices=MovementKind.choices, db_index=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="movements",
                                verbose_name=_("product"))
    from_location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="movements_out", verbose_name=_("from"))
    to_location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="movements_in", verbose_name=_("to"))
    quantity = QuantityField(_("quantity (base units)"))
    unit_cost = models.DecimalField(_("unit cost"), max_digits=16, decimal_places=COST_PLACES, default=0)
    reason = models.CharField(_("reason"), max_length=200, blank=True)  # as a person typed it
    # a reason the system writes, as a code and parameters put into words when read (inventory/events.py)
    reason_code = models.CharField(_("reason code"), max_length=40, blank=True)
    reason_params = models.JSONField(_("reason details"), default=dict, blank=True)
    reference = models.CharField(_("source document"), max_length=60, blank=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stock_movements",
                              verbose_name=_("posted by"))
    occurred_at = models.DateTimeField(_("happened"), default=timezone.now, db_index=True)
    posted_at = models.DateTimeField(_("posted"), default=timezone.now, db_index=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, null=True, blank=True, unique=True)
    entry_method = models.CharField(_("entry"), max_length=10, choices=EntryMethod.choices,
                                    default=EntryMethod.TYPED)

    class Meta:
        ordering = ["-posted_at", "-pk"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="movement_quantity_positive"),
            models.CheckConstraint(condition=Q(from_location__isnull=False) | Q(to_location__isnull=False),
                                   name="movement_has_a_location"),
        ]
        indexes = [models.Index(fields=["product", "-posted_at"]), models.Index(fields=["kind", "posted_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.product_id} {self.quantity}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("stock movements are immutable; post a correcting movement")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("stock movements are immutable; post a correcting movement")

    @property
    def value(self):
        return self.quantity * self.unit_cost

    @property
    def reason_text(self) -> str:
        """The reason in the reader's language: the system's reason, then what a person typed."""
        return reason_text(self.reason_code, self.reason_params, self.reason)


def reason_text(code, params, typed) -> str:
    """A movement's reason in the reader's language from its stored columns (StockMovement.reason_text)."""
    coded = render(code, params)
    return f"{coded} {typed}".strip() if coded else typed


class StockLevel(models.Model):
    """Quantity on hand of one product in one location, kept by post_movement under a row lock."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="levels", verbose_name=_("product"))
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="levels",
                                 verbose_name=_("location"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="levels",
                                  verbose_name=_("warehouse"))  # denormalised from location for fast sums
    on_hand = QuantityField(_("on hand"))
    # copied from the product so that the database itself can refuse negative stock
    allow_negative = models.BooleanField(default=False)
    last_movement_at = models.DateTimeField(_("last movement"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["product", "location"]
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["product", "location"], name="stocklevel_once"),
            models.CheckConstraint(condition=Q(on_hand__gte=0) | Q(allow_negative=True),
                                   name="stocklevel_not_negative"),
        ]
        indexes = [models.Index(fields=["warehouse", "product"])]

    def __str__(self):
        return f"{self.product_id}@{self.location_id}: {self.on_hand}"


class ReservationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(released_at__isnull=True)


class Reservation(models.Model):
    """Stock promised to a document (an approved sales order) in one warehouse: available = on hand − reserved."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="reservations",
                                verbose_name=_("product"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="reservations",
                                  verbose_name=_("warehouse"))
    quantity = QuantityField(_("quantity"))
    reference = models.CharField(_("source document"), max_length=60, db_index=True)
    key = models.CharField(pgettext_lazy("inventory", "key"), max_length=100, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("reserved by"))
    created_at = models.DateTimeField(_("reserved"), default=timezone.now)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    objects = ReservationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="reservation_quantity_positive")]
        indexes = [models.Index(fields=["product", "warehouse"], condition=Q(released_at__isnull=True),
                                name="reservation_active")]

    def __str__(self):
        return f"{self.reference}: {self.quantity}"


__all__ = ["ImmutableError", "Reservation", "StockLevel", "StockMovement"]


class ProductStock(models.Model):
    """Read-only, one row per product with stock, reservations or open purchase lines: on hand (every level),
    reserved (active reservations), on order (open purchase-order lines), summed in one grouped pass by the database
    view `inventory_productstock` (migration 0008; its conditions are `Reservation.objects.active()` and
    `selectors.OPEN_PO_STATES`). `selectors.with_stock(whole=True)` joins it when every product's figures are needed
    (a list sorted by stock), where a lookup per product would run tens of thousands of times."""

    product = models.OneToOneField(Product, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False,
                                   related_name="stock_totals")
    on_hand = QuantityField(max_digits=20)
    reserved = QuantityField(max_digits=20)
    on_order = QuantityField(max_digits=20)

    class Meta:
        managed = False
        db_table = "inventory_productstock"

    def __str__(self):
        return f"{self.product_id}: {self.on_hand}"
