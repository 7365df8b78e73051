"""Orders' side effects go through the kernel outbox and its reports through the kernel export (issue 18)."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hardware_erp.core.models import OutboxTask
from orders import services
from tests.factories.orders import CarrierFactory

pytestmark = pytest.mark.django_db


def test_customer_email_and_tracking_subscription_are_queued_in_the_outbox(world, manager):
    order = services.submit_order(world.order(customer_email="buyer@example.com"), actor=world.rep)
    event = order.events.get(to_status="approved")
    assert OutboxTask.objects.filter(task="orders.email_customer_status_task", args=[event.pk]).exists()
    carrier = CarrierFactory(name="顺丰速运", code="shunfeng", adapter="kuaidi100")
    shipment = services.ship_order(order, quantities={order.lines.get().pk: "10"}, actor=manager, carrier=carrier,
                                   tracking_number="SF1234567890")
    assert OutboxTask.objects.filter(task="orders.subscribe_tracking_task", args=[shipment.pk]).exists()


def test_receivables_export_neutralises_formulas_and_keeps_numbers(world, client_as, manager):
    world.customer.name = "=HYPERLINK(\"http://evil\")"
    world.customer.save()
    order = services.submit_order(world.order(), actor=world.rep)
    services.ship_order(order, quantities={order.lines.get().pk: "100"}, actor=manager)
    resp = client_as("finance_clerk").get(reverse("orders:receivables"), {"_export": "xlsx"})
    rows = list(load_workbook(BytesIO(resp.content)).active.iter_rows(values_only=True))
    assert rows[1][0].startswith("'=") and Decimal(str(rows[1][-1])) == order.total
