"""Suppliers, what they supply, and purchase orders."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from hardware_erp.core.models import BilingualNameModel, TimeStampedModel
from hardware_erp.core.money import PriceField, QuantityField, money
from hardware_erp.core.phones import PhoneField
from hardware_erp.core.phrases import render

from ..choices import POStatus
from .catalogue import Product, Warehouse


class Supplier(BilingualNameModel, TimeStampedModel):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    phone = PhoneField(_("phone"), blank=True)
    email = models.EmailField(pgettext_lazy("inventory", "e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    default_lead_time_days = models.PositiveIntegerField(_("usual lead time (days)"), default=7)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def get_absolute_url(self):
        return reverse("inventory:supplier", args=[self.pk])


class SupplierContact(models.Model):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="contacts",
                                 verbose_name=_("supplier"))
    name = models.CharField(_("name"), max_length=60)
    role = models.CharField(_("role"), max_length=60, blank=True)
    phone = PhoneField(_("phone"), blank=True)
    email = models.EmailField(pgettext_lazy("inventory", "e-mail"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier contact")
        verbose_name_plural = _("supplier contacts")

    def __str__(self):
        return self.name


class SupplierProduct(models.Model):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="products",
                                 verbose_name=_("supplier"))
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="supplier_products",
                                verbose_name=_("product"))
    supplier_sku = models.CharField(_("supplier's code"), max_length=40, blank=True)
    price = PriceField(_("price per base unit"), validators=[MinValueValidator(0)])
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=7)
    pack_size = QuantityField(_("pack size"), default=Decimal("1"), validators=[MinValueValidator(Decimal("0.001"))])
    moq = QuantityField(_("minimum order quantity"), default=Decimal("0"), validators=[MinValueValidator(0)])
    preferred = models.BooleanField(_("preferred"), default=False)

    class Meta:
        ordering = ["supplier", "product"]
        verbose_name = _("supplier product")
        verbose_name_plural = _("supplier products")
        constraints = [
            models.UniqueConstraint(fields=["supplier", "product"], name="supplierproduct_once"),
            models.UniqueConstraint(fields=["product"], condition=Q(preferred=True),
                                    name="one_preferred_supplier_per_product"),
            models.CheckConstraint(condition=Q(pack_size__gt=0), name="supplierproduct_pack_positive"),
        ]

    def __str__(self):
        return f"{self.supplier_id}:{self.product_id}"


class PurchaseOrderQuerySet(models.QuerySet):
    OPEN = (POStatus.DRAFT, POStatus.APPROVED, POStatus.SENT, POStatus.PARTIAL)

    def open(self):
        return self.filter(status__in=self.OPEN)


class PurchaseOrder(TimeStampedModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="orders",
                                 verbose_name=_("supplier"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="purchase_orders",
                                  verbose_name=_("deliver to"))
    status = models.CharField(_("status"), max_length=10, choices=POStatus.choices, default=POStatus.DRAFT,
                              db_index=True)
    expected_at = models.DateField(_("expected delivery"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    history = HistoricalRecords()

    objects = PurchaseOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        permissions = [("approve_purchaseorder", _("Can approve purchase orders")),
                       ("receive_purchaseorder", _("Can receive purchase orders"))]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("inventory:purchaseorder", args=[self.pk])

    @property
    def total(self):
        return sum((line.amount for line in self.lines.all()), Decimal("0.00"))


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines",
                              verbose_name=_("purchase order"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="purchase_lines",
                                verbose_name=_("product"))
    quantity = QuantityField(_("quantity"))
    received_quantity = QuantityField(_("received"))
    unit_price = PriceField(_("unit price"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="poline_quantity_positive"),
            models.CheckConstraint(condition=Q(received_quantity__lte=models.F("quantity")),
                                   name="poline_no_over_receipt"),
        ]

    def __str__(self):
        return f"{self.order_id}:{self.product_id} {self.quantity}"

    @property
    def amount(self):
        """Quantity × unit price, rounded half up to the cent per line."""
        return money(self.quantity * self.unit_price)

    @property
    def outstanding(self):
        return self.quantity - self.received_quantity


class PurchaseOrderEvent(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="events",
                              verbose_name=_("purchase order"))
    from_status = models.CharField(_("from"), max_length=10, choices=POStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=POStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("by"))
    note = models.CharField(_("note"), max_length=300, blank=True)  # as a person typed it
    # what the system says about the step, as a code and parameters put into words when read (inventory/events.py)
    code = models.CharField(_("event"), max_length=40, blank=True)
    params = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("purchase order event")
        verbose_name_plural = _("purchase order events")

    def __str__(self):
        return f"{self.order_id} → {self.to_status}"

    @property
    def text(self) -> str:
        """What the system said about the step, in the reader's language, then the note typed with it."""
        coded = render(self.code, self.params)
        return f"{coded} {self.note}".strip() if coded else self.note
