import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hardware_erp.core.tables import PersonColumn
from hardware_erp.core.templatetags.erp import cny

from .choices import SOLD_STATES
from .models import Carrier, Payment, PriceRule, SalesOrder, Shipment

STATUS_TONES = {"draft": "secondary", "submitted": "warning", "approved": "info", "rejected": "danger",
                "picking": "primary", "part_shipped": "primary", "shipped": "primary", "delivered": "success",
                "part_paid": "success", "paid": "success", "closed": "dark", "cancelled": "light",
                "converted": "dark", "in_transit": "primary", "out_for_delivery": "info", "problem": "danger",
                "returning": "warning"}


def badge(status, text):
    tone = STATUS_TONES.get(status, "secondary")
    extra = " border" if tone == "light" else ""
    return format_html('<span class="badge text-bg-{}{}" data-status="{}">{}</span>', tone, extra, status, text)


class MoneyColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return cny(value)

    def value(self, value):
        return value


class OrderTable(tables.Table):
    number = tables.Column(_("No."), linkify=True, attrs={"td": {"class": "text-nowrap fw-semibold"}})
    order_date = tables.DateColumn("Y-m-d", verbose_name=_("Date"))
    customer = tables.Column(_("Customer"), order_by=("customer__name",))
    salesperson = tables.Column(_("Salesperson"), order_by=("salesperson__username",))
    status = tables.Column(_("Status"))
    total = MoneyColumn(_("Total"))
    balance = MoneyColumn(_("Balance"), accessor="balance", orderable=False)
    requested_date = tables.DateColumn("Y-m-d", verbose_name=_("Requested delivery date"), default="—")

    class Meta:
        model = SalesOrder
        fields = ["number", "order_date", "customer", "salesperson", "status", "total", "balance", "requested_date"]
        attrs = {"class": "table table-hover align-middle", "data-testid": "order-table"}
        order_by = ["-order_date", "-number"]

    def render_salesperson(self, value):
        return value.get_full_name() or value.username

    def value_salesperson(self, value):
        return value.username

    def render_status(self, record):
        return badge(record.status, record.get_status_display())

    def value_status(self, record):
        return record.get_status_display()

    def render_balance(self, record):
        return cny(record.balance) if record.status in SOLD_STATES else "—"

    def value_balance(self, record):
        return record.balance if record.status in SOLD_STATES else None


class QuotationTable(OrderTable):
    valid_until = tables.DateColumn("Y-m-d", verbose_name=_("Valid until"), default="—")

    class Meta(OrderTable.Meta):
        fields = ["number", "order_date", "customer", "salesperson", "status", "total", "valid_until"]
        sequence = fields
        exclude = ["balance", "requested_date"]


class PaymentTable(tables.Table):
    number = tables.Column(_("No."), linkify=True)
    received_on = tables.DateColumn("Y-m-d", verbose_name=pgettext_lazy("orders", "Received"))
    customer = tables.Column(_("Customer"), order_by=("customer__name",))
    method = tables.Column(_("Method"))
    amount = MoneyColumn(_("Amount"))
    reference = tables.Column(_("Reference"), default="—")
    recorded_by = PersonColumn(_("Recorded by"))

    class Meta:
        model = Payment
        fields = ["number", "received_on", "customer", "method", "amount", "reference", "recorded_by"]
        attrs = {"class": "table table-hover align-middle", "data-testid": "payment-table"}


class ShipmentTable(tables.Table):
    number = tables.Column(_("No."), linkify=True)
    order = tables.Column(_("Order"), linkify=True)
    shipped_at = tables.DateTimeColumn("Y-m-d H:i", verbose_name=_("Shipped"))
    carrier = tables.Column(_("Carrier"), default="—")
    tracking_number = tables.Column(_("Tracking number"), default="—")
    status = tables.Column(_("Status"))
    delivered_at = tables.DateTimeColumn("Y-m-d H:i", verbose_name=_("Delivered"), default="—")

    class Meta:
        model = Shipment
        fields = ["number", "order", "shipped_at", "carrier", "tracking_number", "status", "delivered_at"]
        attrs = {"class": "table table-hover align-middle", "data-testid": "shipment-table"}

    def render_status(self, record):
        return badge(record.status, record.get_status_display())

    def value_status(self, record):
        return record.get_status_display()


class PriceRuleTable(tables.Table):
    edit = tables.LinkColumn("orders:pricerule_edit", args=[tables.A("pk")], text=_("Edit"), orderable=False,
                             verbose_name="")

    class Meta:
        model = PriceRule
        fields = ["level", "product", "category", "min_quantity", "discount_percent", "active"]
        attrs = {"class": "table table-hover align-middle"}


class CarrierTable(tables.Table):
    edit = tables.LinkColumn("orders:carrier_edit", args=[tables.A("pk")], text=_("Edit"), orderable=False,
                             verbose_name="")

    class Meta:
        model = Carrier
        fields = ["name", "code", "adapter", "active"]
        attrs = {"class": "table table-hover align-middle"}
