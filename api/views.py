"""The API's endpoints: each a few declarative lines over the apps' selectors (reads, scoped with `for_user`)
and services (writes, with `actor=`), like the pages."""

import django_filters
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action, api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from crm import services as crm_services
from crm.filtersets import CustomerFilterSet
from crm.models import Contact, Customer
from inventory import purchasing, stocktakes
from inventory import services as inventory_services
from inventory.filtersets import (
    MovementFilterSet,
    ProductFilterSet,
    PurchaseOrderFilterSet,
    StockLevelFilterSet,
    StocktakeFilterSet,
)
from inventory.models import (
    Location,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMovement,
    Stocktake,
    Warehouse,
)
from orders import services as order_services
from orders.choices import DocKind
from orders.filtersets import OrderFilterSet, PaymentFilterSet, ShipmentFilterSet
from orders.models import Carrier, OrderLine, Payment, SalesOrder, Shipment
from support import services as support_services
from support.filtersets import TicketFilterSet
from support.models import Ticket

from . import serializers as s
from .idempotency import PARAMETER, REQUIRED_PARAMETER, run_once

MONEY_PERM = "orders.view_payment"  # as on the pages: the warehouse ships without seeing prices


class ApiViewSet(viewsets.GenericViewSet):
    lookup_value_regex = r"[0-9]+"  # ids are integers; anything else is the API's JSON 404 (api.urls)
    module = ""  # the token scope and the module the role must open
    perms = {}  # action -> permission(s) the user must hold
    ordering_fields = ["id"]

    def scoped(self, model_or_qs, pk):
        """An object of another app by id, only if the user may see it (else 400: the id is not usable)."""
        qs = model_or_qs.objects.all() if hasattr(model_or_qs, "objects") else model_or_qs
        obj = qs.filter(pk=pk).first() if pk is not None else None
        if obj is None:
            raise ValidationError({"id": [_("%(pk)s is not a record you may use.") % {"pk": pk}]},
                                  code="not_found")
        return obj


    def answer(self, obj, code=status.HTTP_200_OK):
        """The object as this endpoint shows it, read again through the scoped queryset."""
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data, status=code)


def _read(*perms):
    return dict.fromkeys(("list", "retrieve"), perms)


# --------------------------------------------------------------------------- crm

@extend_schema_view(list=extend_schema(summary="Customers you may see (search: name, pinyin, phone, tax code)"),
                    create=extend_schema(request=s.CustomerWriteSerializer, responses={201: s.CustomerChangeResult},
                                         parameters=[PARAMETER]),
                    partial_update=extend_schema(request=s.CustomerWriteSerializer,
                                                 responses={200: s.CustomerChangeResult}))
class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    module = "crm"
    perms = {**_read("crm.view_customer"), "create": "crm.add_customer", "partial_update": "crm.change_customer"}
    serializer_class = s.CustomerSerializer
    filterset_class = CustomerFilterSet
    ordering_fields = ["id", "name", "created_at", "last_order_date", "last_contact_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return Customer.objects.for_user(self.request.user).select_related("owner")

    def create(self, request):
        def perform():
            data = s.CustomerWriteSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = dict(data.validated_data)
            confirm = values.pop("confirm_duplicates")
            values.pop("reason")
            customer = crm_services.create_customer(data=values, actor=request.user, confirm_duplicates=confirm)
            pending = getattr(customer, "pending_change", None)
            customer.pending_change_request = pending.pk if pending else None
            return Response(s.CustomerChangeResult(customer, context={"request": request}).data,
                            status=status.HTTP_201_CREATED)
        return run_once(request, perform)

    def partial_update(self, request, pk=None):
        customer = self.get_object()
        data = s.CustomerWriteSerializer(customer, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("confirm_duplicates", None)
        reason = values.pop("reason", "")
        customer, pending = crm_services.update_customer(customer, values, actor=request.user, reason=reason)
        customer.pending_change_request = pending.pk if pending else None
        return Response(s.CustomerChangeResult(customer, context={"request": request}).data)


@extend_schema_view(create=extend_schema(request=s.ContactWriteSerializer, responses={201: s.ContactSerializer},
                                         parameters=[PARAMETER]))
class ContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    module = "crm"
    perms = {**_read("crm.view_contact"), "create": "crm.add_contact"}
    serializer_class = s.ContactSerializer
    filterset_fields = ["customer"]
    ordering_fields = ["id", "name", "created_at"]

    def get_queryset(self):
        return Contact.objects.for_user(self.request.user)

    def create(self, request):
        def perform():
            data = s.ContactWriteSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = dict(data.validated_data)
            customer = self.scoped(Customer.objects.for_user(request.user), values.pop("customer"))
            contact = crm_services.save_contact(customer=customer, data=values, actor=request.user)
            return Response(s.ContactSerializer(contact, context={"request": request}).data,
                            status=status.HTTP_201_CREATED)
        return run_once(request, perform)


# --------------------------------------------------------------------------- inventory

class StockLookup(ApiViewSet):
    """Products and stock: the warehouse (inventory module) and sales (the orders module shows availability)."""

    module = "inventory"
    also_open_to = "orders"


class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StockLookup):
    perms = _read("inventory.view_product")
    serializer_class = s.ProductSerializer
    filterset_class = ProductFilterSet
    ordering_fields = ["id", "sku", "updated_at"]

    def get_queryset(self):
        from inventory.selectors import with_stock

        return with_stock(Product.objects.select_related("base_unit", "category"))


class StockLevelViewSet(mixins.ListModelMixin, StockLookup):
    perms = {"list": "inventory.view_stocklevel"}
    serializer_class = s.StockLevelSerializer
    filterset_class = StockLevelFilterSet
    ordering_fields = ["id", "on_hand", "last_movement_at"]

    def get_queryset(self):
        return StockLevel.objects.select_related("product", "location", "warehouse")


class WarehouseViewSet(mixins.ListModelMixin, ApiViewSet):
    module = "inventory"
    perms = {"list": "inventory.view_warehouse"}
    serializer_class = s.WarehouseSerializer
    queryset = Warehouse.objects.all()


class LocationViewSet(mixins.ListModelMixin, ApiViewSet):
    module = "inventory"
    perms = {"list": "inventory.view_location"}
    serializer_class = s.LocationSerializer
    filterset_fields = ["warehouse"]
    queryset = Location.objects.select_related("warehouse")


class MovementFilter(MovementFilterSet):
    """The movement list's filters; the warehouse by id (documented as an integer)."""

    warehouse = django_filters.NumberFilter(method="by_warehouse")

    def by_warehouse(self, qs, name, value):
        return self.in_warehouse(qs, name, Warehouse.objects.filter(pk=value).first() or Warehouse(pk=0))


@extend_schema_view(create=extend_schema(request=s.MovementWriteSerializer, responses={201: s.MovementSerializer},
                                         parameters=[REQUIRED_PARAMETER]))
class MovementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    module = "inventory"
    perms = {**_read("inventory.view_stockmovement"), "create": "inventory.add_stockmovement"}
    serializer_class = s.MovementSerializer
    filterset_class = MovementFilter
    ordering_fields = ["id", "posted_at", "occurred_at"]

    def get_queryset(self):
        return StockMovement.objects.select_related("product")

    def create(self, request):
        def perform():
            data = s.MovementWriteSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            v = data.validated_data
            locations = Location.objects.select_related("warehouse")
            movement = inventory_services.post_movement(
                product=self.scoped(Product, v["product"]), quantity=v["quantity"], kind=v["kind"],
                from_location=self.scoped(locations, v["from_location"]) if v["from_location"] else None,
                to_location=self.scoped(locations, v["to_location"]) if v["to_location"] else None,
                unit_cost=v["unit_cost"], reference=v["reference"], reason=v["reason"], actor=request.user,
                idempotency_key=f"api:{request.user.pk}:{request.headers['Idempotency-Key'].strip()}"[:100])
            return Response(s.MovementSerializer(movement).data, status=status.HTTP_201_CREATED)
        return run_once(request, perform, required=True)


@extend_schema_view(receive=extend_schema(request=s.ReceiptSerializer, responses={201: s.MovementSerializer(many=True)},
                                          parameters=[REQUIRED_PARAMETER]))
class PurchaseOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    module = "inventory"
    perms = {**_read("inventory.view_purchaseorder"), "receive": "inventory.receive_purchaseorder"}
    serializer_class = s.PurchaseOrderSerializer
    filterset_class = PurchaseOrderFilterSet
    ordering_fields = ["id", "created_at", "expected_at"]

    def get_queryset(self):
        return PurchaseOrder.objects.select_related("supplier").prefetch_related(
            Prefetch("lines", PurchaseOrderLine.objects.select_related("product").order_by("pk")))

    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        """Receive lines of a sent purchase order into locations (receipt movements at the order's prices)."""
        order = self.get_object()

        def perform():
            data = s.ReceiptSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            locations = Location.objects.filter(warehouse_id=order.warehouse_id)
            receipts = [(self.scoped(PurchaseOrderLine.objects.filter(order=order), r["line"]), r["quantity"],
                         self.scoped(locations, r["location"])) for r in data.validated_data["lines"]]
            moves = purchasing.receive_purchase_order(order=order, receipts=receipts, actor=request.user,
                                                      key=f"api{request.user.pk}-{request.headers['Idempotency-Key']}")
            return Response(s.MovementSerializer(moves, many=True).data, status=status.HTTP_201_CREATED)
        return run_once(request, perform, required=True)


@extend_schema_view(scan=extend_schema(request=s.ScanSerializer, responses={201: s.StocktakeLineSerializer},
                                       parameters=[REQUIRED_PARAMETER]))
class StocktakeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    module = "inventory"
    perms = {**_read("inventory.view_stocktake"), "scan": "inventory.count_stocktake"}
    serializer_class = s.StocktakeSerializer
    filterset_class = StocktakeFilterSet
    ordering_fields = ["id", "opened_at"]
    queryset = Stocktake.objects.all()

    @action(detail=True, methods=["post"])
    def scan(self, request, pk=None):
        """One scan at a location of a counting stocktake (a scanner app sends one request per scan)."""
        stocktake = self.get_object()

        def perform():
            data = s.ScanSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            v = data.validated_data
            location = self.scoped(Location.objects.filter(warehouse_id=stocktake.warehouse_id), v["location"])
            line = stocktakes.record_count(stocktake=stocktake, location=location, actor=request.user,
                                           code=v["code"], quantity=v["quantity"])
            return Response(s.StocktakeLineSerializer(line).data, status=status.HTTP_201_CREATED)
        return run_once(request, perform, required=True)


# --------------------------------------------------------------------------- orders

class WithoutMoney:
    """Roles that ship without prices (the warehouse) get orders without amounts, as on the pages."""

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if not self.request.user.has_perm(MONEY_PERM):
            child = getattr(serializer, "child", serializer)
            for name in s.MONEY_FIELDS:
                child.fields.pop(name, None)
            if "lines" in child.fields:
                for name in s.LINE_MONEY_FIELDS:
                    child.fields["lines"].child.fields.pop(name, None)
        return serializer


class DocumentViewSet(WithoutMoney, mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Quotations and sales orders: the rep's own (SalesOrder.objects.for_user), everyone's for managers."""

    module = "orders"
    kind = DocKind.ORDER
    perms = {**_read("orders.view_salesorder"), "create": "orders.add_salesorder"}
    serializer_class = s.OrderSerializer
    filterset_class = OrderFilterSet
    ordering_fields = ["id", "order_date", "created_at", "total"]

    def get_queryset(self):
        return (SalesOrder.objects.for_user(self.request.user).filter(kind=self.kind)
                .select_related("customer", "salesperson")
                .prefetch_related(Prefetch("lines", OrderLine.objects.select_related("product").order_by("position"))))

    def create(self, request):
        def perform():
            data = s.OrderCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            v = dict(data.validated_data)
            customer = self.scoped(Customer.objects.for_user(request.user), v.pop("customer"))
            warehouse = self.scoped(Warehouse.objects.filter(active=True), v.pop("warehouse"))
            lines = [order_services.LineInput(product=self.scoped(Product, ln["product"]), quantity=ln["quantity"],
                                              unit_price=ln["unit_price"], discount_percent=ln["discount_percent"])
                     for ln in v.pop("lines")]
            header = {k: val for k, val in v.items() if val not in (None, "")}
            order = order_services.create_order(customer=customer, lines=lines, actor=request.user, kind=self.kind,
                                                warehouse=warehouse, **header)
            return self.answer(order, status.HTTP_201_CREATED)
        return run_once(request, perform)


@extend_schema_view(
    create=extend_schema(request=s.OrderCreateSerializer, responses={201: s.OrderSerializer}, parameters=[PARAMETER]),
    submit=extend_schema(request=s.NoteSerializer, responses={200: s.OrderSerializer}),
    approve=extend_schema(request=s.NoteSerializer, responses={200: s.OrderSerializer}),
    shipments=extend_schema(request=None, responses={200: s.ShipmentSerializer(many=True)}),
    ship=extend_schema(request=s.ShipSerializer, responses={201: s.ShipmentSerializer},
                       parameters=[REQUIRED_PARAMETER]))
class OrderViewSet(DocumentViewSet):
    perms = {**DocumentViewSet.perms, "submit": "orders.change_salesorder", "approve": "orders.view_salesorder",
             "shipments": "orders.view_shipment", "ship": "orders.ship_salesorder"}

    def _with_note(self, request, service):
        order = self.get_object()
        data = s.NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.answer(service(order, actor=request.user, note=data.validated_data["note"]))

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a draft order for review: approved at once when every rule passes, else review steps open."""
        return self._with_note(request, order_services.submit_order)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve your review step of a submitted order (never your own order: segregation of duties)."""
        return self._with_note(request, order_services.approve_order)

    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        """Ship quantities of an approved order from its warehouse, with the carrier and tracking number."""
        order = self.get_object()

        def perform():
            data = s.ShipSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            v = data.validated_data
            quantities = {item["line"]: item["quantity"] for item in v["lines"]}  # the service checks the lines
            carrier = self.scoped(Carrier.objects.filter(active=True), v["carrier"]) if v["carrier"] else None
            shipment = order_services.ship_order(order, quantities=quantities, actor=request.user, carrier=carrier,
                                                 tracking_number=v["tracking_number"], packages=v["packages"],
                                                 note=v["note"])
            return Response(s.ShipmentSerializer(shipment).data, status=status.HTTP_201_CREATED)
        return run_once(request, perform, required=True)

    @action(detail=True, methods=["get"])
    def shipments(self, request, pk=None):
        """The order's shipments with their carrier, tracking number and tracking events."""
        order = self.get_object()
        qs = Shipment.objects.filter(order=order).select_related("carrier", "order").prefetch_related(
            "tracking_events").order_by("pk")
        return Response(s.ShipmentSerializer(qs, many=True).data)


@extend_schema_view(create=extend_schema(request=s.OrderCreateSerializer, responses={201: s.OrderSerializer},
                                         parameters=[PARAMETER]),
                    convert=extend_schema(request=None, responses={201: s.OrderSerializer}))
class QuotationViewSet(DocumentViewSet):
    kind = DocKind.QUOTATION
    perms = {**DocumentViewSet.perms, "convert": "orders.add_salesorder"}

    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        """Turn a draft quotation into a draft sales order with its lines and prices (once: a repeat answers the
        same order)."""
        order = order_services.convert_quotation(self.get_object(), actor=request.user)
        return Response(OrderViewSet(request=request, format_kwarg=None).get_serializer(
            SalesOrder.objects.for_user(request.user).get(pk=order.pk)).data, status=status.HTTP_201_CREATED)


class ShipmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    module = "orders"
    perms = _read("orders.view_shipment")
    serializer_class = s.ShipmentSerializer
    filterset_class = ShipmentFilterSet
    ordering_fields = ["id", "shipped_at"]

    def get_queryset(self):
        orders = SalesOrder.objects.for_user(self.request.user)
        return (Shipment.objects.filter(order__in=orders).select_related("carrier", "order")
                .prefetch_related("tracking_events"))


@extend_schema_view(create=extend_schema(request=s.PaymentCreateSerializer, responses={201: s.PaymentSerializer},
                                         parameters=[REQUIRED_PARAMETER]))
class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    module = "orders"
    perms = {**_read("orders.view_payment"), "create": "orders.add_payment"}
    serializer_class = s.PaymentSerializer
    filterset_class = PaymentFilterSet
    ordering_fields = ["id", "received_on"]

    def get_queryset(self):
        return Payment.objects.for_user(self.request.user).prefetch_related("allocations__order")

    def create(self, request):
        def perform():
            data = s.PaymentCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            v = data.validated_data
            customer = self.scoped(Customer.objects.for_user(request.user), v["customer"])
            orders = SalesOrder.objects.for_user(request.user)
            allocations = [(self.scoped(orders, a["order"]), a["amount"]) for a in v["allocations"]]
            payment = order_services.record_payment(
                customer=customer, amount=v["amount"], allocations=allocations, actor=request.user,
                method=v["method"], received_on=v["received_on"], reference=v["reference"], note=v["note"])
            return self.answer(payment, status.HTTP_201_CREATED)
        return run_once(request, perform, required=True)


# --------------------------------------------------------------------------- support

@extend_schema_view(
    create=extend_schema(request=s.TicketCreateSerializer, responses={201: s.TicketSerializer}, parameters=[PARAMETER]),
    transition=extend_schema(request=s.TicketTransitionSerializer, responses={200: s.TicketSerializer}),
    message=extend_schema(request=s.TicketMessageSerializer, responses={201: s.TicketSerializer}))
class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    module = "support"
    perms = {**_read("support.view_ticket"), "create": "support.add_ticket", "transition": "support.view_ticket",
             "message": "support.view_ticket"}
    serializer_class = s.TicketSerializer
    filterset_class = TicketFilterSet
    ordering_fields = ["id", "created_at", "updated_at"]

    def get_queryset(self):
        return Ticket.objects.for_user(self.request.user).select_related("requester", "assignee")

    def create(self, request):
        def perform():
            data = s.TicketCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            ticket = support_services.open_ticket(requester=request.user, **data.validated_data)
            return self.answer(ticket, status.HTTP_201_CREATED)
        return run_once(request, perform)

    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the ticket to another status (IT; the requester may close, reopen or answer)."""
        ticket = self.get_object()
        data = s.TicketTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = support_services.transition(ticket, data.validated_data["status"], actor=request.user,
                                             note=data.validated_data["note"])
        return self.answer(ticket)

    @action(detail=True, methods=["post"])
    def message(self, request, pk=None):
        """Write on the ticket's conversation."""
        ticket = self.get_object()
        data = s.TicketMessageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            support_services.post_message(ticket, author=request.user, body=data.validated_data["body"])
        return self.answer(ticket, status.HTTP_201_CREATED)




@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@authentication_classes([])
@permission_classes([AllowAny])
def not_found(request, *args, **kwargs):
    """Any other address under /api/v1/: a 404 in the API's error format (not the site's HTML page)."""
    raise NotFound()
