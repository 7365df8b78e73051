"""Business events from the services → webhook and robot deliveries (rows now, sent after commit)."""

from django.conf import settings
from django.dispatch import receiver

from hardware_erp.core.money import quantity
from hardware_erp.core.signals import business_event

from . import services
from .models import Event

ORDER_EVENTS = {"approved": Event.ORDER_APPROVED, "shipped": Event.ORDER_SHIPPED,
                "delivered": Event.ORDER_DELIVERED, "paid": Event.ORDER_PAID}


def _url(path):
    return settings.SITE_URL.rstrip("/") + path


def order_data(order) -> dict:
    return {"object": "sales_order", "id": order.pk, "number": order.number, "status": order.status,
            "customer_id": order.customer_id, "customer": order.customer.name, "total": f"{order.total:.2f}",
            "paid_amount": f"{order.paid_amount:.2f}", "url": _url(order.get_absolute_url())}


def alert_data(alert) -> dict:
    return {"object": "stock_alert", "id": alert.pk, "product_id": alert.product_id, "sku": alert.product.sku,
            "warehouse_id": alert.warehouse_id, "warehouse": alert.warehouse.code,
            "available": f"{quantity(alert.available):f}", "minimum": f"{quantity(alert.limit):f}",  # 3 places
            "url": _url(f"/inventory/products/{alert.product_id}/")}


def customer_data(customer, fields=(), pending=False) -> dict:
    return {"object": "customer", "id": customer.pk, "name": customer.name, "fields": list(fields),
            "pending_approval": bool(pending), "url": _url(customer.get_absolute_url())}


def ticket_data(ticket, code="") -> dict:
    return {"object": "ticket", "id": ticket.pk, "number": ticket.number, "subject": ticket.subject,
            "status": ticket.status, "change": code, "url": _url(ticket.get_absolute_url())}


@receiver(business_event)
def on_business_event(sender, event, instance, **kwargs):
    if event.startswith("order."):
        if event not in Event.values:
            return
        services.emit(event, lambda: order_data(instance))
    elif event == Event.STOCK_BELOW_MINIMUM:
        services.emit(event, lambda: alert_data(instance))
    elif event == Event.CUSTOMER_CHANGED:
        services.emit(event, lambda: customer_data(instance, kwargs.get("fields", ()), kwargs.get("pending", False)))
    elif event == Event.TICKET_UPDATED:
        services.emit(event, lambda: ticket_data(instance, kwargs.get("code", "")))
