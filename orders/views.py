"""Orders pages. Every view checks the module and a permission and goes through SalesOrder.objects.for_user."""

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import DetailView, TemplateView

from crm.models import Customer, Opportunity
from governance.fields import mask_phone
from hardware_erp.core.money import money
from hardware_erp.core.views import ERPListView, ModuleIndexView, ModuleMixin, ServiceActionView, ServiceFormView
from inventory import services as stock
from inventory.models import Product, Warehouse

from . import pdf, selectors, services, tracking
from .carriers import CarrierError, Kuaidi100Adapter
from .choices import SOLD_STATES, DocKind, InvoiceStatus, OrderStatus, RefundStatus
from .filtersets import CarrierFilterSet, OrderFilterSet, PaymentFilterSet, PriceRuleFilterSet, ShipmentFilterSet
from .forms import (
    ApplyCreditForm,
    CarrierForm,
    InvoiceRequestForm,
    LineFormSet,
    OrderForm,
    PaymentForm,
    PriceRuleForm,
    RefundForm,
    ReturnForm,
    ReviewSettingsForm,
    ShipForm,
    TrackingEventForm,
    TransitionForm,
    parse_number,
)
from .models import (
    Carrier,
    CustomerCredit,
    InvoiceRequest,
    Payment,
    PriceRule,
    Refund,
    ReviewSettings,
    SalesOrder,
    Shipment,
)
from .tables import CarrierTable, OrderTable, PaymentTable, PriceRuleTable, QuotationTable, ShipmentTable

# Money on the orders pages (prices, totals, balances, invoices, revenue) is for the roles that hold this; the
# warehouse picks and ships without it.
MONEY_PERM = "orders.view_payment"
# The receiver's phone in full: who sells the order or ships it (finance and others see it masked).
FULL_PHONE_PERMS = ("orders.change_salesorder", "orders.ship_salesorder")


def shown_phone(user, phone):
    if not phone or any(user.has_perm(p) for p in FULL_PHONE_PERMS):
        return phone
    return mask_phone(phone)


def error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{filename}"'
    return resp


class IndexView(ModuleIndexView):
    module = "orders"


class OrderScopeMixin(ModuleMixin):
    """The order named in the URL, as the signed-in user may see it (404 otherwise)."""

    module = "orders"

    def get_order(self, pk=None):
        pk = pk or self.kwargs["pk"]
        return get_object_or_404(SalesOrder.objects.for_user(self.request.user).select_related(
            "customer", "salesperson", "warehouse", "created_by", "approved_by"), pk=pk)


# --------------------------------------------------------------------------- lists

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


# --------------------------------------------------------------------------- create and edit

class OrderFormView(OrderScopeMixin, ServiceFormView):
    """New order/quotation (no pk) or edit a draft (pk): header form and a line formset, one service call.

    The form carries a one-time token: a draft sent twice is created once.
    """

    template_name = "orders/order_form.html"
    form_class = OrderForm
    permission_required = "orders.add_salesorder"
    kind = DocKind.ORDER
    formset = None

    def get_permission_required(self):
        perms = super().get_permission_required()
        return (*perms, "orders.change_salesorder") if "pk" in self.kwargs else perms

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        order = self.get_order()
        if order.status != OrderStatus.DRAFT:
            raise PermissionDenied(_("Only a draft can be changed."))
        self.kind = order.kind
        return order

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        order = self.object
        if order is not None:
            return {f: getattr(order, f) for f in ("customer", "warehouse", "requested_date", "valid_until",
                                                   "delivery_address", "contact_name", "contact_phone",
                                                   "customer_email", "payment_terms_days", "notes")}
        customer_id = self.request.GET.get("customer")
        return {"customer": customer_id} if customer_id and customer_id.isdigit() else {}

    def get_formset(self):
        if self.formset is None:
            lines = [{"product": ln.product, "unit": ln.unit, "quantity": ln.quantity.normalize(),
                      "discount_percent": ln.discount_percent.normalize()}
                     for ln in self.object.lines.select_related("product", "unit")] if self.object else []
            data = self.request.POST if self.request.method == "POST" else None
            self.formset = LineFormSet(data, initial=lines, prefix="lines")
        return self.formset

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid() & self.get_formset().is_valid():  # both, so every error shows at once
            return self.form_valid(form)
        return self.form_invalid(form)

    def opportunity(self, customer):
        pk = self.request.GET.get("opportunity", "")
        if not pk.isdigit():
            return None
        return Opportunity.objects.for_user(self.request.user).filter(pk=pk, customer=customer, stage="won").first()

    def perform(self, form):
        d = dict(form.cleaned_data)
        lines = [services.LineInput(product=f.cleaned_data["product"], quantity=f.cleaned_data["quantity"],
                                    unit=f.cleaned_data.get("unit"),
                                    discount_percent=f.cleaned_data.get("discount_percent"),
                                    unit_price=f.cleaned_data.get("unit_price"))
                 for f in self.get_formset().forms if f.cleaned_data.get("product")]
        customer = d.pop("customer")
        if self.object is None:
            return services.create_order(customer=customer, lines=lines, actor=self.request.user, kind=self.kind,
                                         opportunity=self.opportunity(customer), **d)
        return services.update_order(self.object, customer=customer, lines=lines, actor=self.request.user, **d)

    def get_success_message(self, result):
        if self.object is None:
            return _("%(n)s saved as a draft.") % {"n": result.number}
        return _("%(n)s saved.") % {"n": result.number}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(formset=self.get_formset(), order=self.object, kind=self.kind)
        if self.object is not None:
            ctx["title"] = _("Edit %(n)s") % {"n": self.object.number}
        else:
            ctx["title"] = _("New quotation") if self.kind == DocKind.QUOTATION else _("New sales order")
        return ctx


class OrderEditView(OrderFormView):
    pass


# --------------------------------------------------------------------------- the order page and its actions

class OrderView(OrderScopeMixin, DetailView):
    template_name = "orders/order.html"
    permission_required = "orders.view_salesorder"
    context_object_name = "order"

    def get_object(self, queryset=None):
        return self.get_order()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        order = self.object
        user = self.request.user
        ctx["title"] = f"{order.get_kind_display()} {order.number}"
        ctx["lines"] = order.lines.select_related("product", "unit", "product__base_unit")
        ctx["events"] = order.events.select_related("actor")
        ctx["shipments"] = order.shipments.select_related("carrier").prefetch_related("tracking_events",
                                                                                    "lines__order_line__product")
        ctx["allocations"] = order.allocations.select_related("payment")
        ctx["credits_made"] = order.credits_made.all()
        ctx["credit_applications"] = order.credit_applications.select_related("credit")
        ctx["returns"] = order.returns.prefetch_related("lines__order_line__product")
        ctx["invoice_requests"] = order.invoice_requests.all()
        ctx["actions"] = services.allowed_transitions(order, user)
        ctx["review_steps"] = services.review_actions(order, user)
        ctx["can_ship"] = services.can_ship(order, user)
        ctx["can_pay"] = services.can_record_payment(order, user)
        ctx["can_return"] = services.can_return(order, user)
        ctx["can_cancel_backorder"] = (order.status == OrderStatus.PARTIALLY_SHIPPED and
                                       user.has_perm("orders.cancel_salesorder"))
        ctx["can_invoice"] = services.can_request_invoice(order, user)
        if order.kind == DocKind.ORDER and order.status_link_active:
            ctx["status_url"] = self.request.build_absolute_uri(
                reverse("orders:status_page", args=[services.status_link_token(order)]))
        ctx["can_see_prices"] = user.has_perm(MONEY_PERM)
        if ctx["can_see_prices"]:
            ctx["balance"] = selectors.customer_balance(order.customer)
        ctx["contact_phone"] = shown_phone(user, order.contact_phone)
        return ctx


class TransitionView(OrderScopeMixin, View):
    """POST to=<status>: one button of the order page; the service decides."""

    permission_required = "orders.view_salesorder"

    def post(self, request, pk):
        order = self.get_order(pk)
        to = request.POST.get("to", "")
        form = TransitionForm(request.POST)
        note = form.data.get("note", "")[:500]
        try:
            if to == OrderStatus.SUBMITTED:
                order = services.submit_order(order, actor=request.user, note=note)
                if order.status == OrderStatus.APPROVED:
                    messages.success(request, _("%(n)s passed every review rule and is approved.") % {
                        "n": order.number})
                else:
                    messages.info(request, _("%(n)s waits for approval: %(why)s") % {
                        "n": order.number, "why": "; ".join(r["text"] for r in order.review_reasons)})
            elif to == OrderStatus.APPROVED:
                order = services.approve_order(order, actor=request.user, note=note, step=self._step(request))
                if order.status == OrderStatus.APPROVED:
                    messages.success(request, _("%(n)s is approved; stock is reserved.") % {"n": order.number})
                else:
                    messages.success(request, _("Your step is approved; %(n)s still waits for the other step.") % {
                        "n": order.number})
            elif to == OrderStatus.REJECTED:
                services.reject_order(order, actor=request.user, reason=note, step=self._step(request))
                messages.success(request, _("%(n)s is rejected.") % {"n": order.number})
            elif to == OrderStatus.CANCELLED:
                services.cancel_order(order, actor=request.user, reason=note)
                messages.success(request, _("%(n)s is cancelled; its reservations are released.") % {
                    "n": order.number})
            elif to == OrderStatus.DELIVERED:
                services.deliver_order(order, actor=request.user, note=note)
                messages.success(request, _("%(n)s is delivered.") % {"n": order.number})
            elif to == "backorder":
                services.cancel_backorder(order, actor=request.user, reason=note)
                messages.success(request, _("The back-order of %(n)s is cancelled.") % {"n": order.number})
            elif to in services.TRANSITIONS:
                services.transition(order, to, actor=request.user, note=note)
                messages.success(request, _("%(n)s: %(s)s.") % {"n": order.number, "s": OrderStatus(to).label})
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return redirect("orders:order", pk=pk)

    @staticmethod
    def _step(request):
        value = request.POST.get("step", "")
        return int(value) if value.isdigit() else None


class ConvertQuotationView(OrderScopeMixin, ServiceActionView):
    permission_required = "orders.add_salesorder"

    def get_object(self):
        return self.get_order()

    def perform(self):
        self.order = services.convert_quotation(self.object, actor=self.request.user)
        return self.order

    @property
    def success_message(self):
        return _("Quotation %(q)s is now order %(o)s (a draft: check and submit it).") % {
            "q": self.object.number, "o": self.order.number}


class OrderPDFView(OrderScopeMixin, View):
    permission_required = ("orders.view_salesorder", MONEY_PERM)

    def get(self, request, pk):
        order = self.get_order(pk)
        return pdf_response(pdf.quotation_pdf(order), f"{order.number}.pdf")


class InvoicePDFView(OrderScopeMixin, View):
    permission_required = ("orders.view_salesorder", MONEY_PERM)

    def get(self, request, pk):
        order = self.get_order(pk)
        return pdf_response(pdf.invoice_pdf(order), f"{order.number}-invoice.pdf")


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
            messages.error(request, error_text(exc))
        return redirect("orders:shipment", pk=pk)


class DeliveryNotePDFView(ShipmentView):
    def get(self, request, pk):
        shipment = self.get_object()
        return pdf_response(pdf.delivery_note_pdf(shipment), f"{shipment.number}.pdf")


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


class StatusLinkView(OrderScopeMixin, ServiceActionView):
    permission_required = "orders.change_salesorder"

    def get_object(self):
        return self.get_order()

    def perform(self):
        self.renew = self.request.POST.get("action") == "renew"
        return services.revoke_status_link(self.object, actor=self.request.user, renew=self.renew)

    @property
    def success_message(self):
        return (_("A new status link is ready; the old one no longer works.") if self.renew else
                _("The status link is revoked."))


class InvoiceRequestView(OrderScopeMixin, ServiceFormView):
    form_class = InvoiceRequestForm
    permission_required = "orders.add_invoicerequest"
    success_message = _("VAT invoice requested.")

    def get_object(self):
        return self.get_order()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)  # the form describes a new request, not the order
        return kwargs

    def get_initial(self):
        c = self.object.customer
        return {"title": c.invoice_title or c.name, "tax_number": c.tax_number,
                "address_phone": " ".join(p for p in (c.invoice_address, c.invoice_phone) if p),
                "bank_account": c.bank_name}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Request a VAT invoice for %(n)s") % {"n": self.object.number}
        return ctx

    def perform(self, form):
        services.request_invoice(self.object, actor=self.request.user, **form.cleaned_data)
        return self.object


class InvoiceQueueView(ModuleMixin, TemplateView):
    module = "orders"
    permission_required = "orders.change_invoicerequest"
    template_name = "orders/invoice_queue.html"
    title = _("VAT invoice requests")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["requests"] = (InvoiceRequest.objects.filter(status=InvoiceStatus.REQUESTED)
                           .select_related("order", "order__customer", "requested_by").order_by("requested_at")[:200])
        ctx["issued"] = (InvoiceRequest.objects.filter(status=InvoiceStatus.ISSUED)
                         .select_related("order", "order__customer").order_by("-requested_at")[:20])
        return ctx



class IssueInvoiceView(ServiceActionView):
    """Finance records the number of the VAT invoice it issued for a request (a button of the queue)."""

    module = "orders"
    permission_required = "orders.change_invoicerequest"
    success_url = reverse_lazy("orders:invoice_queue")

    def get_object(self):
        return get_object_or_404(InvoiceRequest, pk=self.kwargs["pk"])

    def get_error_url(self):
        return str(self.success_url)

    def perform(self):
        number = self.request.POST.get("invoice_number", "")[:40]
        self.issued = services.issue_invoice(self.object, actor=self.request.user, invoice_number=number)
        return self.issued

    @property
    def success_message(self):  # formatted once more with the result: a % in the number is doubled
        return _("Invoice %(n)s recorded.") % {"n": self.issued.invoice_number.replace("%", "%%")}


# --------------------------------------------------------------------------- payments

class PaymentCreateView(ServiceFormView):
    """Choose a customer, then split the receipt over their open orders. Sent twice, it records one payment."""

    module = "orders"
    permission_required = "orders.add_payment"
    template_name = "orders/payment_form.html"
    form_class = PaymentForm
    title = _("Record a payment")

    def get_customer(self):
        pk = self.request.GET.get("customer") or self.request.POST.get("customer")
        if not pk or not str(pk).isdigit():
            return None
        return Customer.objects.filter(pk=pk, merged_into__isnull=True).first()

    def open_orders(self, customer):
        return (SalesOrder.objects.for_user(self.request.user).orders().filter(customer=customer,
                                                                                 status__in=SOLD_STATES)
                .exclude(status=OrderStatus.CLOSED).order_by("due_date", "order_date", "pk"))

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.customer = self.get_customer()
        self.orders = [o for o in self.open_orders(self.customer) if o.balance > 0] if self.customer else []

    def get_initial(self):
        return {"received_on": timezone.localdate(), "amount": sum(o.balance for o in self.orders) or None}

    def entered(self):
        if self.request.method == "POST":
            return {o.pk: self.request.POST.get(f"alloc_{o.pk}", "").strip() for o in self.orders}
        preselect = self.request.GET.get("order")
        return {o.pk: o.balance for o in self.orders if str(o.pk) == preselect}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(customer=self.customer, orders=self.orders, entered=self.entered())
        return ctx

    def post(self, request, *args, **kwargs):
        if self.customer is None:
            messages.error(request, _("Choose the customer first."))
            return redirect("orders:payment_create")
        return super().post(request, *args, **kwargs)

    def perform(self, form):
        orders = {o.pk: o for o in self.open_orders(self.customer)}
        allocations = []
        for pk, v in self.entered().items():
            if v and pk in orders:
                try:
                    amount = money(v.replace(",", ""))
                except (ValueError, ArithmeticError):
                    amount = None
                if amount is None or not amount.is_finite():
                    raise ValidationError(_("“%(v)s” is not an amount.") % {"v": v})
                allocations.append((orders[pk], amount))
        return services.record_payment(customer=self.customer, actor=self.request.user, allocations=allocations,
                                       **form.cleaned_data)

    def get_success_message(self, result):
        return _("Payment %(p)s of %(a)s recorded.") % {"p": result.number, "a": result.amount}


class PaymentView(ModuleMixin, DetailView):
    module = "orders"
    permission_required = "orders.view_payment"
    template_name = "orders/payment.html"
    context_object_name = "payment"

    def get_queryset(self):
        return Payment.objects.for_user(self.request.user).select_related("customer", "recorded_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Payment receipt %(n)s") % {"n": self.object.number}
        ctx["allocations"] = self.object.allocations.select_related("order")
        return ctx


class ReceivablesView(ModuleMixin, TemplateView):
    """Receivables ageing by customer (0-30, 31-60, 61-90, 90+ days since the invoice), with Excel export."""

    module = "orders"
    permission_required = "orders.view_payment"
    template_name = "orders/receivables.html"
    title = _("Receivables ageing")

    def get(self, request, *args, **kwargs):
        rows = list(selectors.receivables_ageing(request.user)[:500])
        if request.GET.get("_export") == "xlsx":
            from .exports import xlsx_response

            head = [_("Customer"), _("Orders"), "0-30", "31-60", "61-90", "90+", pgettext_lazy("orders", "Overdue"),
                    _("Balance")]
            data = [[r["customer__name"], r["orders"], r["b_0_30"], r["b_31_60"], r["b_61_90"], r["b_90p"],
                     r["overdue"], r["open_balance"]] for r in rows]
            return xlsx_response(request, "receivables", head, data, model=SalesOrder)
        ctx = self.get_context_data(rows=rows, totals=selectors.ageing_totals(rows),
                                    credits=selectors.credit_balances(request.user))
        return self.render_to_response(ctx)


class StatementView(ModuleMixin, TemplateView):
    """The customer's statement as a page: open orders, returns, credit, refunds (the PDF holds the same)."""

    module = "orders"
    permission_required = "orders.view_payment"
    template_name = "orders/statement.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        c = get_object_or_404(Customer.objects.for_user(self.request.user), pk=self.kwargs["customer"])
        ctx.update(selectors.customer_statement(c, self.request.user), customer=c,
                   title=_("Customer statement: %(c)s") % {"c": c.name})
        return ctx


class StatementPDFView(ModuleMixin, View):
    module = "orders"
    permission_required = "orders.view_payment"

    def get(self, request, customer):
        c = get_object_or_404(Customer.objects.for_user(request.user), pk=customer)
        return pdf_response(pdf.customer_statement_pdf(c, selectors.customer_statement(c, request.user)),
                            f"statement-{c.pk}.pdf")


class CreditListView(ModuleMixin, TemplateView):
    """Customer credit with money left, and refunds: Finance applies or refunds credit, the general manager
    approves refunds."""

    module = "orders"
    permission_required = "orders.view_payment"
    template_name = "orders/credits.html"
    title = _("Customer credit and refunds")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["credits"] = (CustomerCredit.objects.for_user(user).filter(remaining__gt=0)
                          .select_related("customer", "order").order_by("created_at", "pk")[:200])
        refunds = list(Refund.objects.filter(credit__in=CustomerCredit.objects.for_user(user))
                       .select_related("customer", "credit", "requested_by", "decided_by")
                       .order_by("-requested_at", "-pk")[:100])
        for r in refunds:
            r.refusal = ""
            if r.status == RefundStatus.REQUESTED:
                if not user.has_perm("orders.approve_refund"):
                    r.refusal = _("The general manager approves refunds.")
                elif user.pk == r.requested_by_id:
                    r.refusal = _("Nobody approves or rejects a refund they requested.")
        ctx["refunds"] = refunds
        return ctx


class CreditMixin:
    module = "orders"
    permission_required = "orders.add_payment"
    success_url = reverse_lazy("orders:credit_list")

    def get_object(self):
        return get_object_or_404(CustomerCredit.objects.for_user(self.request.user).select_related("customer"),
                                 pk=self.kwargs["pk"], remaining__gt=0)

    def get_cancel_url(self):
        return reverse("orders:credit_list")


class ApplyCreditView(CreditMixin, ServiceFormView):
    form_class = ApplyCreditForm
    title = _("Apply customer credit to an order")
    submit_label = _("Apply")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "credit": self.object}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["intro"] = _("Credit %(n)s of %(c)s: %(left)s left.") % {
            "n": self.object.number, "c": self.object.customer.name, "left": f"¥{self.object.remaining:,}"}
        return ctx

    def perform(self, form):
        return services.apply_credit(self.object, order=form.cleaned_data["order"],
                                     amount=form.cleaned_data["amount"], actor=self.request.user)

    def get_success_url(self, result=None):
        return result.order.get_absolute_url()

    def get_success_message(self, result):
        return _("%(a)s of credit %(c)s applied to %(n)s.") % {"a": f"¥{result.amount:,}", "c": result.credit.number,
                                                              "n": result.order.number}


class RefundRequestView(CreditMixin, ServiceFormView):
    form_class = RefundForm
    title = _("Refund customer credit")
    submit_label = _("Request the refund")

    def get_initial(self):
        return {"amount": self.object.remaining}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["intro"] = _("Credit %(n)s of %(c)s: %(left)s left. The general manager approves the refund before the "
                         "money is paid.") % {"n": self.object.number, "c": self.object.customer.name,
                                              "left": f"¥{self.object.remaining:,}"}
        return ctx

    def perform(self, form):
        return services.request_refund(self.object, actor=self.request.user, **form.cleaned_data)

    def get_success_message(self, result):
        return _("Refund %(n)s requested; it waits for the general manager.") % {"n": result.number}


class RefundDecisionView(ServiceActionView):
    module = "orders"
    permission_required = "orders.approve_refund"
    success_url = reverse_lazy("orders:credit_list")

    def get_object(self):
        if self.kwargs["decision"] not in ("approve", "reject"):
            raise Http404
        return get_object_or_404(Refund.objects.filter(credit__in=CustomerCredit.objects.for_user(self.request.user)),
                                 pk=self.kwargs["pk"])

    def get_error_url(self):
        return reverse("orders:credit_list")

    def perform(self):
        note = self.request.POST.get("note", "")[:255]
        if self.kwargs["decision"] == "approve":
            refund = services.approve_refund(self.object, actor=self.request.user, note=note)
            messages.success(self.request, _("Refund %(n)s approved.") % {"n": refund.number})
        else:
            refund = services.reject_refund(self.object, actor=self.request.user, note=note)
            messages.success(self.request, _("Refund %(n)s rejected; the amount is credit again.") % {
                "n": refund.number})
        return refund


# --------------------------------------------------------------------------- settings, price rules, carriers

class ReviewSettingsView(ServiceFormView):
    module = "orders"
    permission_required = "orders.change_reviewsettings"
    form_class = ReviewSettingsForm
    title = _("Review thresholds")
    success_message = _("Review thresholds saved.")
    success_url = reverse_lazy("orders:review_settings")
    cancel_url = reverse_lazy("orders:review_queue")

    def get_object(self):
        return ReviewSettings.current()

    def perform(self, form):
        return services.update_review_settings(actor=self.request.user, **form.cleaned_data)


class PriceRuleListView(ERPListView):
    model = PriceRule
    table_class = PriceRuleTable
    module = "orders"
    permission_required = "orders.view_pricerule"
    title = _("Price levels and quantity breaks")
    create_url_name = "orders:pricerule_create"
    create_label = _("New rule")
    empty_text = _("No price rules: every customer pays the list price.")
    filterset_class = PriceRuleFilterSet

    def get_queryset(self):
        return PriceRule.objects.select_related("product", "category")


class PriceRuleCreateView(ServiceFormView):
    module = "orders"
    permission_required = "orders.add_pricerule"
    form_class = PriceRuleForm
    title = _("Price rule")
    success_message = _("Price rule saved.")
    success_url = cancel_url = reverse_lazy("orders:pricerule_list")

    def perform(self, form):
        return services.create_price_rule(actor=self.request.user, **form.cleaned_data)


class PriceRuleEditView(PriceRuleCreateView):
    permission_required = "orders.change_pricerule"

    def get_object(self):
        return get_object_or_404(PriceRule, pk=self.kwargs["pk"])

    def perform(self, form):
        return services.update_price_rule(self.object, actor=self.request.user, **form.cleaned_data)


class CarrierListView(ERPListView):
    model = Carrier
    table_class = CarrierTable
    module = "orders"
    permission_required = "orders.view_carrier"
    title = _("Carriers")
    create_url_name = "orders:carrier_create"
    create_label = _("New carrier")
    empty_text = _("No carriers yet.")
    filterset_class = CarrierFilterSet


class CarrierCreateView(ServiceFormView):
    module = "orders"
    permission_required = "orders.add_carrier"
    form_class = CarrierForm
    title = _("Carrier")
    success_message = _("Carrier saved.")
    success_url = cancel_url = reverse_lazy("orders:carrier_list")

    def perform(self, form):
        return services.create_carrier(actor=self.request.user, **form.cleaned_data)


class CarrierEditView(CarrierCreateView):
    permission_required = "orders.change_carrier"

    def get_object(self):
        return get_object_or_404(Carrier, pk=self.kwargs["pk"])

    def perform(self, form):
        return services.update_carrier(self.object, actor=self.request.user, **form.cleaned_data)


# --------------------------------------------------------------------------- analytics

CHARTS = {
    "period": _("Orders and revenue by period"),
    "salesperson": _("Revenue by salesperson"),
    "region": _("Revenue by region"),
    "customer_type": _("Revenue by customer type"),
    "category": _("Revenue by category"),
    "products": _("Product ranking"),
    "customers": _("Top customers"),
}


class AnalyticsView(ModuleMixin, TemplateView):
    module = "orders"
    permission_required = "orders.view_order_analytics"
    template_name = "orders/analytics.html"
    title = _("Order analytics")

    def period(self):
        from .forms import AnalyticsFilterForm

        form = AnalyticsFilterForm(self.request.GET or None)
        start, end = selectors.default_period()
        grain = "month"
        if form.is_valid():
            start = form.cleaned_data.get("start") or start
            end = form.cleaned_data.get("end") or end
            grain = form.cleaned_data.get("grain") or grain
        return form, start, end, grain

    def datasets(self, start, end, grain, rank_by):
        u = self.request.user
        from crm.choices import CustomerTypeChoices

        types = dict(CustomerTypeChoices.choices)
        period = selectors.revenue_by_period(u, start, end, grain)
        reps = selectors.revenue_by_salesperson(u, start, end)
        regions = selectors.revenue_by_region(u, start, end)
        ctypes = selectors.revenue_by_customer_type(u, start, end)
        cats = selectors.revenue_by_category(u, start, end)
        products = selectors.product_ranking(u, start, end, by=rank_by)
        customers = selectors.top_customers(u, start, end)

        def name(r):
            return (f"{r['salesperson__last_name']}{r['salesperson__first_name']}".strip()
                    or r["salesperson__username"])

        fmt = {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m"}[grain]
        return {
            "period": ([_("Period"), _("Orders"), _("Revenue")],
                       [[selectors.as_date(r["period"]).strftime(fmt), r["orders"], r["revenue"]] for r in period]),
            "salesperson": ([_("Salesperson"), _("Orders"), _("Revenue"), _("Margin")],
                            [[name(r), r["orders"], r["revenue"], r["margin"]] for r in reps]),
            "region": ([_("Region"), _("Orders"), _("Revenue")],
                       [[r["customer__province"] or _("Unknown"), r["orders"], r["revenue"]] for r in regions]),
            "customer_type": ([_("Customer type"), _("Orders"), _("Revenue")],
                              [[str(types.get(r["customer__customer_type"], r["customer__customer_type"])),
                                r["orders"], r["revenue"]] for r in ctypes]),
            "category": ([_("Category"), pgettext_lazy("orders", "Lines"), _("Revenue")],
                         [[r["product__category__name_zh"] if self.request.LANGUAGE_CODE.startswith("zh") else (
                             r["product__category__name_en"] or r["product__category__name_zh"]), r["lines"],
                           r["revenue"]] for r in cats]),
            "products": ([_("SKU"), _("Product"), _("Quantity"), _("Revenue"), _("Margin")],
                         [[r["product__sku"], r["product__name_zh"] if self.request.LANGUAGE_CODE.startswith("zh")
                           else (r["product__name_en"] or r["product__name_zh"]), r["qty"], r["revenue"],
                           r["margin"]] for r in products]),
            "customers": ([_("Customer"), _("Orders"), _("Revenue")],
                          [[r["customer__name"], r["orders"], r["revenue"]] for r in customers]),
        }

    def get(self, request, *args, **kwargs):
        form, start, end, grain = self.period()
        rank_by = request.GET.get("rank", "revenue")
        data = self.datasets(start, end, grain, rank_by)
        export = request.GET.get("_export")
        if export:
            from .exports import xlsx_response

            if export not in data:
                raise Http404
            head, rows = data[export]
            return xlsx_response(request, f"orders-{export}", head, rows, model=SalesOrder)
        charts = []
        for key, (head, rows) in data.items():
            value_col = {"qty": 2, "revenue": 3, "margin": 4}.get(rank_by, 3) if key == "products" else 2
            metric = str(head[value_col])
            charts.append({"key": key, "title": CHARTS[key], "head": head, "rows": rows, "metric": metric,
                           "labels": [str(r[1] if key == "products" else r[0]) for r in rows],
                           "values": [float(r[value_col] or 0) for r in rows],
                           "counts": [r[1] for r in rows] if key == "period" else None,
                           "type": "line" if key == "period" else "bar"})
        ctx = self.get_context_data(form=form, start=start, end=end, grain=grain, rank_by=rank_by, charts=charts,
                                    headline=selectors.headline(request.user, start, end))
        return self.render_to_response(ctx)


class RepMonthFragmentView(ModuleMixin, TemplateView):
    """Revenue per salesperson per month as an htmx fragment (the CRM sales analytics may embed it)."""

    module = "orders"
    permission_required = ("orders.view_salesorder", MONEY_PERM)
    template_name = "orders/_rep_month.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        start, end = selectors.default_period()
        rows = selectors.sales_by_rep_month(self.request.user, start, end)
        months = sorted({r["month"] for r in rows})
        table = {}
        for r in rows:
            table.setdefault((r["salesperson_id"], r["name"]), {})[r["month"]] = r["revenue"]
        ctx["months"] = [selectors.as_date(m) for m in months]
        ctx["reps"] = [{"name": name, "values": [vals.get(m) for m in months], "total": sum(vals.values())}
                       for (_pk, name), vals in sorted(table.items(), key=lambda kv: kv[0][1])]
        return ctx


# --------------------------------------------------------------------------- contracts with CRM

class CustomerPurchasesView(ModuleMixin, TemplateView):
    """The CRM customer page's purchase records (htmx fragment)."""

    module = "orders"
    permission_required = ("orders.view_salesorder", MONEY_PERM)
    template_name = "orders/_customer_purchases.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        customer = get_object_or_404(Customer.objects.for_user(self.request.user), pk=self.kwargs["pk"])
        ctx["customer"] = customer
        ctx.update(selectors.customer_purchases(customer, self.request.user))
        return ctx


class OrderFromOpportunityView(ModuleMixin, View):
    """A won opportunity → a draft order for its customer, opened for editing. Once per opportunity."""

    module = "orders"
    permission_required = "orders.add_salesorder"

    def get(self, request, pk):
        opp = get_object_or_404(Opportunity.objects.for_user(request.user).select_related("customer"), pk=pk)
        done = SalesOrder.objects.for_user(request.user).filter(opportunity=opp).order_by("pk").first()
        if done is not None:
            messages.info(request, _("Order %(n)s was already made from this opportunity.") % {"n": done.number})
            return redirect(done)
        if opp.stage != "won":
            messages.error(request, _("Only a won opportunity becomes an order."))
            return redirect(opp.get_absolute_url())
        url = reverse("orders:order_create") + f"?customer={opp.customer_id}&opportunity={opp.pk}"
        messages.info(request, _("New order for %(c)s from the opportunity “%(o)s”: add the lines and save.") % {
            "c": opp.customer, "o": opp.title})
        return redirect(url)


# --------------------------------------------------------------------------- lookups for the pickers

class CustomerLookupView(ModuleMixin, View):
    """The customer picker of the order form (who creates orders) and of the payment form (who records payments)."""

    module = "orders"
    callers = ("orders.add_salesorder", "orders.add_payment")

    def has_permission(self):
        return super().has_permission() and any(self.request.user.has_perm(p) for p in self.callers)

    def get(self, request):
        q = request.GET.get("q", "").strip()[:60]
        qs = Customer.objects.for_user(request.user)
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(name_initials__iexact=q) | Q(phone_norm__contains=q))
        return JsonResponse({"results": [{"id": c.pk, "text": c.name} for c in qs.order_by("name")[:30]]})


class ProductLookupView(ModuleMixin, View):
    module = "orders"
    permission_required = "orders.add_salesorder"

    def get(self, request):
        q = request.GET.get("q", "").strip()[:60]
        qs = Product.objects.filter(active=True)
        if q:
            qs = qs.filter(Q(sku__icontains=q) | Q(name_zh__icontains=q) | Q(name_en__icontains=q) | Q(barcode=q))
        return JsonResponse({"results": [{"id": p.pk, "text": f"{p.sku} {p.name}"} for p in qs.order_by("sku")[:30]]})


# --------------------------------------------------------------------------- the customer's status page

class StatusPageView(View):
    """No sign-in: a signed, revocable link shows one order's status, lines, shipments and tracking."""

    def get(self, request, token):
        order = services.order_from_token(token)
        if order is None:
            return render(request, "orders/status_invalid.html", status=404)
        ctx = {"order": order, "lines": order.lines.select_related("product", "unit"),
               "shipments": order.shipments.select_related("carrier").prefetch_related("tracking_events"),
               "events": order.events.filter(to_status__in=[s for s in OrderStatus.values if s != "converted"])
               .exclude(to_status="").order_by("at"),
               "today": date.today()}
        resp = render(request, "orders/status_page.html", ctx)
        resp["X-Robots-Tag"] = "noindex, nofollow"
        resp["Referrer-Policy"] = "no-referrer"
        return resp

