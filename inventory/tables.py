import django_tables2 as tables
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hardware_erp.core.money import money, price
from hardware_erp.core.money import quantity as to_quantity
from hardware_erp.core.pagination import sort_then
from hardware_erp.core.tables import PersonColumn
from hardware_erp.core.templatetags.erp import cny, cny_price, qty

from .forecast import explain
from .models import (
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

ATTRS = {"class": "table table-sm table-hover align-middle mb-0"}
NUM = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}


class QtyColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUM)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return qty(value)

    def value(self, value):
        """The exported number, rounded as the page shows it (three places)."""
        return to_quantity(value) if value not in (None, "") else None


class MoneyColumn(QtyColumn):
    def render(self, value):
        return cny(value)

    def value(self, value):
        return money(value) if value not in (None, "") else None


class PriceColumn(QtyColumn):
    """A unit price: up to 4 places on the page, all 4 kept in the export."""

    def render(self, value):
        return cny_price(value)

    def value(self, value):
        return price(value) if value not in (None, "") else None


class ProductColumn(tables.Column):
    """SKU and name of a related product, linked to its page."""

    def render(self, record, value):
        p = value
        return format_html('<a href="{}" class="fw-semibold">{}</a> <span class="text-muted">{}</span>',
                           reverse("inventory:product", args=[p.pk]), p.sku, p.name)

    def value(self, value):
        return f"{value.sku} {value.name}"


class ProductTable(tables.Table):
    sku = tables.Column(linkify=True, verbose_name=_("SKU"), attrs={"td": {"class": "fw-semibold text-nowrap"}})
    name = tables.Column(verbose_name=_("Product name"), order_by=("name_zh",), accessor="name")
    spec_line = tables.Column(verbose_name=_("Specification"), orderable=False)
    category = tables.Column(verbose_name=_("Category"))
    brand = tables.Column(verbose_name=_("Brand"))
    on_hand = QtyColumn(verbose_name=_("On hand"))
    available = QtyColumn(verbose_name=_("Available"))
    base_unit = tables.Column(verbose_name=_("Unit"), orderable=False)
    list_price = PriceColumn(verbose_name=_("List price"))
    active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta:
        model = Product
        fields = ("sku", "name", "spec_line", "category", "brand", "on_hand", "available", "base_unit",
                  "list_price", "active")
        attrs = ATTRS
        order_by = "sku"

    def _then_sku(self, queryset, field, is_descending):
        """Stock figures repeat (many products have none): the SKU, unique, breaks the tie."""
        return sort_then(queryset, (field,), ("sku",), is_descending)

    def order_on_hand(self, queryset, is_descending):
        return self._then_sku(queryset, "on_hand", is_descending)

    def order_available(self, queryset, is_descending):
        return self._then_sku(queryset, "available", is_descending)

    export_reads = {"name": ("name_zh", "name_en"),  # core.exports.table_rows
                    "spec_line": ("thread", "length_mm", "material", "strength_grade", "finish", "standard",
                                  "specification")}


class StockLevelTable(tables.Table):
    product = ProductColumn(verbose_name=_("Product"), order_by=("product__sku",))
    warehouse = tables.Column(verbose_name=_("Warehouse"), accessor="warehouse__code")
    location = tables.Column(verbose_name=_("Location"), accessor="location__code")
    on_hand = QtyColumn(verbose_name=_("On hand"))
    unit = tables.Column(verbose_name=_("Unit"), accessor="product__base_unit", orderable=False)
    value = MoneyColumn(verbose_name=_("Value"), orderable=False)
    last_movement_at = tables.DateTimeColumn(verbose_name=_("Last movement"), format="Y-m-d")

    class Meta:
        model = StockLevel
        fields = ("product", "warehouse", "location", "on_hand", "unit", "value", "last_movement_at")
        attrs = ATTRS


class MovementTable(tables.Table):
    posted_at = tables.DateTimeColumn(verbose_name=_("Posted"), format="Y-m-d H:i")
    kind = tables.Column(verbose_name=_("Kind"))
    product = ProductColumn(verbose_name=_("Product"), order_by=("product__sku",))
    from_location = tables.Column(verbose_name=_("From"))
    to_location = tables.Column(verbose_name=_("To"))
    quantity = QtyColumn(verbose_name=_("Quantity"))
    unit_cost = PriceColumn(verbose_name=_("Unit cost"))
    reference = tables.Column(verbose_name=_("Source document"))
    reason = tables.Column(verbose_name=_("Reason"), accessor="reason_text", orderable=False)
    actor = PersonColumn(verbose_name=_("Posted by"))

    class Meta:
        model = StockMovement
        fields = ("posted_at", "kind", "product", "from_location", "to_location", "quantity", "unit_cost",
                  "reference", "reason", "actor")
        attrs = ATTRS


class WarehouseTable(tables.Table):
    code = tables.Column(verbose_name=_("Code"), linkify=lambda record: reverse("inventory:location_list") +
                         f"?warehouse={record.pk}")
    name = tables.Column(verbose_name=_("Warehouse name"), order_by=("name_zh",))
    address = tables.Column(verbose_name=_("Address"))
    n_locations = tables.Column(verbose_name=_("Locations"), attrs=NUM)
    active = tables.BooleanColumn(verbose_name=_("Active"))
    edit = tables.LinkColumn("inventory:warehouse_edit", args=[tables.A("pk")], text=_("Edit"), orderable=False,
                             verbose_name="", exclude_from_export=True)

    class Meta:
        model = Warehouse
        fields = ("code", "name", "address", "n_locations", "active")
        attrs = ATTRS


class LocationTable(tables.Table):
    select = tables.CheckBoxColumn(accessor="pk", attrs={"th__input": {"data-check-all": "loc"},
                                                         "td__input": {"form": "labels-form", "name": "ids"}},
                                   exclude_from_export=True)
    warehouse = tables.Column(verbose_name=_("Warehouse"), accessor="warehouse__code")
    code = tables.Column(verbose_name=_("Code"))
    description = tables.Column(verbose_name=_("Description"))
    active = tables.BooleanColumn(verbose_name=_("Active"))
    edit = tables.LinkColumn("inventory:location_edit", args=[tables.A("pk")], text=_("Edit"), orderable=False,
                             verbose_name="", exclude_from_export=True)

    class Meta:
        model = Location
        fields = ("select", "warehouse", "code", "description", "active")
        attrs = ATTRS


class AlertTable(tables.Table):
    opened_at = tables.DateTimeColumn(verbose_name=_("Raised"), format="Y-m-d H:i")
    kind = tables.Column(verbose_name=_("Kind"))
    product = ProductColumn(verbose_name=_("Product"), order_by=("product__sku",))
    warehouse = tables.Column(verbose_name=_("Warehouse"), accessor="warehouse__code")
    available = QtyColumn(verbose_name=_("Available when raised"))
    limit = QtyColumn(verbose_name=_("Limit"))
    cleared_at = tables.DateTimeColumn(verbose_name=_("Cleared"), format="Y-m-d H:i", default="—")

    class Meta:
        model = StockAlert
        fields = ("opened_at", "kind", "product", "warehouse", "available", "limit", "cleared_at")
        attrs = ATTRS


class ValuationTable(tables.Table):
    sku = tables.Column(linkify=True, verbose_name=_("SKU"))
    name = tables.Column(verbose_name=_("Product name"), order_by=("name_zh",), accessor="name")
    category = tables.Column(verbose_name=_("Category"))
    on_hand = QtyColumn(verbose_name=_("On hand"))
    average_cost = MoneyColumn(verbose_name=_("Moving average cost"))
    value = MoneyColumn(verbose_name=_("Value"))

    class Meta:
        model = Product
        fields = ("sku", "name", "category", "on_hand", "average_cost", "value")
        attrs = ATTRS
        order_by = "-value"


class NoMovementTable(StockLevelTable):
    class Meta(StockLevelTable.Meta):
        order_by = "last_movement_at"


class SupplierTable(tables.Table):
    code = tables.Column(linkify=True, verbose_name=_("Code"))
    name = tables.Column(verbose_name=_("Supplier name"), order_by=("name_zh",))
    phone = tables.Column(verbose_name=_("Phone"))
    email = tables.Column(verbose_name=pgettext_lazy("inventory", "E-mail"))
    default_lead_time_days = tables.Column(verbose_name=_("Usual lead time (days)"), attrs=NUM)
    n_products = tables.Column(verbose_name=_("Products"), attrs=NUM)
    active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta:
        model = Supplier
        fields = ("code", "name", "phone", "email", "default_lead_time_days", "n_products", "active")
        attrs = ATTRS


class PurchaseOrderTable(tables.Table):
    number = tables.Column(linkify=True, verbose_name=_("Number"))
    supplier = tables.Column(verbose_name=_("Supplier"))
    warehouse = tables.Column(verbose_name=_("Deliver to"), accessor="warehouse__code")
    status = tables.Column(verbose_name=_("Status"))
    n_lines = tables.Column(verbose_name=_("Lines"), attrs=NUM)
    amount = MoneyColumn(verbose_name=_("Amount"))
    expected_at = tables.DateColumn(verbose_name=_("Expected delivery"), format="Y-m-d")
    created_at = tables.DateTimeColumn(verbose_name=_("Created"), format="Y-m-d")

    class Meta:
        model = PurchaseOrder
        fields = ("number", "supplier", "warehouse", "status", "n_lines", "amount", "expected_at", "created_at")
        attrs = ATTRS

    def render_status(self, record, value):
        tone = {"draft": "secondary", "approved": "info", "sent": "primary", "partial": "warning",
                "received": "success", "cancelled": "dark"}.get(record.status, "secondary")
        return format_html('<span class="badge text-bg-{}">{}</span>', tone, value)


class StocktakeTable(tables.Table):
    number = tables.Column(linkify=True, verbose_name=_("Number"))
    warehouse = tables.Column(verbose_name=_("Warehouse"))
    status = tables.Column(verbose_name=_("Status"))
    blind = tables.BooleanColumn(verbose_name=_("Blind count"))
    n_lines = tables.Column(verbose_name=_("Lines"), attrs=NUM)
    n_counted = tables.Column(verbose_name=pgettext_lazy("stocktake lines", "Counted"), attrs=NUM)
    opened_by = PersonColumn(verbose_name=_("Opened by"))
    opened_at = tables.DateTimeColumn(verbose_name=_("Opened"), format="Y-m-d H:i")

    class Meta:
        model = Stocktake
        fields = ("number", "warehouse", "status", "blind", "n_lines", "n_counted", "opened_by", "opened_at")
        attrs = ATTRS


class SuggestionTable(tables.Table):
    select = tables.CheckBoxColumn(accessor="pk", attrs={"td__input": {"form": "order-form", "name": "ids"}},
                                   exclude_from_export=True)
    supplier = tables.Column(verbose_name=_("Supplier"), default="—", order_by=("supplier__code",))
    product = ProductColumn(verbose_name=_("Product"), order_by=("product__sku",))
    warehouse = tables.Column(verbose_name=_("Warehouse"), accessor="warehouse__code")
    daily_demand = QtyColumn(verbose_name=_("Demand/day"))
    reorder_point = QtyColumn(verbose_name=_("Reorder point"))
    on_hand = QtyColumn(verbose_name=_("On hand"))
    reserved = QtyColumn(verbose_name=_("Reserved"))
    on_order = QtyColumn(verbose_name=_("On order"))
    suggested_quantity = QtyColumn(verbose_name=_("Suggested"))
    quantity = QtyColumn(verbose_name=_("To order"))
    status = tables.Column(verbose_name=_("Status"), attrs={"td": {"class": "text-nowrap"}})
    why = tables.Column(verbose_name=_("Why?"), orderable=False, empty_values=())

    class Meta:
        model = PurchaseSuggestion
        fields = ("select", "supplier", "product", "warehouse", "daily_demand", "reorder_point", "on_hand",
                  "reserved", "on_order", "suggested_quantity", "quantity", "status", "why")
        attrs = ATTRS
        order_by = ("supplier", "product")

    def _editable(self, record):
        user = getattr(getattr(self, "request", None), "user", None)
        return record.status != "ordered" and user is not None and user.has_perm(
            "inventory.change_purchasesuggestion")

    def _form(self, record, inner):
        url = reverse("inventory:suggestion_update", args=[record.pk])
        token = get_token(self.request)
        return format_html('<form method="post" action="{}" class="d-inline">'
                           '<input type="hidden" name="csrfmiddlewaretoken" value="{}">{}</form>', url, token, inner)

    def render_quantity(self, record, value):
        if not self._editable(record):
            return qty(value)
        return self._form(record, format_html(
            '<input class="form-control form-control-sm text-end d-inline-block" style="width:6.5rem" '
            'name="quantity" value="{}" inputmode="decimal" aria-label="{}">', f"{value.normalize():f}",
            _("quantity to order")))

    def render_why(self, record):
        out = format_html('<details class="small"><summary>{}</summary><div class="text-muted" '
                          'style="max-width:28rem">{}</div></details>', _("Why?"), explain(record))
        if self._editable(record):
            out += self._form(record, format_html(
                '<input type="hidden" name="status" value="snoozed"><button class="btn btn-sm btn-link p-0" '
                'type="submit">{}</button>', _("Snooze 7 days")))
            out += mark_safe(" · ")  # noqa: S308  # nosec B308 B703 (a constant)
            out += self._form(record, format_html(
                '<input type="hidden" name="status" value="dismissed"><button class="btn btn-sm btn-link p-0 '
                'text-danger" type="submit">{}</button>', _("Dismiss")))
        return out

    def value_why(self, record):
        return explain(record)


class VarianceTable(tables.Table):
    """The variance report; `blind=True` (a counter of a blind count) leaves out every column that shows or
    reveals the expected quantity."""

    EXPECTED_COLUMNS = ("expected", "moved", "expected_now", "variance", "variance_value")

    location = tables.Column(verbose_name=_("Location"), accessor="location__code")
    product = ProductColumn(verbose_name=_("Product"))
    expected = QtyColumn(verbose_name=_("Expected at opening"))
    moved = tables.Column(verbose_name=_("Moved during count"), empty_values=(), attrs=NUM)
    expected_now = QtyColumn(verbose_name=_("Expected now"))
    counted = QtyColumn(verbose_name=pgettext_lazy("quantity", "Counted"))
    variance = QtyColumn(verbose_name=_("Variance"))
    variance_value = MoneyColumn(verbose_name=_("Value"))
    state = tables.Column(verbose_name=_("State"), empty_values=(), orderable=False)

    class Meta:
        attrs = ATTRS
        orderable = False
        row_attrs = {"data-testid": "variance-row"}

    def __init__(self, *args, threshold=None, blind=False, **kwargs):
        if blind:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), *self.EXPECTED_COLUMNS)
        super().__init__(*args, **kwargs)
        self.threshold = threshold

    def render_moved(self, record):
        return qty(record.moved_in - record.moved_out)

    def value_moved(self, record):
        return to_quantity(record.moved_in - record.moved_out)

    def value_variance(self, record, value):
        return to_quantity(value)

    def value_state(self, record):
        return str(self.render_state(record))

    def render_variance(self, record, value):
        tone = "text-danger" if value < 0 else ("text-success" if value > 0 else "")
        return format_html('<span class="{}">{}</span>', tone, qty(value))

    def render_state(self, record):
        if record.needs_recount and not record.recounted:
            return _("Recount")
        if record.counted is None:
            return _("Not counted")
        if record.added_during_count:
            return _("Found during count")
        return pgettext_lazy("stocktake line status", "Counted")
