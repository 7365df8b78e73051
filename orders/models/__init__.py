from .orders import DocumentCounter, OrderEvent, OrderLine, SalesOrder
from .payments import InvoiceRequest, OrderReturn, Payment, PaymentAllocation, ReturnLine
from .rules import PriceRule, ReviewSettings
from .shipping import Carrier, Shipment, ShipmentLine, TrackingEvent

__all__ = [
    "Carrier", "DocumentCounter", "InvoiceRequest", "OrderEvent", "OrderLine", "OrderReturn", "Payment",
    "PaymentAllocation", "PriceRule", "ReturnLine", "ReviewSettings", "SalesOrder", "Shipment", "ShipmentLine",
    "TrackingEvent",
]
