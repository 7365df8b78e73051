"""Customer credit: money a customer paid that no order owes any more (an order cancelled after payment, a
back-order cancelled or goods returned after the order was paid). A credit is applied to another order of
the same customer or refunded (Finance requests, the general manager approves)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hardware_erp.core.money import MoneyField

from ..choices import CreditSource, PaymentMethod, RefundStatus


class CreditQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.has_perm("orders.view_all_salesorders"):
            return self
        return self.filter(order__salesperson_id=user.pk)


class CustomerCredit(models.Model):
    number = models.CharField(pgettext_lazy("orders", "number"), max_length=20, unique=True)
    customer = models.ForeignKey("crm.Customer", on_delete=models.PROTECT, related_name="credits",
                                 verbose_name=_("customer"))
    order = models.ForeignKey("orders.SalesOrder", on_delete=models.PROTECT, related_name="credits_made",
                              verbose_name=_("from order"))
    source = models.CharField(_("why"), max_length=10, choices=CreditSource.choices)
    amount = MoneyField(_("amount"))
    remaining = MoneyField(_("left"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = CreditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("customer credit")
        verbose_name_plural = _("customer credits")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_positive"),
            models.CheckConstraint(condition=Q(remaining__gte=0) & Q(remaining__lte=F("amount")),
                                   name="credit_remaining_in_range"),
        ]

    def __str__(self):
        return self.number


class CreditApplication(models.Model):
    """Part of a credit used to pay another order of the same customer."""

    credit = models.ForeignKey(CustomerCredit, on_delete=models.PROTECT, related_name="applications",
                               verbose_name=_("customer credit"))
    order = models.ForeignKey("orders.SalesOrder", on_delete=models.PROTECT, related_name="credit_applications",
                              verbose_name=_("order"))
    amount = MoneyField(_("amount"))
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("recorded by"))
    applied_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["-applied_at", "-pk"]
        verbose_name = _("credit applied")
        verbose_name_plural = _("credits applied")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="credit_application_positive")]

    def __str__(self):
        return f"{self.credit_id}→{self.order_id}: {self.amount}"


class Refund(models.Model):
    """Money paid back to the customer out of a credit: requested by Finance, approved by the general manager."""

    number = models.CharField(pgettext_lazy("orders", "number"), max_length=20, unique=True)
    customer = models.ForeignKey("crm.Customer", on_delete=models.PROTECT, related_name="refunds",
                                 verbose_name=_("customer"))
    credit = models.ForeignKey(CustomerCredit, on_delete=models.PROTECT, related_name="refunds",
                               verbose_name=_("customer credit"))
    amount = MoneyField(_("amount"))
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.BANK)
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RefundStatus.choices,
                              default=RefundStatus.REQUESTED, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decision time"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        permissions = [("approve_refund", _("Can approve refunds to customers"))]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_positive")]

    def __str__(self):
        return self.number
