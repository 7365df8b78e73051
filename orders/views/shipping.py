"""Picking, shipping, shipments, carrier pushes and returns."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import DetailView, TemplateView

from hardware_erp.core.views import ModuleMixin, ServiceFormView, error_messages
from inventory import services as stock
from inventory.models import Warehouse

from .. import pdf, services, tracking
from ..carriers import CarrierError, Kuaidi100Adapter
from ..choices import OrderStatus
from ..forms import (
    ReturnForm,
    ShipForm,
    TrackingEventForm,
    parse_number,
)
from ..models import (
    SalesOrder,
    Shipment,
)
from .base import MONEY_PERM, OrderScopeMixin, pdf_response


class PickingListPDFView(OrderScopeMixin, View):
    permission_required = "orders.ship_salesorder"

    def get(self, request, pk):
        order = self.get_order(pk)
        return pdf_response(pdf.picking_list_pdf([order], order.warehouse), f"{order.number}-picking.pdf")


class WarehousePickingPDFView(OrderScopeMixin, View):
    """Every approved or picking order of one warehouse on one list, sorted by bin."""

    permission_required = "orders.ship_salesorder"

    def get(self, request, warehouse):
        wh = get_object_or_404(Warehouse, pk=warehouse)
        orders = (SalesOrder.objects.for_user(request.user).orders()
                  .filter(warehouse=wh, status__in=[OrderStatus.APPROVED, OrderStatus.PICKING,
                                                   OrderStatus.PARTIALLY_SHIPPED])
                  .select_related("customer").order_by("requested_date", "pk")[:200])
        return pdf_response(pdf.picking_list_pdf(list(orders), wh), f"picking-{wh.code}.pdf")


class PickingView(OrderScopeMixin, TemplateView):
    """Which warehouses have orders to pick, with a PDF per warehouse."""

    permission_required = "orders.ship_salesorder"
    template_name = "orders/picking.html"
    title = _("Picking lists")

    def get_context_data(self, **kwargs):
        from django.db.models import Count

        ctx = super().get_context_data(**kwargs)
        ctx["warehouses"] = (SalesOrder.objects.for_user(self.request.user).orders()
                             .filter(status__in=[OrderStatus.APPROVED, OrderStatus.PICKING,
                                                 OrderStatus.PARTIALLY_SHIPPED])
                             .values("warehouse_id", "warehouse__code", "warehouse__name_zh", "warehouse__name_en")
                             .annotate(orders=Count("pk")).order_by("warehouse__code"))
        open_orders = (SalesOrder.objects.for_user(self.request.user).orders()
                       .filter(status__in=[OrderStatus.APPROVED, OrderStatus.PICKING, OrderStatus.PARTIALLY_SHIPPED])
                       .select_related("customer").order_by("requested_date", "pk")[:200])
        by_wh = {}
        for o in open_orders:  # each warehouse's orders, the earliest wanted first: pick one by scanning
            by_wh.setdefault(o.warehouse_id, []).append(o)
        ctx["warehouses"] = [{**w, "open_orders": by_wh.get(w["warehouse_id"], [])} for w in ctx["warehouses"]]
        return ctx


class ShipView(OrderScopeMixin, ServiceFormView):
    """Ship lines of an order. Each line offers what can go now: the rest to ship, as far as the warehouse has it
    (reserved for this order plus available)."""

    template_name = "orders/ship.html"
    form_class = ShipForm
    permission_required = "orders.ship_salesorder"

    def get_object(self):
        return self.get_order()

    def lines(self):
        lines = [ln for ln in self.object.lines.select_related("product", "product__base_unit") if ln.outstanding > 0]
        for ln in lines:
            free = max(stock.available_quantity(ln.product, self.object.warehouse), Decimal("0"))
            ln.can_ship = ln.reserved_quantity + free
            ln.suggested = max(min(ln.outstanding, ln.can_ship), Decimal("0"))
            ln.suggested_input = f"{ln.suggested.normalize():f}"  # unlocalised: the input reads it back as typed
        return lines

    def entered(self):
        return {ln.pk: self.request.POST.get(f"qty_{ln.pk}", "").strip() for ln in self.object.lines.all()}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        order = self.object
        ctx.update(order=order, title=_("Ship %(n)s") % {"n": order.number}, lines=self.lines(),
                   plan=services.picking_plan(order),
                   entered=self.entered() if self.request.method == "POST" else {})
        return ctx

    def perform(self, form):
        qtys = {pk: parse_number(v, _("“%(v)s” is not a number.")) for pk, v in self.entered().items() if v}
        return services.ship_order(self.object, quantities=qtys, actor=self.request.user, **form.cleaned_data)

    def get_success_message(self, result):
        return _("Shipment %(s)s recorded; stock is issued.") % {"s": result.number}

    def get_success_url(self, result=None):
        return self.object.get_absolute_url()


class ShipmentView(ModuleMixin, DetailView):
    module = "orders"
    permission_required = "orders.view_shipment"
    template_name = "orders/shipment.html"
    context_object_name = "shipment"

    def get_queryset(self):
        orders = SalesOrder.objects.for_user(self.request.user).values("pk")
        return Shipment.objects.filter(order__in=orders).select_related("order", "order__customer", "carrier")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Shipment %(s)s") % {"s": self.object.number}
        ctx["events"] = self.object.tracking_events.all()
        ctx["lines"] = self.object.lines.select_related("order_line__product__base_unit", "location")
        ctx["event_form"] = kwargs.get("event_form") or TrackingEventForm(
            initial={"occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
        ctx["can_update"] = self.request.user.has_perm("orders.ship_salesorder")
        return ctx

    def post(self, request, pk):
        self.object = self.get_object()
        if not request.user.has_perm("orders.ship_salesorder"):
            raise PermissionDenied(_("You may not update shipments."))
        action = request.POST.get("action")
        try:
            if action == "event":
                form = TrackingEventForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(event_form=form))
                n = services.record_tracking(self.object, [form.cleaned_data], source="manual", actor=request.user)
                messages.success(request, _("Tracking event added.") if n else _("That event was already there."))
            elif action == "refresh":
                n = tracking.poll_shipment(self.object)
                messages.success(request, _("%(n)s new tracking events from the carrier.") % {"n": n})
            elif action == "delivered":
                services.mark_delivered(self.object, actor=request.user)
                messages.success(request, _("Shipment marked delivered."))
        except CarrierError as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            error_messages(request, exc)
        return redirect("orders:shipment", pk=pk)


class DeliveryNotePDFView(ShipmentView):
    """送货单: with prices and amounts for those who see money; the warehouse prints it without them."""

    def get(self, request, pk):
        shipment = self.get_object()
        data = pdf.delivery_note_pdf(shipment, with_prices=request.user.has_perm(MONEY_PERM))
        return pdf_response(data, f"{shipment.number}.pdf")


class IssueNotePDFView(ShipmentView):
    """销售出库单: the warehouse's record of what left which bin."""

    def get(self, request, pk):
        shipment = self.get_object()
        return pdf_response(pdf.issue_note_pdf(shipment), f"{shipment.number}-issue.pdf")


@method_decorator(csrf_exempt, name="dispatch")
class Kuaidi100PushView(View):
    """Kuaidi100's push callback: signature checked, repeated pushes store nothing new."""

    def post(self, request):
        try:
            matched, new = tracking.take_push(request.POST, Kuaidi100Adapter())
        except CarrierError as exc:
            return JsonResponse({"result": False, "returnCode": "500", "message": str(exc)}, status=400)
        return JsonResponse({"result": True, "returnCode": "200", "message": "成功",
                             "matched": matched, "new": new})


class ReturnView(OrderScopeMixin, ServiceFormView):
    template_name = "orders/return.html"
    form_class = ReturnForm
    permission_required = "orders.add_orderreturn"

    def get_object(self):
        return self.get_order()

    def entered(self):
        return {ln.pk: self.request.POST.get(f"qty_{ln.pk}", "").strip() for ln in self.object.lines.all()}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(order=self.object, title=_("Return for %(n)s") % {"n": self.object.number},
                   lines=[ln for ln in self.object.lines.select_related("product", "product__base_unit")
                          if ln.shipped_quantity > ln.returned_quantity],
                   entered=self.entered() if self.request.method == "POST" else {})
        return ctx

    def perform(self, form):
        qtys = {pk: parse_number(v, _("Enter numbers only.")) for pk, v in self.entered().items() if v}
        return services.create_return(self.object, quantities=qtys, actor=self.request.user,
                                      reason=form.cleaned_data["reason"])

    def get_success_message(self, result):
        return _("Return %(r)s recorded: stock is back and %(a)s credited.") % {"r": result.number,
                                                                               "a": result.credit_amount}

    def get_success_url(self, result=None):
        return self.object.get_absolute_url()
