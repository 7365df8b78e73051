from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from hardware_erp.core.admin import ServiceAdminMixin

from .models import (
    Brand,
    Category,
    Location,
    Product,
    ProductUnit,
    PurchaseOrder,
    PurchaseOrderLine,
    StockMovement,
    StockThreshold,
    Supplier,
    SupplierContact,
    SupplierProduct,
    UnitOfMeasure,
    Warehouse,
)


class ProductUnitInline(admin.TabularInline):
    model = ProductUnit
    extra = 1


class ThresholdInline(admin.TabularInline):
    model = StockThreshold
    extra = 0
    exclude = ("state",)


@admin.register(Product)
class ProductAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    app_scope = "all"
    list_display = ("sku", "name_zh", "name_en", "category", "brand", "base_unit", "list_price", "active")
    list_filter = ("active", "category", "brand")
    search_fields = ("sku", "name_zh", "name_en", "barcode")
    autocomplete_fields = ("equivalents",)
    inlines = [ProductUnitInline, ThresholdInline]
    list_select_related = ("category", "brand", "base_unit")


@admin.register(Category)
class CategoryAdmin(ServiceAdminMixin, admin.ModelAdmin):
    app_scope = "all"
    list_display = ("code", "name_zh", "name_en", "parent")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(UnitOfMeasure)
class UnitAdmin(ServiceAdminMixin, admin.ModelAdmin):
    app_scope = "all"
    list_display = ("code", "name_zh", "name_en", "is_weight")


@admin.register(Brand)
class BrandAdmin(ServiceAdminMixin, admin.ModelAdmin):
    app_scope = "all"
    search_fields = ("name",)


@admin.register(Warehouse)
class WarehouseAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    app_scope = "all"
    list_display = ("code", "name_zh", "name_en", "active")


@admin.register(Location)
class LocationAdmin(ServiceAdminMixin, admin.ModelAdmin):
    app_scope = "all"
    list_display = ("warehouse", "code", "description", "active")
    list_filter = ("warehouse", "active")
    search_fields = ("code",)


class SupplierContactInline(admin.TabularInline):
    model = SupplierContact
    extra = 0


class SupplierProductInline(admin.TabularInline):
    model = SupplierProduct
    extra = 0
    autocomplete_fields = ("product",)


@admin.register(Supplier)
class SupplierAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    app_scope = "all"
    list_display = ("code", "name_zh", "name_en", "default_lead_time_days", "active")
    search_fields = ("code", "name_zh", "name_en")
    inlines = [SupplierContactInline, SupplierProductInline]


class POLineInline(admin.TabularInline):
    model = PurchaseOrderLine
    extra = 0
    readonly_fields = ("received_quantity",)
    autocomplete_fields = ("product",)


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    """Read-mostly: the lifecycle runs through the inventory pages (services check every transition)."""
    app_scope = "all"

    list_display = ("number", "supplier", "warehouse", "status", "expected_at", "created_at")
    list_filter = ("status", "warehouse")
    search_fields = ("number",)
    readonly_fields = ("status", "number", "created_by")
    inlines = [POLineInline]


@admin.register(StockMovement)
class StockMovementAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """The ledger is read-only everywhere: corrections are new movements."""
    app_scope = "all"

    list_display = ("posted_at", "kind", "product", "from_location", "to_location", "quantity", "actor", "reference")
    list_filter = ("kind",)
    search_fields = ("product__sku", "reference")
    list_select_related = ("product", "from_location__warehouse", "to_location__warehouse", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
