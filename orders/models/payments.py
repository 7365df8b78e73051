"""Receipts and how they are split over orders, and returns (credits)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hardware_erp.core.money import MoneyField, QuantityField

from ..choices import PaymentMethod


class PaymentQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.has_perm("orders.view_all_salesorders"):
            return self
        return self.filter(allocations__order__salesperson_id=user.pk).distinct()


class Payment(models.Model):
    number = models.CharField(pgettext_lazy("orders", "number"), max_length=20, unique=True)
    customer = models.ForeignKey("crm.Customer", on_delete=models.PROTECT, related_name="payments",
                                 verbose_name=_("customer"))
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices,
                              default=PaymentMethod.BANK)
    amount = MoneyField(_("amount"))
    received_on = models.DateField(_("received on"), default=timezone.localdate, db_index=True)
    reference = models.CharField(_("reference"), max_length=80, blank=True,
                                 help_text=_("Bank serial, WeChat/Alipay transaction or bill number."))
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("payment receipt")
        verbose_name_plural = _("payment receipts")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
                       # a bank serial / transaction number is recorded once per customer and method
                       models.UniqueConstraint(fields=["customer", "method", "reference"], condition=~Q(reference=""),
                                               name="payment_reference_once")]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("orders:payment", args=[self.pk])


class PaymentAllocation(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations",
                                verbose_name=_("payment"))
    order = models.ForeignKey("orders.SalesOrder", on_delete=models.PROTECT, related_name="allocations",
                              verbose_name=_("order"))
    amount = MoneyField(_("amount"))

    class Meta:
        ordering = ["payment", "pk"]
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_positive"),
                       models.UniqueConstraint(fields=["payment", "order"], name="allocation_once")]

    def __str__(self):
        return f"{self.payment_id}→{self.order_id}: {self.amount}"


class OrderReturn(models.Model):
    """Goods the customer sent back: stock posted back into a bin, a credit against the order."""

    order = models.ForeignKey("orders.SalesOrder", on_delete=models.PROTECT, related_name="returns",
                              verbose_name=_("order"))
    number = models.CharField(pgettext_lazy("orders", "number"), max_length=20, unique=True)
    reason = models.CharField(_("reason"), max_length=255)
    credit_amount = MoneyField(_("credit"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")

    def __str__(self):
        return self.number


class ReturnLine(models.Model):
    order_return = models.ForeignKey(OrderReturn, on_delete=models.CASCADE, related_name="lines",
                                     verbose_name=_("return"))
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="return_lines",
                                   verbose_name=_("order line"))
    location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("into bin"))
    quantity = QuantityField(_("quantity (base units)"))
    credit_amount = MoneyField(_("credit"))
    movement = models.ForeignKey("inventory.StockMovement", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=pgettext_lazy("orders", "stock movement"))

    class Meta:
        ordering = ["order_return", "pk"]
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="returnline_positive")]

    def __str__(self):
        return f"{self.order_return_id}: {self.order_line_id} × {self.quantity}"
