"""Order timeline entries and the stock movements of shipments and returns are codes and parameters: written while
Chinese is active, they read in English to an English reader and the other way round; old sentences are parsed
back into codes by the data migration."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from inventory.models import StockMovement
from orders import services
from orders.models import OrderEvent
from tests.factories.crm import credit_code

pytestmark = pytest.mark.django_db


def test_shipment_payment_and_invoice_entries_read_in_each_readers_language(world, manager, finance, client_as):
    world.customer.tax_number = credit_code(5)
    world.customer.save()
    p0, _p1 = world.products
    order = services.submit_order(world.order([{"product": p0, "quantity": "10"}]), actor=world.rep)
    with translation.override("zh-hans"):  # everyone on the Chinese side
        line = order.lines.get()
        shipment = services.ship_order(order, quantities={line.pk: "10"}, actor=manager)
        order.refresh_from_db()
        payment = services.record_payment(customer=world.customer, amount=str(order.total),
                                          allocations=[(order, str(order.total))], actor=finance)
        services.request_invoice(order, actor=world.rep, deliver_email="fin@example.com")
    events = {e.code: e for e in OrderEvent.objects.filter(order=order)}
    assert {"shipment.sent", "payment.recorded", "invoice.requested"} <= set(events)
    assert all(e.note == "" for e in events.values() if e.code in ("shipment.sent", "payment.recorded"))
    movement = StockMovement.objects.get(reference=order.number, kind="issue")
    assert (movement.reason_code, movement.reason_params, movement.reason) == (
        "orders.shipment", {"s": shipment.number}, "")
    with translation.override("en"):
        assert events["payment.recorded"].text == f"Payment {payment.number}: ¥{order.total:,.2f}"
        assert events["shipment.sent"].text == f"Shipment {shipment.number}"
        assert movement.reason_text == f"Shipment {shipment.number}"
        assert events["invoice.requested"].text.startswith("VAT invoice requested (")
    client = client_as(user=manager)
    page = client.get(reverse("orders:order", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Payment {payment.number}" in page and f"Shipment {shipment.number}" in page
    with translation.override("zh-hans"):
        assert "Payment" not in events["payment.recorded"].text and payment.number in events["payment.recorded"].text


def test_old_sentences_become_codes(world):
    order = world.order([{"product": world.products[0], "quantity": "1"}])
    make = {"order": order, "actor": world.rep}
    zh_payment = OrderEvent.objects.create(**make, note="收款单 RC000009：813.60")  # written under Chinese
    en_shipment = OrderEvent.objects.create(**make, note="Shipment SH000004 delivered")
    typed = OrderEvent.objects.create(**make, note="客户说下周再付")
    migration = importlib.import_module("orders.migrations.0007_event_codes_from_notes")
    migration.to_codes(apps, None)
    for e in (zh_payment, en_shipment, typed):
        e.refresh_from_db()
    assert (zh_payment.code, zh_payment.params, zh_payment.note) == ("payment.recorded",
                                                                     {"p": "RC000009", "a": "813.60"}, "")
    assert (en_shipment.code, en_shipment.params) == ("shipment.delivered", {"s": "SH000004"})
    assert (typed.code, typed.note) == ("", "客户说下周再付")
    with translation.override("en"):
        assert zh_payment.text == "Payment RC000009: ¥813.60"
