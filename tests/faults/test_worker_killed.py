"""A Celery worker SIGKILLed in the middle of a task that posts stock: after a new worker starts, the effect
exists exactly once (acks_late + task_reject_on_worker_lost, visibility timeout 6 s on a private Redis)."""

import time
import uuid

import pytest
from celery import Celery

from .stack import wait_for


def movements(stack, key):
    return stack.pg.psql(f"SELECT count(*) FROM inventory_stockmovement WHERE idempotency_key = '{key}'")[0][0]


def on_hand(stack, product, location):
    rows = stack.pg.psql(f"SELECT on_hand FROM inventory_stocklevel WHERE product_id = {product} "
                         f"AND location_id = {location}")
    return rows[0][0] if rows else 0


@pytest.mark.parametrize("pause_where", ["inside", "after"])
def test_killed_worker_task_takes_effect_exactly_once(stack, pause_where, clean_integrity):
    data = stack.data
    product, location = data["products"][0], data["locations"][0]
    before = on_hand(stack, product, location)
    key = f"faults:{uuid.uuid4().hex}"
    marker = stack.root / f"marker-{pause_where}"
    w1 = stack.worker("w1", include="tests.faults.tasks")
    sender = Celery(broker=stack.redis.url())
    sender.conf.task_default_queue = "default"  # the queue the app sends to and the workers take (settings)
    sender.send_task("faults.post_stock_task", args=[product, location, data["user"], key, str(marker), pause_where])
    wait_for(lambda: marker.exists() or w1.poll() is not None, 90, "the task to reach its pause")
    assert w1.poll() is None, stack.log_tail("worker-w1")
    stack.kill(w1)  # SIGKILL of the whole worker, mid-task
    # inside the transaction: rolled back; after commit: posted but never acknowledged
    assert movements(stack, key) == (0 if pause_where == "inside" else 1)

    time.sleep(7)  # past the visibility timeout: a new worker takes the unacknowledged message back
    w2 = stack.worker("w2", include="tests.faults.tasks")
    try:
        wait_for(lambda: marker.with_name(marker.name + ".done").exists() or w2.poll() is not None, 90,
                 "the redelivered task to finish")
        assert w2.poll() is None, stack.log_tail("worker-w2")
    finally:
        stack.stop_process(w2)
        sender.close()
    assert movements(stack, key) == 1
    assert on_hand(stack, product, location) == before + 1
