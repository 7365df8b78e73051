"""Payments, receivables and statements, credits and refunds, VAT invoice requests."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views import View
from django.views.generic import DetailView, TemplateView

from crm.models import Customer
from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.money import format_money, parse_decimal
from hardware_erp.core.signals import data_exported
from hardware_erp.core.views import ModuleMixin, ServiceActionView, ServiceFormView

from .. import invoice_template, pdf, selectors, services
from ..choices import SOLD_STATES, InvoiceStatus, OrderStatus, RefundStatus
from ..forms import (
    ApplyCreditForm,
    InvoiceRequestForm,
    PaymentForm,
    RefundForm,
)
from ..models import (
    CustomerCredit,
    InvoiceRequest,
    Payment,
    Refund,
    SalesOrder,
)
from .base import OrderScopeMixin, pdf_response


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
        return services.buyer_defaults(self.object)

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
                           .select_related("order", "order__customer", "requested_by", "original", "order_return")
                           .order_by("requested_at")[:200])
        ctx["issued"] = (InvoiceRequest.objects.filter(status=InvoiceStatus.ISSUED)
                         .select_related("order", "order__customer").order_by("-issued_on", "-pk")[:20])
        return ctx


class InvoiceExportView(ModuleMixin, View):
    """The waiting requests in the tax bureau's batch-issue layout (orders/invoice_template.py)."""

    module = "orders"
    permission_required = "orders.change_invoicerequest"

    def get(self, request):
        reqs = list(InvoiceRequest.objects.filter(status=InvoiceStatus.REQUESTED)
                    .select_related("order", "order__customer", "original", "order_return").order_by("requested_at"))
        data_exported.send(sender=type(self), request=request, model=InvoiceRequest, rows=len(reqs), format="xlsx")
        return invoice_template.batch_issue_response(
            reqs, filename=f"invoice-requests-{timezone.localdate():%Y%m%d}.xlsx")


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
        try:
            issued_on = date.fromisoformat(self.request.POST.get("issued_on", "")[:10])
        except ValueError:
            issued_on = None
        self.issued = services.issue_invoice(self.object, actor=self.request.user, invoice_number=number,
                                             issued_on=issued_on)
        return self.issued

    @property
    def success_message(self):  # formatted once more with the result: a % in the number is doubled
        return _("Invoice %(n)s recorded.") % {"n": self.issued.invoice_number.replace("%", "%%")}


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
                    amount = parse_decimal(v, max_digits=14, decimal_places=2)
                except BusinessRuleError as exc:
                    if exc.code == "too_large":
                        raise
                    raise ValidationError(_("“%(v)s” is not an amount.") % {"v": v}) from None
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
            from ..exports import xlsx_response

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
            "n": self.object.number, "c": self.object.customer.name, "left": format_money(self.object.remaining)}
        return ctx

    def perform(self, form):
        return services.apply_credit(self.object, order=form.cleaned_data["order"],
                                     amount=form.cleaned_data["amount"], actor=self.request.user)

    def get_success_url(self, result=None):
        return result.order.get_absolute_url()

    def get_success_message(self, result):
        return _("%(a)s of credit %(c)s applied to %(n)s.") % {
            "a": format_money(result.amount), "c": result.credit.number, "n": result.order.number}


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
                                              "left": format_money(self.object.remaining)}
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


class PaymentReceiptPDFView(PaymentView):
    """收款收据 of one payment."""

    def get(self, request, pk):
        payment = self.get_object()
        return pdf_response(pdf.payment_receipt_pdf(payment), f"{payment.number}.pdf")
