"""What the API shows and accepts. Money is a string with 2 decimals, unit prices with 4, quantities with 3.

Input serializers only validate shapes; the rules are the services'."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from rest_framework import serializers

from crm.models import Contact, Customer
from crm.services import CUSTOMER_FIELDS
from hardware_erp.core.fields import mask_phone
from inventory.choices import MovementKind
from inventory.models import (
    Location,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMovement,
    Stocktake,
    StocktakeLine,
    Warehouse,
)
from orders.models import OrderLine, Payment, PaymentAllocation, SalesOrder, Shipment, TrackingEvent
from support.choices import TicketCategory, TicketPriority
from support.models import Ticket

from .models import SCOPES, ApiToken

User = get_user_model()


def money(**kw):
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kw)


def unit_price(**kw):
    return serializers.DecimalField(max_digits=16, decimal_places=4, **kw)


def qty(**kw):
    return serializers.DecimalField(max_digits=14, decimal_places=3, **kw)


class UserRef(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name"]

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


# --------------------------------------------------------------------------- crm

CUSTOMER_READ = ["id", "name", "kind", "customer_type", "level", "source", "province", "city", "district", "address",
                 "phone", "wechat_id", "owner", "credit_limit", "payment_terms_days", "credit_code", "invoice_title",
                 "tax_number", "tags", "name_pinyin", "last_contact_at", "last_order_date", "created_at",
                 "updated_at"]
CUSTOMER_WRITE = [f for f in CUSTOMER_FIELDS if f not in ("bank_account", "bank_name", "notes")]


class CustomerSerializer(serializers.ModelSerializer):
    owner = UserRef(read_only=True)
    province = serializers.CharField(read_only=True, help_text="A province of mainland China, or empty.")
    credit_limit = money(read_only=True)

    class Meta:
        model = Customer
        fields = CUSTOMER_READ
        read_only_fields = CUSTOMER_READ


class CustomerWriteSerializer(serializers.ModelSerializer):
    confirm_duplicates = serializers.BooleanField(default=False, write_only=True,
                                                  help_text="Create even when a likely duplicate exists.")
    reason = serializers.CharField(default="", allow_blank=True, write_only=True, max_length=255,
                                   help_text="Why (shown to the approver of key-data changes).")

    class Meta:
        model = Customer
        fields = [*CUSTOMER_WRITE, "confirm_duplicates", "reason"]
        extra_kwargs = {"credit_limit": {"max_digits": 14, "decimal_places": 2}}


class CustomerChangeResult(CustomerSerializer):
    pending_change_request = serializers.IntegerField(allow_null=True, read_only=True,
                                                      help_text="A change request waiting for approval (key data).")

    class Meta(CustomerSerializer.Meta):
        fields = [*CUSTOMER_READ, "pending_change_request"]
        read_only_fields = fields


class ContactSerializer(serializers.ModelSerializer):
    mobile = serializers.SerializerMethodField()
    email = serializers.CharField(read_only=True, help_text="An e-mail address, or empty.")

    class Meta:
        model = Contact
        fields = ["id", "customer", "name", "position", "mobile", "landline", "email", "wechat", "is_primary",
                  "created_at"]
        read_only_fields = fields

    def get_mobile(self, contact) -> str:
        request = self.context.get("request")
        if request is not None and request.user.has_perm("crm.view_contact_mobile"):
            return contact.mobile
        return mask_phone(contact.mobile) if contact.mobile else ""


class ContactWriteSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    name = serializers.CharField(max_length=60)
    position = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    mobile = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    landline = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    wechat = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    is_primary = serializers.BooleanField(required=False, default=False)


# --------------------------------------------------------------------------- inventory

class ProductSerializer(serializers.ModelSerializer):
    list_price = unit_price(read_only=True)
    base_unit = serializers.CharField(source="base_unit.code", read_only=True)
    category = serializers.CharField(source="category.name", read_only=True, allow_null=True)
    on_hand = qty(read_only=True, required=False, allow_null=True)

    class Meta:
        model = Product
        fields = ["id", "sku", "name_zh", "name_en", "category", "thread", "length_mm", "material", "finish",
                  "strength_grade", "standard", "specification", "barcode", "base_unit", "list_price", "active",
                  "on_hand", "updated_at"]
        read_only_fields = fields


class LocationSerializer(serializers.ModelSerializer):
    warehouse = serializers.CharField(source="warehouse.code", read_only=True)

    class Meta:
        model = Location
        fields = ["id", "warehouse", "code", "description", "active"]
        read_only_fields = fields


class WarehouseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "code", "name_zh", "name_en", "address", "active"]
        read_only_fields = fields


class StockLevelSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    location_code = serializers.CharField(source="location.code", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)

    class Meta:
        model = StockLevel
        fields = ["id", "product", "sku", "warehouse", "warehouse_code", "location", "location_code", "on_hand",
                  "last_movement_at"]
        read_only_fields = fields


class MovementSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    unit_cost = unit_price(read_only=True)

    class Meta:
        model = StockMovement
        fields = ["id", "kind", "product", "sku", "from_location", "to_location", "quantity", "unit_cost",
                  "reason", "reference", "actor", "occurred_at", "posted_at", "entry_method"]
        read_only_fields = fields


class MovementWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[MovementKind.RECEIPT, MovementKind.ISSUE, MovementKind.TRANSFER])
    product = serializers.IntegerField()
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3, min_value=Decimal("0.001"),
                                        help_text="In the product's base unit.")
    from_location = serializers.IntegerField(required=False, allow_null=True, default=None)
    to_location = serializers.IntegerField(required=False, allow_null=True, default=None)
    unit_cost = serializers.DecimalField(max_digits=14, decimal_places=4, required=False, allow_null=True,
                                         default=None, min_value=Decimal("0"))
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PurchaseOrderLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    unit_price = unit_price(read_only=True)

    class Meta:
        model = PurchaseOrderLine
        fields = ["id", "product", "sku", "quantity", "received_quantity", "unit_price"]
        read_only_fields = fields


class PurchaseOrderSerializer(serializers.ModelSerializer):
    lines = PurchaseOrderLineSerializer(many=True, read_only=True)
    supplier_name = serializers.CharField(source="supplier.name_zh", read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = ["id", "number", "status", "supplier", "supplier_name", "warehouse", "expected_at", "note",
                  "created_at", "lines"]
        read_only_fields = fields


class ReceiptLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Purchase order line id.")
    quantity = qty(min_value=Decimal("0.001"))
    location = serializers.IntegerField()


class ReceiptSerializer(serializers.Serializer):
    lines = ReceiptLineSerializer(many=True, allow_empty=False)


class StocktakeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stocktake
        fields = ["id", "number", "warehouse", "blind", "status", "opened_at", "approved_at", "note"]
        read_only_fields = fields


class ScanSerializer(serializers.Serializer):
    location = serializers.IntegerField()
    code = serializers.CharField(max_length=64, help_text="A barcode, SKU or case code as scanned.")
    quantity = qty(required=False, allow_null=True, default=None, min_value=Decimal("0.001"),
                   help_text="Units for this scan (default: one per scan, a case code counts its units).")


class StocktakeLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = StocktakeLine
        fields = ["id", "product", "sku", "location", "counted", "needs_recount"]
        read_only_fields = fields


# --------------------------------------------------------------------------- orders

class OrderLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    unit_price = unit_price(read_only=True)
    amount = money(read_only=True)

    class Meta:
        model = OrderLine
        fields = ["id", "position", "product", "sku", "quantity", "base_quantity", "unit_price",
                  "discount_percent", "tax_rate", "amount", "shipped_quantity"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    salesperson = UserRef(read_only=True)
    total = money(read_only=True)
    paid_amount = money(read_only=True)
    balance = money(read_only=True, help_text="Total less paid and credited.")

    class Meta:
        model = SalesOrder
        fields = ["id", "kind", "number", "status", "customer", "customer_name", "salesperson", "warehouse",
                  "order_date", "valid_until", "requested_date", "delivery_address", "contact_name",
                  "payment_terms_days", "total", "paid_amount", "balance", "submitted_at", "approved_at",
                  "shipped_at", "delivered_at", "paid_at", "created_at", "updated_at", "lines"]
        read_only_fields = fields


MONEY_FIELDS = ("total", "paid_amount", "balance")
LINE_MONEY_FIELDS = ("unit_price", "amount", "discount_percent")


class LineInputSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    quantity = qty(min_value=Decimal("0.001"))
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=4, required=False, allow_null=True,
                                          default=None, min_value=Decimal("0"))
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True,
                                                default=None, min_value=Decimal("0"), max_value=Decimal("100"))


class OrderCreateSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    warehouse = serializers.IntegerField()
    requested_date = serializers.DateField(required=False, allow_null=True, default=None)
    delivery_address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    lines = LineInputSerializer(many=True, allow_empty=False)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ShipLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Order line id.")
    quantity = qty(min_value=Decimal("0.001"), help_text="In the product's base unit.")


class ShipSerializer(serializers.Serializer):
    lines = ShipLineSerializer(many=True, allow_empty=False)
    carrier = serializers.IntegerField(required=False, allow_null=True, default=None)
    tracking_number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    packages = serializers.IntegerField(min_value=1, max_value=999, default=1)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TrackingEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackingEvent
        fields = ["id", "occurred_at", "status", "description", "location"]
        read_only_fields = fields


class ShipmentSerializer(serializers.ModelSerializer):
    carrier = serializers.CharField(source="carrier.name", read_only=True, allow_null=True)
    order_number = serializers.CharField(source="order.number", read_only=True)
    tracking = TrackingEventSerializer(source="tracking_events", many=True, read_only=True)

    class Meta:
        model = Shipment
        fields = ["id", "number", "order", "order_number", "carrier", "tracking_number", "packages", "status",
                  "shipped_at", "delivered_at", "tracking"]
        read_only_fields = fields


class AllocationSerializer(serializers.ModelSerializer):
    amount = money(read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True)

    class Meta:
        model = PaymentAllocation
        fields = ["order", "order_number", "amount"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    amount = money(read_only=True)
    allocations = AllocationSerializer(many=True, read_only=True)

    class Meta:
        model = Payment
        fields = ["id", "number", "customer", "method", "amount", "received_on", "reference", "note",
                  "recorded_at", "allocations"]
        read_only_fields = fields


class AllocationInputSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    amount = money(min_value=Decimal("0.01"))


class PaymentCreateSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    amount = money(min_value=Decimal("0.01"))
    method = serializers.ChoiceField(choices=Payment._meta.get_field("method").choices)
    received_on = serializers.DateField(required=False, allow_null=True, default=None)
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    allocations = AllocationInputSerializer(many=True, allow_empty=False)


# --------------------------------------------------------------------------- support

class TicketSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    requester = UserRef(read_only=True)
    assignee = UserRef(read_only=True, allow_null=True)

    class Meta:
        model = Ticket
        fields = ["id", "number", "subject", "description", "category", "priority", "status", "requester",
                  "assignee", "response_due", "resolution_due", "resolved_at", "closed_at", "created_at",
                  "updated_at"]
        read_only_fields = fields


class TicketCreateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10000)
    category = serializers.ChoiceField(choices=TicketCategory.choices)
    priority = serializers.ChoiceField(choices=TicketPriority.choices, default=TicketPriority.NORMAL)


class TicketTransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Ticket._meta.get_field("status").choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class TicketMessageSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=10000)


# --------------------------------------------------------------------------- tokens

class TokenSerializer(serializers.ModelSerializer):
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=SCOPES))

    class Meta:
        model = ApiToken
        fields = ["id", "name", "kind", "prefix", "scopes", "rate_per_minute", "expires_at", "revoked_at",
                  "last_used_at", "created_at"]
        read_only_fields = fields


