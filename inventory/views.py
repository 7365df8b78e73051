from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, ExpressionWrapper, F
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, FormView

from hardware_erp.core.exports import export_response
from hardware_erp.core.uploads import UploadField
from hardware_erp.core.views import ERPListView, ModuleIndexView, ModuleMixin, ServiceActionView, ServiceFormView

from . import catalogue, selectors, services
from .choices import MovementKind
from .filtersets import (
    AlertFilterSet,
    LocationFilterSet,
    MovementFilterSet,
    ProductFilterSet,
    StockLevelFilterSet,
    ValuationFilterSet,
    WarehouseFilterSet,
)
from .forms import LocationForm, MovementForm, ProductForm, WarehouseForm
from .labels import choice_context as label_choice_context
from .labels import parse_choice, remember_choice
from .models import Location, Product, StockAlert, StockLevel, StockMovement, StockThreshold, Warehouse
from .tables import (
    AlertTable,
    LocationTable,
    MovementTable,
    NoMovementTable,
    ProductTable,
    StockLevelTable,
    ValuationTable,
    WarehouseTable,
)


class IndexView(ModuleIndexView):
    module = "inventory"


class InventoryMixin(ModuleMixin):
    module = "inventory"


class InventoryFormView(InventoryMixin, ServiceFormView):
    """An inventory form page: its valid data goes to one service (see ServiceFormView)."""

    success_message = _("Saved.")


# --- catalogue -------------------------------------------------------------------------------------------------

class ProductListView(InventoryMixin, ERPListView):
    model = Product
    table_class = ProductTable
    filterset_class = ProductFilterSet
    permission_required = "inventory.view_product"
    title = _("Products")
    create_url_name = "inventory:product_create"
    create_label = _("New product")
    empty_text = _("No products yet. Add one or import a spreadsheet.")
    template_name = "inventory/product_list.html"

    def get_queryset(self):
        # exported, every product's figures are read: one grouped pass, not a lookup each (a page, sorted by stock
        # or not, is faster with the lookups: bench/README.md, `stock`)
        whole = bool(self.request.GET.get(self.export_trigger_param))
        return selectors.product_list(whole=whole)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if not self.request.user.has_perm("inventory.add_product"):
            ctx["create_url"] = ""
        ctx.update(label_choice_context(self.request))
        return ctx


class ProductView(InventoryMixin, DetailView):
    model = Product
    permission_required = "inventory.view_product"
    template_name = "inventory/product.html"

    def get_queryset(self):
        return Product.objects.select_related("category", "brand", "base_unit")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        p = self.object
        ctx["title"] = f"{p.sku} {p.name}"
        ctx.update(label_choice_context(self.request))
        stock = selectors.product_stock(p)
        by_id = stock.pop("warehouse_by_id")
        ctx.update(stock)
        ctx["incoming"] = (p.purchase_lines.filter(order__status__in=selectors.OPEN_PO_STATES)
                           .select_related("order__supplier")
                           .annotate(outstanding_qty=ExpressionWrapper(F("quantity") - F("received_quantity"),
                                                                       output_field=Product.list_price.field))
                           .order_by("order__expected_at"))
        kinds = {value: str(label) for value, label in MovementKind.choices}  # get_kind_display, once a kind
        movements = selectors.product_movements(p, by_id)
        for m in movements:  # the date filter's output ("Y-m-d H:i" in the current time zone), a row at a time
            m["posted"] = timezone.localtime(m["posted_at"]).strftime("%Y-%m-%d %H:%M")
            m["kind_label"] = kinds.get(m["kind"], m["kind"])
        ctx["movements"] = movements
        ctx["units"] = p.units.select_related("unit")
        # Supplier then product: the product is this one (its ordering would join inventory_product for nothing)
        ctx["suppliers"] = p.supplier_products.select_related("supplier").order_by("supplier__code")
        ctx["equivalents"] = selectors.equivalents_available(p)
        alerts = list(p.alerts.filter(cleared_at__isnull=True))
        for a in alerts:
            a.warehouse = by_id[a.warehouse_id]
        ctx["open_alerts"] = alerts
        if self.request.user.has_perm("inventory.change_stockthreshold"):
            ctx["threshold_form"] = ThresholdForm(warehouses=stock["all_warehouses"])
        return ctx


class ProductCreateView(InventoryFormView):
    form_class = ProductForm
    permission_required = "inventory.add_product"
    title = _("New product")
    success_message = _("Product %(object)s saved.")
    cancel_url = reverse_lazy("inventory:product_list")

    def perform(self, form):
        return catalogue.create_product(actor=self.request.user, **form.cleaned_data)


class ProductEditView(InventoryFormView):
    template_name = "inventory/product_form.html"
    form_class = ProductForm
    permission_required = "inventory.change_product"

    def get_object(self):
        return get_object_or_404(Product, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Edit %(sku)s") % {"sku": self.object.sku}
        ctx["intro"] = _("List price and standard cost are key data: a change takes effect once a manager approves "
                         "it.") if not self.request.user.has_perm("governance.approve_changerequest") else ""
        return ctx

    def perform(self, form):
        product, self.pending = catalogue.update_product(self.object, actor=self.request.user, **form.cleaned_data)
        return product

    def get_success_message(self, result):
        if self.pending is not None:
            return _("Saved. The new price or cost is pending approval: it takes effect once a manager approves it.")
        return _("Product %(object)s saved.") % {"object": result}


class ProductLookupView(InventoryMixin, View):
    """JSON for the product picker: {"results": [{"id", "text"}]}."""

    permission_required = "inventory.view_product"

    def get(self, request):
        from .filtersets import product_search

        q = request.GET.get("q", "")
        qs = product_search(Product.objects.filter(active=True), "", q).order_by("sku")[:20]
        return JsonResponse({"results": [{"id": p.pk, "text": f"{p.sku} {p.name} {p.spec_line}".strip()}
                                         for p in qs]})


class WarehouseListView(InventoryMixin, ERPListView):
    model = Warehouse
    table_class = WarehouseTable
    filterset_class = WarehouseFilterSet
    permission_required = "inventory.view_warehouse"
    title = _("Warehouses")
    create_url_name = "inventory:warehouse_create"
    create_label = _("New warehouse")
    empty_text = _("No warehouses yet.")

    def get_queryset(self):
        return Warehouse.objects.annotate(n_locations=Count("locations")).order_by("code")


class WarehouseCreateView(InventoryFormView):
    form_class = WarehouseForm
    permission_required = "inventory.add_warehouse"
    title = _("New warehouse")
    success_message = _("Warehouse %(object)s saved.")
    success_url = cancel_url = reverse_lazy("inventory:warehouse_list")

    def perform(self, form):
        return catalogue.create_warehouse(actor=self.request.user, **form.cleaned_data)


class WarehouseEditView(WarehouseCreateView):
    permission_required = "inventory.change_warehouse"
    title = _("Edit warehouse")

    def get_object(self):
        return get_object_or_404(Warehouse, pk=self.kwargs["pk"])

    def perform(self, form):
        return catalogue.update_warehouse(self.object, actor=self.request.user, **form.cleaned_data)


class LocationListView(InventoryMixin, ERPListView):
    model = Location
    table_class = LocationTable
    filterset_class = LocationFilterSet
    permission_required = "inventory.view_location"
    title = _("Bin locations")
    create_url_name = "inventory:location_create"
    create_label = _("New location")
    empty_text = _("No bin locations yet.")
    template_name = "inventory/location_list.html"

    def get_queryset(self):
        return Location.objects.select_related("warehouse")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **label_choice_context(self.request)}


class LocationCreateView(InventoryFormView):
    form_class = LocationForm
    permission_required = "inventory.add_location"
    title = _("New location")
    success_message = _("Location %(object)s saved.")
    success_url = cancel_url = reverse_lazy("inventory:location_list")

    def perform(self, form):
        return catalogue.create_location(actor=self.request.user, **form.cleaned_data)


class LocationEditView(LocationCreateView):
    permission_required = "inventory.change_location"
    title = _("Edit location")

    def get_object(self):
        return get_object_or_404(Location, pk=self.kwargs["pk"])

    def perform(self, form):
        return catalogue.update_location(self.object, actor=self.request.user, **form.cleaned_data)


# --- stock -----------------------------------------------------------------------------------------------------

class StockListView(InventoryMixin, ERPListView):
    model = StockLevel
    table_class = StockLevelTable
    filterset_class = StockLevelFilterSet
    permission_required = "inventory.view_stocklevel"
    title = _("Stock by location")
    empty_text = _("No stock recorded yet: post a receipt first.")
    template_name = "inventory/stock_list.html"

    def get_queryset(self):
        return (StockLevel.objects.select_related("product__base_unit", "location", "warehouse")
                .annotate(value=ExpressionWrapper(F("on_hand") * F("product__average_cost"),
                                                  output_field=Product.list_price.field))
                .order_by("product__sku", "warehouse__code", "location__code"))


class MovementListView(InventoryMixin, ERPListView):
    model = StockMovement
    table_class = MovementTable
    filterset_class = MovementFilterSet
    permission_required = "inventory.view_stockmovement"
    title = _("Stock movements")
    empty_text = _("No stock movements yet.")
    template_name = "inventory/stock_list.html"

    def get_queryset(self):
        return StockMovement.objects.select_related("product", "from_location__warehouse",
                                                    "to_location__warehouse", "actor")


class MovementCreateView(InventoryFormView):
    """Receipt, issue, transfer, adjustment and return forms: one view, the kind from the URL."""

    template_name = "inventory/movement_form.html"
    form_class = MovementForm
    permission_required = "inventory.add_stockmovement"
    kind = MovementKind.RECEIPT
    cancel_url = reverse_lazy("inventory:stock_list")
    TITLES = {MovementKind.RECEIPT: _("Receive stock"), MovementKind.ISSUE: _("Issue stock"),
              MovementKind.TRANSFER: _("Transfer stock"), MovementKind.ADJUSTMENT: _("Adjust stock"),
              MovementKind.RETURN: _("Customer return")}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(kind=self.kind, actor=self.request.user)
        if self.request.GET.get("product"):
            kwargs.setdefault("initial", {})["product"] = self.request.GET["product"]
        return kwargs

    def perform(self, form):
        data = form.cleaned_data
        from_loc, to_loc = data.get("from_location"), data.get("to_location")
        if self.kind == MovementKind.ADJUSTMENT and data.get("direction") == "out":
            from_loc, to_loc = to_loc, None
        return services.post_movement(
            product=data["product"], quantity=data["base_quantity"], from_location=from_loc, to_location=to_loc,
            kind=self.kind, actor=self.request.user, reference=data.get("reference"),
            unit_cost=data.get("unit_cost"), reason=data.get("reason", ""),
            idempotency_key=f"form:{data['idempotency_key']}")

    def get_success_url(self, result=None):
        return self.request.path if "again" in self.request.POST else result.product.get_absolute_url()

    def get_success_message(self, result):
        return _("%(kind)s of %(qty)s × %(sku)s posted.") % {
            "kind": result.get_kind_display(), "qty": result.quantity.normalize(), "sku": result.product.sku}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.TITLES[self.kind]
        ctx["kind"] = self.kind
        return ctx


class AlertListView(InventoryMixin, ERPListView):
    model = StockAlert
    table_class = AlertTable
    filterset_class = AlertFilterSet
    permission_required = "inventory.view_stockalert"
    title = _("Stock alerts")
    empty_text = _("No stock alerts: every item with thresholds is within its range.")

    def get_queryset(self):
        return StockAlert.objects.select_related("product", "warehouse")

    def get(self, request, *args, **kwargs):
        if not request.GET:  # open alerts first by default
            request.GET = request.GET.copy()
            request.GET["open"] = "true"
        return super().get(request, *args, **kwargs)


class ValuationView(InventoryMixin, ERPListView):
    model = Product
    table_class = ValuationTable
    filterset_class = ValuationFilterSet
    permission_required = "inventory.view_stocklevel"
    title = _("Stock valuation")
    empty_text = _("No stock to value.")
    template_name = "inventory/valuation.html"

    def get_warehouse(self):
        pk = self.request.GET.get("wh")
        return Warehouse.objects.filter(pk=pk).first() if pk and pk.isdigit() else None

    def get_queryset(self):
        return selectors.valuation(self.get_warehouse())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["total"] = selectors.valuation_total(self.get_warehouse())
        ctx["warehouses"] = Warehouse.objects.all()
        ctx["current_wh"] = self.get_warehouse()
        return ctx


class NoMovementView(InventoryMixin, ERPListView):
    model = StockLevel
    permission_required = "inventory.view_stocklevel"
    table_class = NoMovementTable
    filterset_class = StockLevelFilterSet
    title = _("Items without movement")
    empty_text = _("Every item in stock has moved within this period.")
    template_name = "inventory/no_movement.html"

    def get_days(self):
        try:
            return max(1, min(3650, int(self.request.GET.get("days", 90))))
        except ValueError:
            return 90

    def get_queryset(self):
        return selectors.no_movement(self.get_days())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["days"] = self.get_days()
        return ctx


# --- labels ----------------------------------------------------------------------------------------------------

MAX_LABELS = 300


def _pdf_response(content, filename):
    from django.http import HttpResponse

    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class ProductLabelsView(InventoryMixin, View):
    """Label sheet for products: ?ids=1,2 or the products the list shows with its filters (every filter-bar field)."""

    permission_required = "inventory.view_product"

    def products(self, params):
        from .filtersets import ProductFilterSet

        ids = [int(i) for i in params.getlist("ids") + params.get("ids", "").split(",") if str(i).isdigit()]
        if ids:
            return Product.objects.filter(active=True, pk__in=ids).order_by("sku")
        # every filter of the list's filter bar, as the list applies it (active products unless asked otherwise)
        data = params.copy()
        if not data.get("active"):
            data["active"] = "true"
        return ProductFilterSet(data, queryset=Product.objects.order_by("sku")).qs

    def respond(self, params):
        from .pdf import product_labels_pdf


        products = list(self.products(params)[:MAX_LABELS])
        if not products:
            messages.error(self.request, _("No products to print labels for."))
            return redirect("inventory:product_list")
        size, dpi = parse_choice(params.get("size"), params.get("dpi"))
        remember_choice(self.request, size, dpi)
        return _pdf_response(product_labels_pdf(products, size, dpi), f"product-labels-{size}-{dpi}dpi.pdf")

    def get(self, request):
        return self.respond(request.GET)

    def post(self, request):
        return self.respond(request.POST)


class LocationLabelsView(InventoryMixin, View):
    permission_required = "inventory.view_location"

    def post(self, request):
        from .pdf import location_labels_pdf

        qs = Location.objects.filter(active=True).select_related("warehouse").order_by("warehouse__code", "code")
        ids = [i for i in request.POST.getlist("ids") if i.isdigit()]
        if ids:
            qs = qs.filter(pk__in=ids)
        elif request.POST.get("warehouse", "").isdigit():
            qs = qs.filter(warehouse_id=request.POST["warehouse"])
        locations = list(qs[:MAX_LABELS])
        if not locations:
            messages.error(request, _("No locations to print labels for."))
            return redirect("inventory:location_list")
        size, dpi = parse_choice(request.POST.get("size"), request.POST.get("dpi"))
        remember_choice(request, size, dpi)
        return _pdf_response(location_labels_pdf(locations, size, dpi), f"location-labels-{size}-{dpi}dpi.pdf")


# --- import / export -------------------------------------------------------------------------------------------

class ProductImportForm(forms.Form):
    file = UploadField(label=_("Spreadsheet (.xlsx or .csv)"), allowed=("xlsx", "csv"),
                       help_text=_("The first row names the columns, as in the exported file. The SKU "
                                   "identifies a product: known SKUs are updated, new ones created."))


def _load_dataset(upload):
    import tablib

    name = upload.name.lower()
    raw = upload.read()
    if name.endswith(".xlsx"):
        return tablib.Dataset().load(raw, format="xlsx")
    if name.endswith(".csv"):
        return tablib.Dataset().load(raw.decode("utf-8-sig"), format="csv")
    raise ValidationError(_("Upload an .xlsx or .csv file."))


def import_preview(result, held=None):
    """Rows of a dry-run result for the preview table: every row with its errors and the key fields whose change
    will wait for approval."""
    held = held or {}
    rows = []
    for i, row in enumerate(result.rows, 1):
        errors = []
        if row.validation_error is not None:
            for field, msgs in getattr(row.validation_error, "message_dict", {"": row.validation_error.messages}
                                       ).items():
                errors.extend(f"{field}: {m}" if field and field != "__all__" else m for m in msgs)
        errors.extend(str(e.error) for e in row.errors)
        sku = (row.row_values or {}).get("sku") or (row.object_repr or "").split(" ")[0]
        rows.append({"number": i, "type": row.import_type, "sku": sku, "errors": errors,
                     "held": [Product._meta.get_field(f).verbose_name for f in held.get(row.object_id, ())]})
    return rows


class ProductImportView(InventoryMixin, FormView):
    """Upload -> dry-run preview of every row and its errors -> confirm (nothing is written before)."""

    permission_required = "inventory.add_product"
    template_name = "inventory/product_import.html"
    form_class = ProductImportForm
    title = _("Import products")
    SESSION_KEY = "inventory_product_import"

    def form_valid(self, form):

        try:
            dataset = _load_dataset(form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc)
            return self.form_invalid(form)
        except Exception:  # noqa: BLE001 - any unreadable upload
            form.add_error("file", _("The file could not be read as a spreadsheet."))
            return self.form_invalid(form)
        result, held = services.check_product_import(dataset, actor=self.request.user,
                                                     file_name=form.cleaned_data["file"].name)
        rows = import_preview(result, held)
        ok = not result.has_errors() and not result.has_validation_errors()
        if ok:
            self.request.session[self.SESSION_KEY] = dataset.export("csv")
        else:
            self.request.session.pop(self.SESSION_KEY, None)
        counts = {}
        for r in rows:
            counts[r["type"]] = counts.get(r["type"], 0) + 1
        return self.render_to_response(self.get_context_data(form=form, preview=rows, ok=ok, counts=counts,
                                                             n_errors=sum(1 for r in rows if r["errors"]),
                                                             n_held=sum(1 for r in rows if r["held"])))

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "cancel_url": reverse("inventory:product_list")}


class ProductImportConfirmView(ServiceActionView):
    module = "inventory"
    permission_required = "inventory.add_product"
    success_url = reverse_lazy("inventory:product_list")

    def get_error_url(self):
        return reverse("inventory:product_import")

    def perform(self):
        import tablib

        data = self.request.session.pop(ProductImportView.SESSION_KEY, None)
        if not data:
            raise ValidationError(_("Upload the file again: the preview has expired."))
        result, held = services.import_products(tablib.Dataset().load(data, format="csv"), actor=self.request.user)
        message = _("Import done: %(new)s new, %(update)s updated, %(skip)s unchanged.") % {
            "new": result.totals.get("new", 0), "update": result.totals.get("update", 0),
            "skip": result.totals.get("skip", 0)}
        if held:
            message += " " + _("Price or cost changes of %(n)s products are pending approval.") % {"n": len(held)}
        self.success_message = message.replace("%", "%%")
        return None


class ProductExportView(InventoryMixin, View):
    """All products in the import format (xlsx): edit and import back."""

    permission_required = "inventory.view_product"

    def get(self, request):
        from .resources import ProductResource

        qs = Product.objects.select_related("category", "brand", "base_unit").order_by("sku")
        data = ProductResource().export(queryset=qs)
        return export_response(data.headers, data, filename="products-import-format.xlsx", title=_("Products"))


class ThresholdForm(forms.ModelForm):
    class Meta:
        model = StockThreshold
        fields = ["warehouse", "minimum", "maximum"]

    def __init__(self, *args, warehouses=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["warehouse"]
        field.widget.attrs["class"] = "form-select form-select-sm"
        if warehouses is not None:  # already read (ordered as the field's queryset): shown without reading them again
            field.choices = [("", field.empty_label), *((field.prepare_value(w), field.label_from_instance(w))
                                                        for w in warehouses)]

    def clean(self):
        data = super().clean()
        lo, hi = data.get("minimum"), data.get("maximum")
        if lo is not None and hi and hi < lo:
            self.add_error("maximum", _("The maximum must be at least the minimum (or 0 for no maximum)."))
        return data


class ProductThresholdView(ServiceActionView):
    """Set (or clear, with both zero) the minimum and maximum of a product in a warehouse."""

    module = "inventory"
    permission_required = "inventory.change_stockthreshold"

    def get_object(self):
        return get_object_or_404(Product, pk=self.kwargs["pk"])

    def perform(self):
        form = ThresholdForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        threshold = catalogue.set_threshold(product=self.object, actor=self.request.user, **form.cleaned_data)
        self.success_message = _("Thresholds saved.") if threshold is not None else _("Thresholds removed.")
        return self.object
