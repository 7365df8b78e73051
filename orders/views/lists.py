"""Orders list pages: orders, quotations, the review queue, payments, shipments."""


from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from hardware_erp.core.views import ERPListView, ModuleMixin

from .. import selectors
from ..choices import DocKind
from ..filtersets import OrderFilterSet, PaymentFilterSet, ShipmentFilterSet
from ..models import (
    Payment,
    SalesOrder,
    Shipment,
)
from ..tables import OrderTable, PaymentTable, QuotationTable, ShipmentTable
from .base import MONEY_PERM


class OrderListView(ERPListView):
    model = SalesOrder
    table_class = OrderTable
    filterset_class = OrderFilterSet
    module = "orders"
    permission_required = "orders.view_salesorder"
    title = _("Sales orders")
    create_url_name = "orders:order_create"
    create_label = _("New order")
    empty_text = _("No sales orders yet. Create one, or convert a quotation.")
    kind = DocKind.ORDER

    def get_queryset(self):
        return super().get_queryset().filter(kind=self.kind).select_related("customer", "salesperson")

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        if not self.request.user.has_perm(MONEY_PERM):
            kwargs["exclude"] = ("total", "balance")
        return kwargs

    def get_export_filename(self, export_format):
        return f"{self.kind}s.{export_format}"


class QuotationListView(OrderListView):
    permission_required = ("orders.view_salesorder", MONEY_PERM)
    table_class = QuotationTable
    title = _("Quotations")
    create_url_name = "orders:quotation_create"
    create_label = _("New quotation")
    empty_text = _("No quotations yet.")
    kind = DocKind.QUOTATION


class ReviewQueueView(ModuleMixin, TemplateView):
    module = "orders"
    permission_required = ()
    template_name = "orders/review_queue.html"
    title = _("Orders waiting for approval")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not (request.user.has_perm("orders.approve_salesorder") or
                                                  request.user.has_perm("orders.approve_credit")):
            raise PermissionDenied(_("Only managers and Finance approve orders."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["orders"] = selectors.review_queue(self.request.user)[:200]
        return ctx


class PaymentListView(ERPListView):
    model = Payment
    table_class = PaymentTable
    filterset_class = PaymentFilterSet
    module = "orders"
    permission_required = "orders.view_payment"
    title = _("Payment receipts")
    create_url_name = "orders:payment_create"
    create_label = _("Record a payment")
    empty_text = _("No payments recorded yet.")

    def get_queryset(self):
        return super().get_queryset().select_related("customer", "recorded_by")


class ShipmentListView(ERPListView):
    model = Shipment
    table_class = ShipmentTable
    filterset_class = ShipmentFilterSet
    module = "orders"
    permission_required = "orders.view_shipment"
    title = _("Shipments")
    empty_text = _("Nothing shipped yet.")

    def get_queryset(self):
        orders = SalesOrder.objects.for_user(self.request.user).values("pk")
        return Shipment.objects.filter(order__in=orders).select_related("order", "carrier")
