"""Supplier and purchase order pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import CreateView, DetailView, FormView, UpdateView

from hardware_erp.core.views import ERPListView

from . import forecast, pdf, purchasing
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
from .tables import PurchaseOrderTable, SuggestionTable, SupplierTable
from .views import FormPageMixin, InventoryMixin


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


class SupplierCreateView(FormPageMixin, CreateView):
    model = Supplier
    form_class = SupplierForm
    permission_required = "inventory.add_supplier"
    title = _("New supplier")
    cancel_url_name = "inventory:supplier_list"


class SupplierEditView(FormPageMixin, UpdateView):
    model = Supplier
    form_class = SupplierForm
    permission_required = "inventory.change_supplier"
    title = _("Edit supplier")


class SupplierContactCreateView(InventoryMixin, View):
    permission_required = "inventory.change_supplier"

    def post(self, request, pk):
        supplier = get_object_or_404(Supplier, pk=pk)
        form = SupplierContactForm(request.POST)
        if form.is_valid():
            form.instance.supplier = supplier
            form.save()
            messages.success(request, _("Contact added."))
        else:
            for errs in form.errors.values():
                for e in errs:
                    messages.error(request, e)
        return redirect(supplier.get_absolute_url())


class SupplierProductCreateView(FormPageMixin, CreateView):
    model = SupplierProduct
    form_class = SupplierProductForm
    permission_required = "inventory.add_supplierproduct"
    title = _("Add a product to the supplier")

    def dispatch(self, request, *args, **kwargs):
        self.supplier = get_object_or_404(Supplier, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "supplier": self.supplier}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "cancel_url": self.supplier.get_absolute_url()}

    def get_success_url(self):
        return self.supplier.get_absolute_url()


class SupplierProductEditView(SupplierProductCreateView, UpdateView):
    permission_required = "inventory.change_supplierproduct"
    title = _("Edit supplier product")

    def dispatch(self, request, *args, **kwargs):
        self.object = get_object_or_404(SupplierProduct, pk=kwargs["pk"])
        self.supplier = self.object.supplier
        return super(SupplierProductCreateView, self).dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        return self.object


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
        ctx["actions"] = [(s, POStatus(s).label) for s in purchasing.allowed_transitions(o, self.request.user)]
        ctx["can_receive"] = (o.status in (POStatus.SENT, POStatus.PARTIAL)
                              and self.request.user.has_perm("inventory.receive_purchaseorder"))
        return ctx


class PurchaseOrderCreateView(InventoryMixin, FormView):
    permission_required = "inventory.add_purchaseorder"
    template_name = "inventory/purchaseorder_form.html"
    form_class = PurchaseOrderForm
    title = _("New purchase order")

    def get_initial(self):
        return {"supplier": self.request.GET.get("supplier")}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("formset", POLineFormSet(self.request.POST or None, prefix="lines"))
        ctx["cancel_url"] = reverse("inventory:purchaseorder_list")
        return ctx

    def form_valid(self, form):
        formset = POLineFormSet(self.request.POST, prefix="lines")
        if not formset.is_valid():
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        lines = [(f.cleaned_data["product"], f.cleaned_data["quantity"], f.cleaned_data.get("unit_price"))
                 for f in formset if f.cleaned_data.get("product")]
        try:
            order = purchasing.create_purchase_order(actor=self.request.user, lines=lines, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        messages.success(self.request, _("Purchase order %(n)s created.") % {"n": order.number})
        return redirect(order.get_absolute_url())


class PurchaseOrderTransitionView(InventoryMixin, View):
    permission_required = "inventory.view_purchaseorder"

    def post(self, request, pk):
        order = get_object_or_404(PurchaseOrder, pk=pk)
        try:
            purchasing.transition(order, request.POST.get("to", ""), actor=request.user,
                                  note=request.POST.get("note", "")[:300])
        except ValueError:
            messages.error(request, _("Unknown action."))
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Purchase order updated."))
        return redirect(order.get_absolute_url())


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
        return {**super().get_context_data(**kwargs), "order": self.order,
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


class SuggestionRecomputeView(InventoryMixin, View):
    permission_required = "inventory.change_purchasesuggestion"

    def post(self, request):
        result = forecast.compute_suggestions(actor=request.user)
        messages.success(request, _("Suggestions recomputed: %(items)s items need ordering (%(created)s new).")
                         % result)
        return redirect("inventory:suggestion_list")


class SuggestionUpdateView(InventoryMixin, View):
    permission_required = "inventory.change_purchasesuggestion"

    def post(self, request, pk):
        suggestion = get_object_or_404(PurchaseSuggestion, pk=pk)
        try:
            forecast.update_suggestion(suggestion, actor=request.user, quantity=request.POST.get("quantity") or None,
                                       status=request.POST.get("status") or None)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, _("Suggestion for %(sku)s updated.") % {"sku": suggestion.product.sku})
        return redirect(request.META.get("HTTP_REFERER") or reverse("inventory:suggestion_list"))


class SuggestionOrderView(InventoryMixin, View):
    permission_required = "inventory.add_purchaseorder"

    def post(self, request):
        ids = [i for i in request.POST.getlist("ids") if i.isdigit()]
        try:
            orders = forecast.order_suggestions(ids, actor=request.user)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
            return redirect("inventory:suggestion_list")
        messages.success(request, _("%(n)s draft purchase order(s) created: %(numbers)s.")
                         % {"n": len(orders), "numbers": ", ".join(o.number for o in orders)})
        return redirect("inventory:purchaseorder_list")
