from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from hardware_erp.core.admin import ReadOnlyForEveryoneMixin, ServiceAdminMixin

from .models import Carrier, OrderEvent, OrderLine, Payment, PaymentAllocation, PriceRule, SalesOrder, Shipment


class OrderLineInline(ReadOnlyForEveryoneMixin, admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ["product"]
    readonly_fields = ["net_amount", "tax_amount", "amount", "reserved_quantity", "shipped_quantity",
                       "returned_quantity"]


@admin.register(SalesOrder)
class SalesOrderAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    list_display = ["number", "kind", "status", "customer", "salesperson", "order_date", "total", "paid_amount"]
    list_filter = ["kind", "status"]
    search_fields = ["number", "customer__name"]
    raw_id_fields = ["customer", "salesperson", "created_by", "quotation", "opportunity", "approved_by"]
    readonly_fields = ["status", "paid_amount", "credited_amount", "total"]
    inlines = [OrderLineInline]


def of_visible_orders(self, request, queryset):
    """Events and shipments of the orders the user sees in the application."""
    return queryset.filter(order__in=SalesOrder.objects.for_user(request.user).values("pk"))


@admin.register(OrderEvent)
class OrderEventAdmin(ServiceAdminMixin, admin.ModelAdmin):
    app_scope = "of_visible_orders"
    of_visible_orders = of_visible_orders
    list_display = ["order", "kind", "from_status", "to_status", "actor", "at"]
    raw_id_fields = ["order", "actor"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Shipment)
class ShipmentAdmin(ServiceAdminMixin, admin.ModelAdmin):
    app_scope = "of_visible_orders"
    of_visible_orders = of_visible_orders
    list_display = ["number", "order", "carrier", "tracking_number", "status", "shipped_at"]
    search_fields = ["number", "tracking_number"]
    raw_id_fields = ["order", "created_by"]


class AllocationInline(ReadOnlyForEveryoneMixin, admin.TabularInline):
    model = PaymentAllocation
    extra = 0
    raw_id_fields = ["order"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyForEveryoneMixin, ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["number", "customer", "method", "amount", "received_on"]
    raw_id_fields = ["customer", "recorded_by"]
    inlines = [AllocationInline]


class ServiceAdmin(ServiceAdminMixin, admin.ModelAdmin):
    app_scope = "all"  # carriers and price rules: one list for everyone who may see it


admin.site.register(Carrier, ServiceAdmin)
admin.site.register(PriceRule, ServiceAdmin)
