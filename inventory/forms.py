import uuid
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.money import DecimalInput
from hardware_erp.core.views import form_errors

from . import catalogue, selectors, services
from .choices import MovementKind
from .models import (
    Location,
    Product,
    PurchaseOrder,
    Supplier,
    SupplierContact,
    SupplierProduct,
    UnitOfMeasure,
    Warehouse,
)


class NoTagHelper(FormHelper):
    form_tag = False
    disable_csrf = True


class ProductPicker(forms.ModelChoiceField):
    """A searchable product select (Tom Select, fed by inventory:product_lookup)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Product.objects.all())
        kwargs.setdefault("label", _("Product"))
        super().__init__(**kwargs)
        self.widget.attrs.update({"data-picker": "", "data-url": reverse_lazy("inventory:product_lookup")})

    def label_from_instance(self, obj):
        return f"{obj.sku} {obj.name}"


def limit_picker_choices(field, data_value, initial=None):
    """Render only the selected option: the picker loads the rest on demand."""
    ids = [v for v in (data_value, initial) if v]
    field.queryset = field.queryset.model.objects.filter(pk__in=[i for i in ids if str(i).isdigit()]) \
        if ids else field.queryset.none()


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = catalogue.PRODUCT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = NoTagHelper()
        self.helper.layout = Layout(
            Row(Column("sku", css_class="col-md-4"), Column("name_zh", css_class="col-md-4"),
                Column("name_en", css_class="col-md-4")),
            Row(Column("category", css_class="col-md-4"), Column("brand", css_class="col-md-4"),
                Column("base_unit", css_class="col-md-4")),
            Row(Column("thread", css_class="col-md-2"), Column("length_mm", css_class="col-md-2"),
                Column("material", css_class="col-md-2"), Column("finish", css_class="col-md-2"),
                Column("strength_grade", css_class="col-md-2"), Column("standard", css_class="col-md-2")),
            "specification",
            Row(Column("barcode_kind", css_class="col-md-4"), Column("barcode", css_class="col-md-4"),
                Column("unit_weight_g", css_class="col-md-4")),
            Row(Column("standard_cost", css_class="col-md-6"), Column("list_price", css_class="col-md-6")),
            Row(Column("tax_category_code", css_class="col-md-6"), Column("tax_short_name", css_class="col-md-6")),
            Row(Column("allow_negative", css_class="col-md-6"), Column("active", css_class="col-md-6")),
        )
        self.fields["barcode"].help_text = _("Leave empty for an internal Code 128 made from the product number.")


class WarehouseForm(forms.ModelForm):
    class Meta:
        model = Warehouse
        fields = catalogue.WAREHOUSE_FIELDS


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = catalogue.LOCATION_FIELDS

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip().upper()


class MovementForm(forms.Form):
    """One form for receipts, issues, transfers and adjustments; which fields show depends on the kind."""

    product = ProductPicker()
    quantity = forms.CharField(label=_("Quantity"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    unit = forms.ModelChoiceField(UnitOfMeasure.objects.all(), label=_("Unit"), required=False,
                                  help_text=_("Empty: the product's base unit."))
    direction = forms.ChoiceField(label=_("Direction"), choices=[("in", _("Add stock")), ("out", _("Remove stock"))],
                                  initial="in")
    from_location = forms.ModelChoiceField(Location.objects.filter(active=True).select_related("warehouse"),
                                           label=_("From location"), required=False)
    to_location = forms.ModelChoiceField(Location.objects.filter(active=True).select_related("warehouse"),
                                         label=_("To location"), required=False)
    unit_cost = DecimalInput(label=_("Unit cost (per base unit)"), required=False, min_value=Decimal("0"),
                             max_digits=16, decimal_places=4)
    reference = forms.CharField(label=_("Source document"), max_length=60, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput)

    FIELDS = {
        MovementKind.RECEIPT: ["product", "quantity", "unit", "to_location", "unit_cost", "reference", "reason"],
        MovementKind.ISSUE: ["product", "quantity", "unit", "from_location", "reference", "reason"],
        MovementKind.TRANSFER: ["product", "quantity", "unit", "from_location", "to_location", "reason"],
        MovementKind.ADJUSTMENT: ["product", "quantity", "unit", "direction", "to_location", "reason"],
        MovementKind.RETURN: ["product", "quantity", "unit", "to_location", "reference", "reason"],
    }

    def __init__(self, *args, kind, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind, self.actor = MovementKind(kind), actor
        keep = set(self.FIELDS[self.kind]) | {"idempotency_key"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if self.kind == MovementKind.ADJUSTMENT:
            self.fields["to_location"].label = _("Location")
        for name in ("from_location", "to_location"):
            if name in self.fields:
                self.fields[name].required = True
        if self.kind == MovementKind.ADJUSTMENT or self.kind == MovementKind.RETURN:
            self.fields["reason"].required = True
        self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        limit_picker_choices(self.fields["product"], self.data.get("product"), self.initial.get("product"))
        for name in ("from_location", "to_location"):  # searchable; the product's own bin comes first (JS)
            if name in self.fields:
                self.fields[name].widget.attrs.update({"data-picker": "", "data-bin-default": (
                    "stock" if name == "from_location" else "home")})
        if "unit" in self.fields:
            self.fields["unit"].widget.attrs["data-product-units"] = ""
        self.initial_bins(self.initial.get("product"))
        self.helper = NoTagHelper()

    def initial_bins(self, product_id):
        """A product given in the address (the product page's buttons) fills its bins at once: the bin with the
        most stock to take from, its home bin to put into."""
        product = Product.objects.filter(pk=product_id).first() if str(product_id or "").isdigit() else None
        if product is None or self.is_bound:
            return
        bins = selectors.product_bins(product)
        if "from_location" in self.fields and bins:
            self.initial.setdefault("from_location", bins[0]["location_id"])
        home = selectors.home_bin(product) if "to_location" in self.fields else None
        if home is not None and self.kind != MovementKind.TRANSFER:
            self.initial.setdefault("to_location", home.pk)

    def clean(self):
        data = super().clean()
        product, raw = data.get("product"), data.get("quantity")
        if product is None or not raw or self.errors:
            return data
        try:
            data["base_quantity"] = services.convert_to_base(product, raw, data.get("unit"))
        except BusinessRuleError as exc:
            self.add_error("quantity" if exc.code in {"nan", "not_positive"} else "unit", exc)
        return data


class SupplierForm(forms.ModelForm):
    class Meta:
        model = Supplier
        fields = catalogue.SUPPLIER_FIELDS


class SupplierContactForm(forms.ModelForm):
    class Meta:
        model = SupplierContact
        fields = catalogue.SUPPLIER_CONTACT_FIELDS


class SupplierProductForm(forms.ModelForm):
    product = ProductPicker()

    class Meta:
        model = SupplierProduct
        fields = catalogue.SUPPLIER_PRODUCT_FIELDS

    def __init__(self, *args, supplier=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.supplier = supplier or self.instance.supplier
        self.instance.supplier = self.supplier
        limit_picker_choices(self.fields["product"], self.data.get("product"),
                             self.instance.product_id if self.instance.pk else None)
        self.helper = NoTagHelper()

    def clean(self):
        data = super().clean()
        try:
            catalogue.check_supplier_product(self.supplier, data, exclude_pk=self.instance.pk)
        except ValidationError as exc:
            form_errors(self, exc)
        return data


class PurchaseOrderForm(forms.ModelForm):
    class Meta:
        model = PurchaseOrder
        fields = ["supplier", "warehouse", "expected_at", "note"]
        widgets = {"expected_at": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Supplier.objects.filter(active=True)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(active=True)
        self.helper = NoTagHelper()


class POLineForm(forms.Form):
    product = ProductPicker(required=False)
    quantity = DecimalInput(label=_("Quantity"), required=False, min_value=Decimal("0.001"), max_digits=14,
                            decimal_places=3)
    unit_price = DecimalInput(label=_("Unit price"), required=False, min_value=Decimal("0"), max_digits=16,
                              decimal_places=4, help_text=_("Up to 4 decimals. Empty: the supplier's price."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_picker_choices(self.fields["product"], self.data.get(self.add_prefix("product")),
                             self.initial.get("product"))

    def clean(self):
        data = super().clean()
        if data.get("product") and not data.get("quantity"):
            self.add_error("quantity", _("Enter the quantity."))
        if data.get("quantity") and not data.get("product"):
            self.add_error("product", _("Choose the product."))
        return data


# a forged TOTAL_FORMS builds at most absolute_max forms (Django would allow max_num + 1000)
POLineFormSet = forms.formset_factory(POLineForm, extra=5, max_num=200, absolute_max=200)


class ReceiveForm(forms.Form):
    """One quantity and location per open line of a purchase order."""

    key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.initial.setdefault("key", uuid.uuid4().hex)
        locations = Location.objects.filter(warehouse=order.warehouse, active=True)
        self.rows = []
        for line in order.lines.select_related("product__base_unit"):
            if line.outstanding <= 0:
                continue
            qf, lf = f"qty_{line.pk}", f"loc_{line.pk}"
            self.fields[qf] = forms.CharField(label=_("Quantity received"), required=False,
                                              widget=forms.TextInput(attrs={"inputmode": "decimal",
                                                                            "class": "form-control"}))
            self.fields[lf] = forms.ModelChoiceField(locations, label=_("Location"), required=False,
                                                     widget=forms.Select(attrs={"class": "form-select",
                                                                                "data-picker": ""}))
            home = selectors.home_bin(line.product, order.warehouse)  # the product's own bin, the rest searchable
            if home is not None:
                self.initial.setdefault(lf, home.pk)
            self.rows.append((line, self[qf], self[lf]))

    def receipts(self):
        return [(line, self.cleaned_data.get(f"qty_{line.pk}"), self.cleaned_data.get(f"loc_{line.pk}"))
                for line, _q, _l in self.rows]
