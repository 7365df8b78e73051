"""Quotations and orders: the form, the order page and its state buttons, PDFs, pickers and CRM contracts."""


from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, TemplateView

from crm import selectors as crm_selectors
from crm.models import Customer, Opportunity
from hardware_erp.core.views import ModuleMixin, ServiceActionView, ServiceFormView, error_messages
from inventory.models import Product

from .. import pdf, selectors, services
from ..choices import DocKind, OrderStatus
from ..forms import (
    LineFormSet,
    OrderForm,
    TransitionForm,
)
from ..models import (
    SalesOrder,
)
from .base import MONEY_PERM, OrderScopeMixin, pdf_response, shown_phone


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
        ctx["invoice_requests"] = order.invoice_requests.select_related("original").order_by("requested_at", "pk")
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
            elif to in services.MACHINE.by_target:
                services.transition(order, to, actor=request.user, note=note)
                messages.success(request, _("%(n)s: %(s)s.") % {"n": order.number, "s": OrderStatus(to).label})
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as exc:
            error_messages(request, exc)
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


class OrderStatementPDFView(OrderScopeMixin, View):
    """对账单 of one order (never called an invoice: VAT invoices come from the tax bureau's platform)."""

    permission_required = ("orders.view_salesorder", MONEY_PERM)

    def get(self, request, pk):
        order = self.get_order(pk)
        return pdf_response(pdf.order_statement_pdf(order), f"{order.number}-statement.pdf")


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


class CustomerLookupView(ModuleMixin, View):
    """The customer picker of the order form (who creates orders) and of the payment form (who records payments)."""

    module = "orders"
    callers = ("orders.add_salesorder", "orders.add_payment")

    def has_permission(self):
        return super().has_permission() and any(self.request.user.has_perm(p) for p in self.callers)

    def get(self, request):
        q = request.GET.get("q", "").strip()[:60]
        if q:  # the CRM's search: the name, any reading's pinyin or initials (a prefix too), phone, credit code
            qs = crm_selectors.customer_search(request.user, q, limit=30)
        else:
            qs = Customer.objects.for_user(request.user).order_by("name")[:30]
        return JsonResponse({"results": [{"id": c.pk, "text": c.name} for c in qs]})


class ProductLookupView(ModuleMixin, View):
    module = "orders"
    permission_required = "orders.add_salesorder"

    def get(self, request):
        q = request.GET.get("q", "").strip()[:60]
        qs = Product.objects.filter(active=True)
        if q:
            qs = qs.filter(Q(sku__icontains=q) | Q(name_zh__icontains=q) | Q(name_en__icontains=q) | Q(barcode=q))
        return JsonResponse({"results": [{"id": p.pk, "text": f"{p.sku} {p.name}"} for p in qs.order_by("sku")[:30]]})
