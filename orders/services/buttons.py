"""What the order page offers a user: which work buttons show."""

from decimal import Decimal

from ..choices import (
    INVOICED_STATES,
    SOLD_STATES,
    DocKind,
    InvoiceStatus,
    OrderStatus,
)

HUNDRED = Decimal("100")
S = OrderStatus


def can_ship(order, user) -> bool:
    return order.status in (S.APPROVED, S.PICKING, S.PARTIALLY_SHIPPED) and user.has_perm("orders.ship_salesorder")


def can_record_payment(order, user) -> bool:
    return (order.kind == DocKind.ORDER and order.status in SOLD_STATES and order.status != S.CLOSED
            and order.balance > 0 and user.has_perm("orders.add_payment"))


def can_return(order, user) -> bool:
    return order.status in INVOICED_STATES and user.has_perm("orders.add_orderreturn")


def can_request_invoice(order, user) -> bool:
    return (order.kind == DocKind.ORDER and order.status in SOLD_STATES and user.has_perm("orders.add_invoicerequest")
            and not order.invoice_requests.filter(kind="blue",
                                                  status__in=[InvoiceStatus.REQUESTED, InvoiceStatus.ISSUED]).exists())
