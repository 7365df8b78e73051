"""Issue 19, item 4: posting at the shape real callers use (an idempotency key, a unit cost on receipts, a threshold
on the SKU) without a savepoint per movement, with the average cost computed in one statement, and one threshold
task per transaction."""

from decimal import Decimal as D

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.models import OutboxTask
from inventory import services
from inventory.choices import MovementKind
from inventory.models import StockAlert, StockLevel, StockMovement
from tests.factories.inventory import ProductFactory, ThresholdFactory

pytestmark = pytest.mark.django_db


def post(product, loc, qty, clerk, *, kind=MovementKind.RECEIPT, **kw):
    where = {"to_location": loc} if kind == MovementKind.RECEIPT else {"from_location": loc}
    return services.post_movement(product=product, quantity=qty, kind=kind, actor=clerk, **where, **kw)


def test_a_keyed_costed_receipt_inside_a_transaction_takes_no_savepoint(product, loc, wh, clerk):
    ThresholdFactory(product=product, warehouse=wh, minimum=5, maximum=0)
    post(product, loc, 10, clerk, unit_cost=D("2.00"), idempotency_key="warm")  # the level exists now
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        m = post(product, loc, 30, clerk, unit_cost=D("3.00"), idempotency_key="rcv-2")
    sql = [q["sql"].upper() for q in ctx.captured_queries]
    assert not [q for q in sql if "SAVEPOINT" in q]
    assert not [q for q in sql if q.startswith("SELECT") and "IDEMPOTENCY_KEY" in q]  # no look-up for a new key
    assert len(sql) <= 6, sql  # product lock, levels, insert, average, level, one outbox row
    if connection.vendor == "postgresql":  # product lock, levels, one statement writing the rest
        assert len(sql) == 3 and sql[2].startswith("WITH"), sql  # (the outbox row: the warm posting's batch)
    product.refresh_from_db()
    assert m.pk and product.average_cost == D("2.7500")  # (10×2 + 30×3) / 40
    assert StockLevel.objects.get(product=product, location=loc).on_hand == D("40")


def test_a_replayed_key_returns_the_first_movement_and_changes_nothing(product, loc, clerk):
    first = post(product, loc, 10, clerk, unit_cost=D("4.00"), idempotency_key="rcv-1")
    with transaction.atomic():
        again = post(product, loc, 10, clerk, unit_cost=D("9.00"), idempotency_key="rcv-1")
    product.refresh_from_db()
    assert again.pk == first.pk and StockMovement.objects.count() == 1
    assert product.average_cost == D("4.0000")  # the replay did not move the average
    assert StockLevel.objects.get(product=product, location=loc).on_hand == D("10")
    with pytest.raises(BusinessRuleError, match="different details"):
        post(product, loc, 11, clerk, idempotency_key="rcv-1")


def test_a_replayed_issue_that_emptied_the_bin_returns_its_movement(product, loc, clerk):
    post(product, loc, 5, clerk)
    first = post(product, loc, 5, clerk, kind=MovementKind.ISSUE, idempotency_key="iss-1")
    again = post(product, loc, 5, clerk, kind=MovementKind.ISSUE, idempotency_key="iss-1")  # not "only 0 on hand"
    assert again.pk == first.pk and StockLevel.objects.get(product=product, location=loc).on_hand == 0
    with pytest.raises(BusinessRuleError, match="Only 0"):
        post(product, loc, 5, clerk, kind=MovementKind.ISSUE, idempotency_key="iss-2")


def test_a_refusal_inside_the_callers_transaction_leaves_it_usable(product, loc, clerk):
    with transaction.atomic():
        with pytest.raises(BusinessRuleError):
            post(product, loc, 1, clerk, kind=MovementKind.ISSUE)
        post(product, loc, 3, clerk)  # the caller carries on in the same transaction
    assert StockLevel.objects.get(product=product, location=loc).on_hand == D("3")


def test_threshold_checks_are_one_task_per_transaction(loc, wh, clerk, django_capture_on_commit_callbacks):
    products = [ProductFactory() for _ in range(3)]
    for p in products:
        ThresholdFactory(product=p, warehouse=wh, minimum=10, maximum=0)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        for p in products * 2:
            post(p, loc, 2, clerk)
        rows = list(OutboxTask.objects.filter(task="inventory.check_thresholds_task"))
    assert len(rows) == 1 and rows[0].args == [sorted(p.pk for p in products)]
    for callback in callbacks:
        callback()
    assert not OutboxTask.objects.exists()  # sent (eagerly here) and deleted
    assert set(StockAlert.objects.filter(kind="low").values_list("product_id", flat=True)) == {p.pk for p in products}


def test_a_rolled_back_batch_does_not_swallow_the_next_transactions_check(loc, wh, clerk,
                                                                         django_capture_on_commit_callbacks):
    a, b = ProductFactory(), ProductFactory()
    for p in (a, b):
        ThresholdFactory(product=p, warehouse=wh, minimum=10, maximum=0)
    with pytest.raises(RuntimeError), transaction.atomic():
        post(a, loc, 1, clerk)
        raise RuntimeError("the caller fails after posting")
    with django_capture_on_commit_callbacks(execute=True):
        post(b, loc, 1, clerk)
    assert list(StockAlert.objects.values_list("product_id", flat=True)) == [b.pk]
    assert not StockLevel.objects.filter(product=a).exists()


def test_a_rolled_back_batch_does_not_swallow_the_next_check_of_the_same_product(product, loc, wh, clerk):
    ThresholdFactory(product=product, warehouse=wh, minimum=10, maximum=0)
    with pytest.raises(RuntimeError), transaction.atomic():
        post(product, loc, 1, clerk)
        raise RuntimeError("the caller fails after posting")
    with transaction.atomic():
        post(product, loc, 2, clerk)  # the same product: its batch of the rolled-back transaction is not this one's
        rows = list(OutboxTask.objects.filter(task="inventory.check_thresholds_task"))
    assert [r.args for r in rows] == [[[product.pk]]]
    assert StockLevel.objects.get(product=product, location=loc).on_hand == D("2")


class FakeTask:
    """A named task whose sends are recorded (or refused, as by a down broker)."""

    sent = []
    down = set()

    def __init__(self, name):
        self.name = name

    def apply_async(self, args=(), kwargs=None, countdown=None):
        if self.name in self.down:
            raise ConnectionError("broker down")
        self.sent.append((self.name, list(args), countdown))


@pytest.fixture
def broker(monkeypatch):
    from celery import current_app

    from hardware_erp.core import outbox

    FakeTask.sent, FakeTask.down = [], set()
    monkeypatch.setattr(outbox, "_task", FakeTask)
    monkeypatch.setattr(outbox, "_flush_due", {})
    eager, current_app.conf.task_always_eager = current_app.conf.task_always_eager, False  # a worker flushes later
    yield FakeTask
    current_app.conf.task_always_eager = eager


def test_threshold_checks_are_flushed_once_a_second_for_every_committed_row(loc, wh, clerk, broker,
                                                                          django_capture_on_commit_callbacks):
    from hardware_erp.core import outbox

    products = [ProductFactory() for _ in range(3)]
    for p in products:
        ThresholdFactory(product=p, warehouse=wh, minimum=10, maximum=0)
    for p in products:  # three transactions in one process within the window
        with django_capture_on_commit_callbacks(execute=True):
            post(p, loc, 2, clerk)
    task = "inventory.check_thresholds_task"
    assert broker.sent == [("core.flush_outbox_task", [task], services.THRESHOLD_CHECK_WINDOW)]  # one flush queued
    assert OutboxTask.objects.filter(task=task).count() == 3  # one row per transaction, nothing sent per movement
    assert outbox.flush(task) == 3
    assert broker.sent[1:] == [(task, [sorted(p.pk for p in products)], None)]  # one check for the three
    assert not OutboxTask.objects.exists()
    outbox._flush_due[task] = 0  # the window has passed: the next commit queues a new flush
    with django_capture_on_commit_callbacks(execute=True):
        post(products[0], loc, 1, clerk)
    assert broker.sent[-1] == ("core.flush_outbox_task", [task], services.THRESHOLD_CHECK_WINDOW)


def test_a_flush_with_the_broker_down_keeps_the_rows_for_the_drain(loc, wh, clerk, broker,
                                                                 django_capture_on_commit_callbacks):
    from hardware_erp.core import outbox

    product = ProductFactory()
    ThresholdFactory(product=product, warehouse=wh, minimum=10, maximum=0)
    broker.down = {"core.flush_outbox_task", "inventory.check_thresholds_task"}
    with django_capture_on_commit_callbacks(execute=True):
        post(product, loc, 2, clerk)  # the flush could not be queued: the commit stands, the row stays
    assert outbox.flush("inventory.check_thresholds_task") == 0
    row = OutboxTask.objects.get()
    assert row.args == [[product.pk]]
    broker.down = set()
    OutboxTask.objects.update(created_at=row.created_at - timezone.timedelta(minutes=5))
    assert outbox.drain() == 1 and not OutboxTask.objects.exists()
    assert broker.sent == [("inventory.check_thresholds_task", [[product.pk]], None)]
