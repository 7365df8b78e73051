"""VAT invoice requests (开票申请): the buyer's invoice details, the invoice type, and red-letter requests for
returns of an invoiced order. The invoice itself is issued on the tax bureau's platform; finance exports the queue
in its batch-issue layout (orders/invoice_template.py) and records the number and date here."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.money import MoneyField

from ..choices import InvoiceKind, InvoiceStatus, InvoiceType, RedLetterReason


class InvoiceRequest(models.Model):
    """The customer's request for a VAT invoice (增值税发票) for an order, or a red-letter request cancelling part
    of an issued one."""

    order = models.ForeignKey("orders.SalesOrder", on_delete=models.PROTECT, related_name="invoice_requests",
                              verbose_name=_("order"))
    kind = models.CharField(_("kind"), max_length=4, choices=InvoiceKind.choices, default=InvoiceKind.BLUE)
    invoice_type = models.CharField(_("invoice type"), max_length=10, choices=InvoiceType.choices,
                                    default=InvoiceType.NORMAL)
    # the buyer's invoice details (开票信息), each in its own field as the platform asks for them
    title = models.CharField(_("buyer name"), max_length=200)
    tax_number = models.CharField(_("taxpayer ID"), max_length=20)
    buyer_address = models.CharField(_("buyer address"), max_length=200, blank=True)
    buyer_phone = models.CharField(_("buyer phone"), max_length=40, blank=True)
    buyer_bank = models.CharField(_("buyer bank"), max_length=100, blank=True)
    buyer_account = models.CharField(_("buyer bank account"), max_length=40, blank=True)
    # where the electronic invoice is delivered
    deliver_email = models.EmailField(_("e-mail for the e-invoice"), blank=True)
    deliver_phone = models.CharField(_("mobile for the e-invoice"), max_length=20, blank=True)
    remarks = models.CharField(_("remarks on the invoice"), max_length=200, blank=True)
    net_amount = MoneyField(_("net amount"))
    tax_amount = MoneyField(_("VAT"))
    amount = MoneyField(_("amount"))
    status = models.CharField(_("status"), max_length=10, choices=InvoiceStatus.choices,
                              default=InvoiceStatus.REQUESTED)
    invoice_number = models.CharField(_("invoice number"), max_length=40, blank=True)
    issued_on = models.DateField(_("invoice date"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("issued by"))
    # a red-letter request: the issued invoice it cancels (in part), why, and the return that caused it
    original = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="red_letters",
                                 verbose_name=_("original invoice"))
    red_reason = models.CharField(_("red-letter reason"), max_length=10, choices=RedLetterReason.choices,
                                  blank=True)
    order_return = models.ForeignKey("orders.OrderReturn", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="red_letters", verbose_name=_("return"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("VAT invoice request")
        verbose_name_plural = _("VAT invoice requests")
        constraints = [
            models.UniqueConstraint(fields=["order"], condition=Q(status__in=["requested", "issued"], kind="blue"),
                                    name="one_live_invoice_request_per_order"),
            models.UniqueConstraint(fields=["order_return"], condition=Q(kind="red"),
                                    name="one_red_letter_per_return"),
            models.CheckConstraint(condition=Q(kind="blue") | Q(original__isnull=False),
                                   name="red_letter_names_original"),
        ]

    def __str__(self):
        return f"{self.order_id}: {self.title}"

    @property
    def special(self) -> bool:
        return self.invoice_type == InvoiceType.SPECIAL

    @property
    def is_red(self) -> bool:
        return self.kind == InvoiceKind.RED
