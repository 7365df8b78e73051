from .credits import CreditApplication, CustomerCredit, Refund
from .invoices import InvoiceRequest
from .orders import DocumentCounter, OrderEvent, OrderLine, SalesOrder
from .payments import OrderReturn, Payment, PaymentAllocation, ReturnLine
from .review import ReviewStep
from .rollups import CustomerSalesMonth, ProductSalesDay, ProductSalesMonth, SalesDay, SalesMonth
from .rules import PriceRule, ReviewSettings
from .shipping import Carrier, Shipment, ShipmentLine, TrackingEvent

__all__ = [
    "Carrier", "CreditApplication", "CustomerCredit", "CustomerSalesMonth", "DocumentCounter", "InvoiceRequest",
    "OrderEvent", "OrderLine",
    "OrderReturn", "Payment", "PaymentAllocation", "PriceRule",
    "ProductSalesDay", "ProductSalesMonth", "SalesDay", "SalesMonth", "Refund", "ReturnLine", "ReviewSettings",
    "ReviewStep",
    "SalesOrder", "Shipment", "ShipmentLine", "TrackingEvent",
]
