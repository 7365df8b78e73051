"""Supplier and purchase order pages."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, FormView

from hardware_erp.core.views import ERPListView, ServiceActionView

from . import catalogue, forecast, pdf, purchasing, workflow
from .choices import POStatus
from .filtersets import PurchaseOrderFilterSet, SuggestionFilterSet, SupplierFilterSet
from .forms import (
    POLineFormSet,
    PurchaseOrderForm,
    ReceiveForm,
    SupplierContactForm,
    SupplierForm,
    SupplierProductForm,
)
from .models import PurchaseOrder, PurchaseSuggestion, Supplier, SupplierProduct
from .scanning import scan_texts
from .tables import PurchaseOrderTable, SuggestionTable, SupplierTable
from .views import InventoryFormView, InventoryMixin


class SupplierListView(InventoryMixin, ERPListView):
    model = Supplier
    table_class = SupplierTable
    filterset_class = SupplierFilterSet
    permission_required = "inventory.view_supplier"
    title = _("Suppliers")
    create_url_name = "inventory:supplier_create"
    create_label = _("New supplier")
    empty_text = _("No suppliers yet.")

    def get_queryset(self):
        return Supplier.objects.annotate(n_products=Count("products")).order_by("code")


class SupplierView(InventoryMixin, DetailView):
    model = Supplier
    permission_required = "inventory.view_supplier"
    template_name = "inventory/supplier.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.object.name
        ctx["contacts"] = self.object.contacts.all()
        ctx["products"] = self.object.products.select_related("product__base_unit").order_by("product__sku")
        ctx["orders"] = self.object.orders.select_related("warehouse")[:20]
        ctx["contact_form"] = SupplierContactForm()
        return ctx


class SupplierCreateView(InventoryFormView):
    form_class = SupplierForm
    permission_required = "inventory.add_supplier"
    title = _("New supplier")
    success_message = _("Supplier %(object)s saved.")
    cancel_url = reverse_lazy("inventory:supplier_list")

    def perform(self, form):
        return catalogue.create_supplier(actor=self.request.user, **form.cleaned_data)


class SupplierEditView(InventoryFormView):
    form_class = SupplierForm
    permission_required = "inventory.change_supplier"
    title = _("Edit supplier")
    success_message = _("Supplier %(object)s saved.")

    def get_object(self):
        return get_object_or_404(Supplier, pk=self.kwargs["pk"])

    def perform(self, form):
        return catalogue.update_supplier(self.object, actor=self.request.user, **form.cleaned_data)


class SupplierContactCreateView(ServiceActionView):
    module = "inventory"
    permission_required = "inventory.change_supplier"
    success_message = _("Contact added.")

    def get_object(self):
        return get_object_or_404(Supplier, pk=self.kwargs["pk"])

    def perform(self):
        form = SupplierContactForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        catalogue.add_supplier_contact(self.object, actor=self.request.user, **form.cleaned_data)
        return self.object


class SupplierProductCreateView(InventoryFormView):
    form_class = SupplierProductForm
    permission_required = "inventory.add_supplierproduct"
    title = _("Add a product to the supplier")

    def get_supplier(self):
        return get_object_or_404(Supplier, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        self.supplier = self.get_supplier()
        return {**super().get_form_kwargs(), "supplier": self.supplier}

    def get_cancel_url(self):
        return self.get_supplier().get_absolute_url()

    def get_success_url(self, result=None):
        return result.supplier.get_absolute_url()

    def perform(self, form):
        return catalogue.create_supplier_product(self.supplier, actor=self.request.user, **form.cleaned_data)


class SupplierProductEditView(SupplierProductCreateView):
    permission_required = "inventory.change_supplierproduct"
    title = _("Edit supplier product")

    def get_object(self):
        return get_object_or_404(SupplierProduct.objects.select_related("supplier"), pk=self.kwargs["pk"])

    def get_supplier(self):
        return self.object.supplier

    def perform(self, form):
        return catalogue.update_supplier_product(self.object, actor=self.request.user, **form.cleaned_data)


class PurchaseOrderListView(InventoryMixin, ERPListView):
    model = PurchaseOrder
    table_class = PurchaseOrderTable
    filterset_class = PurchaseOrderFilterSet
    permission_required = "inventory.view_purchaseorder"
    title = _("Purchase orders")
    create_url_name = "inventory:purchaseorder_create"
    create_label = _("New purchase order")
    empty_text = _("No purchase orders yet. Create one, or turn purchase suggestions into orders.")

    def get_queryset(self):
        return (PurchaseOrder.objects.select_related("supplier", "warehouse")
                .annotate(n_lines=Count("lines"),
                          amount=Sum(ExpressionWrapper(F("lines__quantity") * F("lines__unit_price"),
                                                       output_field=DecimalField(max_digits=20, decimal_places=2))))
                .order_by("-created_at", "-pk"))


class PurchaseOrderView(InventoryMixin, DetailView):
    model = PurchaseOrder
    permission_required = "inventory.view_purchaseorder"
    template_name = "inventory/purchaseorder.html"

    def get_queryset(self):
        return PurchaseOrder.objects.select_related("supplier", "warehouse", "created_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        o = self.object
        ctx["title"] = _("Purchase order %(n)s") % {"n": o.number}
        ctx["lines"] = list(o.lines.select_related("product__base_unit"))
        ctx["total"] = sum((ln.amount for ln in ctx["lines"]), 0)
        ctx["events"] = o.events.select_related("actor")
        ctx["actions"] = workflow.buttons(purchasing.MACHINE, o, self.request.user)
        ctx["can_receive"] = (o.status in (POStatus.SENT, POStatus.PARTIAL)
                              and self.request.user.has_perm("inventory.receive_purchaseorder"))
        return ctx


class PurchaseOrderCreateView(InventoryFormView):
    permission_required = "inventory.add_purchaseorder"
    template_name = "inventory/purchaseorder_form.html"
    form_class = PurchaseOrderForm
    title = _("New purchase order")
    submit_label = _("Create purchase order")
    cancel_url = reverse_lazy("inventory:purchaseorder_list")

    def get_initial(self):
        """The supplier from the address; the expected delivery after the supplier's usual lead time (a week when
        no supplier is given)."""
        supplier = Supplier.objects.filter(pk=self.request.GET.get("supplier") or 0).first() \
            if (self.request.GET.get("supplier") or "").isdigit() else None
        days = supplier.default_lead_time_days if supplier else 7
        return {"supplier": self.request.GET.get("supplier"),
                "expected_at": timezone.localdate() + timedelta(days=days)}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["formset"] = getattr(self, "formset", None) or POLineFormSet(self.request.POST or None, prefix="lines")
        return ctx

    def perform(self, form):
        self.formset = POLineFormSet(self.request.POST, prefix="lines")
        if not self.formset.is_valid():
            raise ValidationError(_("Correct the lines marked in red."))
        lines = [(f.cleaned_data["product"], f.cleaned_data["quantity"], f.cleaned_data.get("unit_price"))
                 for f in self.formset if f.cleaned_data.get("product")]
        return purchasing.create_purchase_order(actor=self.request.user, lines=lines, **form.cleaned_data)

    def get_success_message(self, result):
        return _("Purchase order %(n)s created.") % {"n": result.number}


class PurchaseOrderTransitionView(ServiceActionView):
    module = "inventory"
    permission_required = "inventory.view_purchaseorder"
    success_message = _("Purchase order updated.")

    def get_object(self):
        return get_object_or_404(PurchaseOrder, pk=self.kwargs["pk"])

    def perform(self):
        to = self.request.POST.get("to", "")
        if to not in POStatus.values:
            raise ValidationError(_("Unknown action."))
        try:
            return purchasing.transition(self.object, to, actor=self.request.user,
                                         note=self.request.POST.get("note", "")[:300])
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from None


class PurchaseOrderPdfView(InventoryMixin, View):
    permission_required = "inventory.view_purchaseorder"

    def get(self, request, pk):
        order = get_object_or_404(PurchaseOrder.objects.select_related("supplier", "warehouse"), pk=pk)
        response = HttpResponse(pdf.purchase_order_pdf(order), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
        return response


class PurchaseOrderReceiveView(InventoryMixin, FormView):
    permission_required = "inventory.receive_purchaseorder"
    template_name = "inventory/purchaseorder_receive.html"

    def dispatch(self, request, *args, **kwargs):
        self.order = get_object_or_404(PurchaseOrder.objects.select_related("supplier", "warehouse"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return ReceiveForm(**self.get_form_kwargs(), order=self.order)

    def get_context_data(self, **kwargs):
        texts = scan_texts(not_on_order=_("%(sku)s is not on this purchase order."),
                           too_many=_("%(sku)s: all %(n)s still to receive are counted; no more is expected."),
                           received=_("received"), bin=_("Bin"))
        return {**super().get_context_data(**kwargs), "order": self.order, "scan_texts": texts,
                "title": _("Receive %(n)s") % {"n": self.order.number}}

    def form_valid(self, form):
        try:
            moves = purchasing.receive_purchase_order(order=self.order, receipts=form.receipts(),
                                                      actor=self.request.user, key=form.cleaned_data["key"])
        except ValidationError as exc:
            for m in exc.messages:
                form.add_error(None, m)
            return self.form_invalid(form)
        messages.success(self.request, _("%(n)s receipt(s) posted.") % {"n": len(moves)})
        return redirect(self.order.get_absolute_url())


class SuggestionListView(InventoryMixin, ERPListView):
    model = PurchaseSuggestion
    table_class = SuggestionTable
    filterset_class = SuggestionFilterSet
    permission_required = "inventory.view_purchasesuggestion"
    title = _("Purchase suggestions")
    empty_text = _("No purchase suggestions: every item is above its reorder point. Recompute after new sales.")
    template_name = "inventory/suggestion_list.html"
    paginate_by = 50

    def get_queryset(self):
        return PurchaseSuggestion.objects.select_related("product", "supplier", "warehouse")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["last_computed"] = PurchaseSuggestion.objects.order_by("-computed_at").values_list(
            "computed_at", flat=True).first()
        return ctx


class SuggestionRecomputeView(ServiceActionView):
    module = "inventory"
    permission_required = "inventory.change_purchasesuggestion"
    success_url = reverse_lazy("inventory:suggestion_list")

    def perform(self):
        result = forecast.compute_suggestions(actor=self.request.user)
        self.success_message = (_("Suggestions recomputed: %(items)s items need ordering (%(created)s new).")
                                % result).replace("%", "%%")
        return None


class SuggestionUpdateView(ServiceActionView):
    module = "inventory"
    permission_required = "inventory.change_purchasesuggestion"

    def get_object(self):
        return get_object_or_404(PurchaseSuggestion.objects.select_related("product"), pk=self.kwargs["pk"])

    def get_success_url(self, result=None):
        # back to the list as it was (its filters and page), when the page came from this site
        back = self.request.META.get("HTTP_REFERER", "")
        if back and url_has_allowed_host_and_scheme(back, allowed_hosts={self.request.get_host()}):
            return back
        return reverse("inventory:suggestion_list")

    get_error_url = get_success_url

    def perform(self):
        p = self.request.POST
        forecast.update_suggestion(self.object, actor=self.request.user, quantity=p.get("quantity") or None,
                                   status=p.get("status") or None)
        self.success_message = _("Suggestion for %(sku)s updated.") % {"sku": self.object.product.sku}
        return None


class SuggestionOrderView(ServiceActionView):
    module = "inventory"
    permission_required = "inventory.add_purchaseorder"
    success_url = reverse_lazy("inventory:purchaseorder_list")

    def get_error_url(self):
        return reverse("inventory:suggestion_list")

    def perform(self):
        ids = [i for i in self.request.POST.getlist("ids") if i.isdigit()]
        orders = forecast.order_suggestions(ids, actor=self.request.user)
        self.success_message = (_("%(n)s draft purchase order(s) created: %(numbers)s.") % {
            "n": len(orders), "numbers": ", ".join(o.number for o in orders)}).replace("%", "%%")
        return None
