import django_filters as df
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hardware_erp.core.filtersets import AllYesNo

from .choices import AlertKind, MovementKind, POStatus, StocktakeStatus, SuggestionStatus
from .models import (
    Brand,
    Category,
    Location,
    Product,
    PurchaseOrder,
    PurchaseSuggestion,
    StockAlert,
    StockLevel,
    StockMovement,
    Stocktake,
    Supplier,
    Warehouse,
)


def product_search(qs, prefix, value):
    value = (value or "").strip()
    if not value:
        return qs
    q = Q()
    for word in value.split():
        q &= (Q(**{f"{prefix}sku__icontains": word}) | Q(**{f"{prefix}name_zh__icontains": word})
              | Q(**{f"{prefix}name_en__icontains": word}) | Q(**{f"{prefix}barcode": word})
              | Q(**{f"{prefix}specification__icontains": word}) | Q(**{f"{prefix}standard__icontains": word}))
    return qs.filter(q)


class CategoryFilter(df.ModelChoiceFilter):
    """A category and everything under it."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__path__startswith": value.path})


class ProductFilterSet(df.FilterSet):
    q = df.CharFilter(label=_("Search"), method="search",
                      widget=df.widgets.forms.TextInput(attrs={"type": "search", "placeholder": _("SKU, name, "
                                                                                                "barcode, spec")}))
    category = CategoryFilter(queryset=Category.objects.all(), label=_("Category"), field_name="category")
    brand = df.ModelChoiceFilter(queryset=Brand.objects.all(), label=_("Brand"))
    thread = df.CharFilter(label=_("Thread"), lookup_expr="iexact")
    length_mm = df.NumberFilter(label=_("Length (mm)"))
    material = df.CharFilter(label=_("Material"), lookup_expr="icontains")
    standard = df.CharFilter(label=_("Standard"), lookup_expr="icontains")
    active = df.BooleanFilter(label=_("Active"), widget=AllYesNo())

    class Meta:
        model = Product
        fields = []

    def search(self, qs, name, value):
        return product_search(qs, "", value)


class StockLevelFilterSet(df.FilterSet):
    q = df.CharFilter(label=_("Product"), method="search",
                      widget=df.widgets.forms.TextInput(attrs={"type": "search"}))
    warehouse = df.ModelChoiceFilter(queryset=Warehouse.objects.all(), label=_("Warehouse"))
    location = df.ModelChoiceFilter(queryset=Location.objects.select_related("warehouse"), label=_("Location"))
    category = CategoryFilter(queryset=Category.objects.all(), label=_("Category"), field_name="product__category")
    nonzero = df.BooleanFilter(label=_("Only with stock"), method="only_nonzero",
                               widget=AllYesNo())

    class Meta:
        model = StockLevel
        fields = []

    def search(self, qs, name, value):
        return product_search(qs, "product__", value)

    def only_nonzero(self, qs, name, value):
        return qs.exclude(on_hand=0) if value else qs


class MovementFilterSet(df.FilterSet):
    q = df.CharFilter(label=_("Product"), method="search", widget=df.widgets.forms.TextInput(attrs={"type": "search"}))
    kind = df.ChoiceFilter(choices=MovementKind.choices, label=_("Kind"))
    warehouse = df.ModelChoiceFilter(queryset=Warehouse.objects.all(), label=_("Warehouse"), method="in_warehouse")
    reference = df.CharFilter(label=_("Source document"), lookup_expr="icontains")
    posted_after = df.DateFilter(field_name="posted_at", lookup_expr="date__gte", label=_("From"),
                                 widget=df.widgets.forms.DateInput(attrs={"type": "date"}))
    posted_before = df.DateFilter(field_name="posted_at", lookup_expr="date__lte", label=_("To"),
                                  widget=df.widgets.forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = StockMovement
        fields = []

    def search(self, qs, name, value):
        return product_search(qs, "product__", value)

    def in_warehouse(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(Q(from_location__warehouse=value) | Q(to_location__warehouse=value))


class WarehouseFilterSet(df.FilterSet):
    q = df.CharFilter(label=_("Search"), method="search", widget=df.widgets.forms.TextInput(attrs={"type": "search"}))
    active = df.BooleanFilter(label=_("Active"), widget=AllYesNo())

    class Meta:
        model = Warehouse
        fields = []

    def search(self, qs, name, value):
        return qs.filter(Q(code__icontains=value) | Q(name_zh__icontains=value) | Q(name_en__icontains=value))


class LocationFilterSet(df.FilterSet):
    q = df.CharFilter(label=_("Code"), field_name="code", lookup_expr="icontains",
                      widget=df.widgets.forms.TextInput(attrs={"type": "search"}))
    warehouse = df.ModelChoiceFilter(queryset=Warehouse.objects.all(), label=_("Warehouse"))
    active = df.BooleanFilter(label=_("Active"), widget=AllYesNo())

    class Meta:
        model = Location
        fields = []


class AlertFilterSet(df.FilterSet):
    q = df.CharFilter(label=_("Product"), method="search", widget=df.widgets.forms.TextInput(attrs={"type": "search"}))
    kind = df.ChoiceFilter(choices=AlertKind.choices, label=_("Kind"))
    warehouse = df.ModelChoiceFilter(queryset=Warehouse.objects.all(), label=_("Warehouse"))
    open = df.BooleanFilter(field_name="cleared_at", lookup_expr="isnull", label=pgettext_lazy("alert", "Open"),
                            widget=AllYesNo())

    class Meta:
        model = StockAlert
        fields = []

    def search(self, qs, name, value):
        return product_search(qs, "product__", value)


class ValuationFilterSet(df.FilterSet):
    q = df.CharFilter(label=_("Product"), method="search", widget=df.widgets.forms.TextInput(attrs={"type": "search"}))
    category = CategoryFilter(queryset=Category.objects.all(), label=_("Category"), field_name="category")

    class Meta:
        model = Product
        fields = []

    def search(self, qs, name, value):
        return product_search(qs, "", value)


class SupplierFilterSet(df.FilterSet):
    q = df.CharFilter(label=_("Search"), method="search", widget=df.widgets.forms.TextInput(attrs={"type": "search"}))
    active = df.BooleanFilter(label=_("Active"), widget=AllYesNo())

    class Meta:
        model = Supplier
        fields = []

    def search(self, qs, name, value):
        return qs.filter(Q(code__icontains=value) | Q(name_zh__icontains=value) | Q(name_en__icontains=value))


class PurchaseOrderFilterSet(df.FilterSet):
    q = df.CharFilter(label=_("Number"), field_name="number", lookup_expr="icontains",
                      widget=df.widgets.forms.TextInput(attrs={"type": "search"}))
    status = df.ChoiceFilter(choices=POStatus.choices, label=_("Status"))
    supplier = df.ModelChoiceFilter(queryset=Supplier.objects.all(), label=_("Supplier"))
    warehouse = df.ModelChoiceFilter(queryset=Warehouse.objects.all(), label=_("Warehouse"))

    class Meta:
        model = PurchaseOrder
        fields = []


class StocktakeFilterSet(df.FilterSet):
    q = df.CharFilter(label=_("Number"), field_name="number", lookup_expr="icontains",
                      widget=df.widgets.forms.TextInput(attrs={"type": "search"}))
    status = df.ChoiceFilter(choices=StocktakeStatus.choices, label=_("Status"))
    warehouse = df.ModelChoiceFilter(queryset=Warehouse.objects.all(), label=_("Warehouse"))

    class Meta:
        model = Stocktake
        fields = []


class SuggestionFilterSet(df.FilterSet):
    q = df.CharFilter(label=_("Product"), method="search", widget=df.widgets.forms.TextInput(attrs={"type": "search"}))
    supplier = df.ModelChoiceFilter(queryset=Supplier.objects.all(), label=_("Supplier"))
    warehouse = df.ModelChoiceFilter(queryset=Warehouse.objects.all(), label=_("Warehouse"))
    status = df.ChoiceFilter(choices=SuggestionStatus.choices, label=_("Status"), empty_label=_("Open and snoozed"),
                             method="by_status")

    class Meta:
        model = PurchaseSuggestion
        fields = []

    def search(self, qs, name, value):
        return product_search(qs, "product__", value)

    def by_status(self, qs, name, value):
        return qs.filter(status=value)

    def filter_queryset(self, queryset):
        qs = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            qs = qs.filter(status__in=("open", "snoozed"))
        return qs
