from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from hardware_erp.core.models import Notification
from orders import integrity, notices, services
from orders.models import OrderEvent, SalesOrder
from orders.tasks import email_customer_status_task, send_overdue_reminders_task, send_pending_customer_emails_task

pytestmark = pytest.mark.django_db


def test_overdue_reminder_goes_to_the_salesperson_once(world, manager):
    order = services.submit_order(world.order(), actor=world.rep)
    services.ship_order(order, quantities={order.lines.get().pk: "100"}, actor=manager)
    SalesOrder.objects.filter(pk=order.pk).update(due_date=timezone.localdate() - timedelta(days=3))
    assert send_overdue_reminders_task() == 1
    assert send_overdue_reminders_task() == 0
    note = Notification.objects.get(recipient=world.rep)
    assert order.number in note.message and note.key.startswith(f"order:{order.pk}:overdue")


def test_customer_email_once_per_state_change(world, manager):
    order = world.order(customer_email="buyer@example.com")
    services.submit_order(order, actor=world.rep)
    event = OrderEvent.objects.get(order=order, to_status="approved")
    mail.outbox.clear()
    assert email_customer_status_task(event.pk) is True
    assert email_customer_status_task(event.pk) is False
    assert len(mail.outbox) == 1 and order.number in mail.outbox[0].subject
    assert "/orders/status/" in mail.outbox[0].body
    assert send_pending_customer_emails_task() == 0
    assert list(notices.pending_customer_emails()) == []


def test_integrity_checks_hold_after_a_lifecycle(world, manager, finance):
    order = services.submit_order(world.order(), actor=world.rep)
    line = order.lines.get()
    services.ship_order(order, quantities={line.pk: "60"}, actor=manager)
    services.record_payment(customer=world.customer, amount="50", allocations=[(order, "50")], actor=finance)
    services.create_return(order, quantities={line.pk: "5"}, actor=manager, reason="坏")
    results = integrity.checks()
    assert all(not problems for _name, problems in results), results
    SalesOrder.objects.filter(pk=order.pk).update(paid_amount=Decimal("51"))
    assert any(problems for _name, problems in integrity.checks())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_managers_approving_at_once_give_one_approval(make_user):
    import threading

    from django.db import close_old_connections

    from hardware_erp.core.management.commands.sync_roles import sync_roles
    from orders.models import ReviewSettings
    from tests.factories.orders import make_world

    sync_roles()  # an earlier transactional test may have flushed the groups
    world = make_world(make_user)
    row = ReviewSettings.current()
    row.min_margin_percent = Decimal("60")
    row.save()
    order = services.submit_order(world.order(), actor=world.rep)
    managers = [make_user("sales_manager"), make_user("sales_manager")]
    barrier = threading.Barrier(2)
    outcome = []

    def approve(user):
        try:
            barrier.wait()
            services.approve_order(order, actor=user)
            outcome.append("ok")
        except Exception as exc:  # noqa: BLE001
            outcome.append(str(exc))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=approve, args=(m,)) for m in managers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcome.count("ok") == 1 and any("already approved" in o for o in outcome), outcome
    assert OrderEvent.objects.filter(order=order, to_status="approved").count() == 1
    assert world.reserved(world.products[0]) == Decimal("100")
