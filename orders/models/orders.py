"""Quotations and sales orders, their lines and their event log."""

import uuid
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

from hardware_erp.core.models import TimeStampedModel
from hardware_erp.core.money import MoneyField, PriceField, QuantityField
from hardware_erp.core.phones import PhoneField

from ..choices import UNPAID_STATES, DocKind, EventKind, OrderStatus
from ..events import event_text, reason_text

ZERO = Decimal("0.00")


class DocumentCounter(models.Model):
    """The last number handed out per prefix and month (SO202611 → 17), taken under a row lock."""

    prefix = models.CharField(max_length=20, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")

    def __str__(self):
        return f"{self.prefix}:{self.last}"


class SalesOrderQuerySet(models.QuerySet):
    def orders(self):
        return self.filter(kind=DocKind.ORDER)

    def quotations(self):
        return self.filter(kind=DocKind.QUOTATION)

    def for_user(self, user):
        """A rep sees the orders they sell; managers, finance and the general manager see all."""
        if not user.is_authenticated:
            return self.none()
        if user.has_perm("orders.view_all_salesorders"):
            return self
        return self.filter(salesperson_id=user.pk)


class SalesOrder(TimeStampedModel):
    kind = models.CharField(_("document"), max_length=10, choices=DocKind.choices, default=DocKind.ORDER,
                            db_index=True)
    number = models.CharField(pgettext_lazy("orders", "number"), max_length=20, unique=True)
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.DRAFT,
                              db_index=True)
    customer = models.ForeignKey("crm.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="sales_orders")
    salesperson = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("salesperson"),
                                    on_delete=models.PROTECT, related_name="sales_orders")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey("inventory.Warehouse", verbose_name=_("ship from"), on_delete=models.PROTECT,
                                  related_name="+")
    quotation = models.ForeignKey("self", verbose_name=_("from quotation"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="converted_orders")
    opportunity = models.ForeignKey("crm.Opportunity", verbose_name=_("opportunity"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    order_date = models.DateField(_("order date"), default=timezone.localdate, db_index=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    requested_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    delivery_address = models.CharField(_("delivery address"), max_length=255, blank=True)
    contact_name = models.CharField(_("receiver"), max_length=60, blank=True)
    contact_phone = PhoneField(_("receiver phone"), blank=True)
    customer_email = models.EmailField(_("customer e-mail"), blank=True,
                                       help_text=_("Status changes are e-mailed here."))
    payment_terms_days = models.PositiveSmallIntegerField(pgettext_lazy("orders", "payment terms (days)"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    prices_include_tax = models.BooleanField(
        _("prices include VAT"), default=True,
        help_text=_("Unit prices are VAT-inclusive (含税单价): each line's VAT is taken out of its amount."))
    # totals, kept by services.recalculate
    subtotal = MoneyField(_("amount before discount"))
    discount_total = MoneyField(_("discount"))
    net_total = MoneyField(_("net amount"))
    tax_total = MoneyField(_("VAT"))
    total = MoneyField(_("total"))
    cost_total = MoneyField(_("cost"))
    # money received and credited, kept by the payment and return services under row locks
    paid_amount = MoneyField(_("paid"))
    credited_amount = MoneyField(_("credited"))
    # review
    review_reasons = models.JSONField(_("review reasons"), default=list, blank=True)
    needs_finance = models.BooleanField(_("needs Finance"), default=False)
    rejection_reason = models.CharField(_("reason rejected"), max_length=255, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    # milestones
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("first shipped"), null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    due_date = models.DateField(_("payment due"), null=True, blank=True, db_index=True)
    # the customer status link: a signed token carrying this id; a new id revokes the old link
    status_token = models.UUIDField(_("status link id"), default=uuid.uuid4, editable=False)
    status_link_active = models.BooleanField(_("status link active"), default=True)
    history = HistoricalRecords(excluded_fields=["paid_amount", "credited_amount"])

    objects = SalesOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-order_date", "-pk"]
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        permissions = [
            ("approve_salesorder", _("Can approve sales orders")),
            ("approve_credit", _("Can approve orders over credit")),
            ("view_all_salesorders", _("Can see every sales order")),
            ("ship_salesorder", _("Can pick and ship sales orders")),
            ("view_order_analytics", _("Can see the order analytics")),
            ("cancel_salesorder", _("Can cancel sales orders")),
        ]
        indexes = [
            models.Index(fields=["kind", "status", "order_date"], name="orders_kind_status_date"),
            models.Index(fields=["salesperson", "order_date"], name="orders_rep_date"),
            models.Index(fields=["customer", "order_date"], name="orders_customer_date"),
            # overdue receivables (dashboard): the balances of unpaid invoiced orders, read from the index alone
            models.Index(fields=["due_date"], include=["total", "credited_amount", "paid_amount", "salesperson"],
                         condition=Q(kind=DocKind.ORDER, status__in=UNPAID_STATES), name="orders_unpaid_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(paid_amount__gte=0), name="order_paid_not_negative"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("orders:order", args=[self.pk])

    @property
    def is_quotation(self) -> bool:
        return self.kind == DocKind.QUOTATION

    @property
    def balance(self) -> Decimal:
        """What the customer still owes on the order (nothing on a cancelled order: what was paid on it became
        the customer's credit)."""
        if self.status == OrderStatus.CANCELLED:
            return ZERO
        return self.total - self.credited_amount - self.paid_amount

    @property
    def margin(self) -> Decimal:
        return self.net_total - self.cost_total

    @property
    def margin_percent(self):
        if not self.net_total:
            return None
        return (self.margin * 100 / self.net_total).quantize(Decimal("0.1"))

    @property
    def review_reason_list(self) -> list[dict]:
        """The review reasons, each put into words in the reader's language."""
        return [{"code": r.get("code"), "text": reason_text(r)} for r in self.review_reasons or []
                if isinstance(r, dict)]

    @property
    def editable(self) -> bool:
        return self.status == OrderStatus.DRAFT

    @property
    def is_overdue(self) -> bool:
        return bool(self.due_date and self.balance > 0 and self.due_date < timezone.localdate())


class OrderLine(models.Model):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines",
                              verbose_name=_("order"))
    position = models.PositiveSmallIntegerField(_("line"), default=1)
    product = models.ForeignKey("inventory.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="order_lines")
    unit = models.ForeignKey("inventory.UnitOfMeasure", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="+")
    quantity = QuantityField(_("quantity"), validators=[MinValueValidator(Decimal("0.001"))])
    factor = QuantityField(pgettext_lazy("orders", "base units per unit"), default=Decimal("1"))
    base_quantity = QuantityField(_("quantity (base units)"))
    # unit prices to 4 places, in the order's tax mode (含税单价 when its prices include VAT); amounts per line to
    # the cent, computed by orders.pricing.compute_line
    list_price = PriceField(_("list price"))
    unit_price = PriceField(_("unit price"))
    discount_percent = models.DecimalField(_("discount (%)"), max_digits=5, decimal_places=2,
                                           default=Decimal("0"))
    tax_rate = models.DecimalField(_("VAT (%)"), max_digits=5, decimal_places=2, default=Decimal("13.00"))
    gross_amount = MoneyField(_("amount before discount"))
    net_amount = MoneyField(_("net amount"))
    tax_amount = MoneyField(_("VAT"))
    amount = MoneyField(_("amount"))
    unit_cost = models.DecimalField(_("unit cost (base unit)"), max_digits=16, decimal_places=4, default=0)
    cost_amount = MoneyField(_("cost"))
    reserved_quantity = QuantityField(_("reserved (base units)"))
    shipped_quantity = QuantityField(_("shipped (base units)"))
    returned_quantity = QuantityField(_("returned (base units)"))

    class Meta:
        ordering = ["order", "position", "pk"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orderline_quantity_positive"),
            models.CheckConstraint(condition=Q(shipped_quantity__lte=models.F("base_quantity")),
                                   name="orderline_no_over_shipment"),
            models.CheckConstraint(condition=Q(returned_quantity__lte=models.F("shipped_quantity")),
                                   name="orderline_no_over_return"),
        ]

    def __str__(self):
        return f"{self.order_id}/{self.position} {self.product_id} × {self.quantity}"

    @property
    def outstanding(self) -> Decimal:
        """Base units still to ship (the back-order once something has shipped)."""
        return self.base_quantity - self.shipped_quantity

    @property
    def reservation_key(self) -> str:
        return f"so-line:{self.pk}"


class OrderEvent(models.Model):
    """What happened to an order: who, when, from which status to which, and why."""

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="events", verbose_name=_("order"))
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices, default=EventKind.TRANSITION)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    from_status = models.CharField(pgettext_lazy("orders", "from"), max_length=12, choices=OrderStatus.choices,
                                   blank=True)
    to_status = models.CharField(pgettext_lazy("orders", "to"), max_length=12, choices=OrderStatus.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    # what happened, as a code and its parameters, put into words in the reader's language (orders/events.py);
    # `note` holds what a person typed (a reason) or the text of events written before codes existed
    code = models.CharField(_("event"), max_length=40, blank=True)
    params = models.JSONField(_("details"), default=dict, blank=True)
    customer_emailed_at = models.DateTimeField(_("customer e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        indexes = [models.Index(fields=["to_status", "at"], name="orders_event_status_at")]

    def __str__(self):
        return f"{self.order_id}: {self.from_status}→{self.to_status}"

    @property
    def text(self) -> str:
        """The event in the reader's language, then the note typed with it."""
        return event_text(self.code, self.params, self.note)
