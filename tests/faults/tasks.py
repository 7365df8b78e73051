"""Tasks the fault tests give a real worker (`celery worker --include tests.faults.tasks`): they post stock the
way the project's tasks do (a service call with an idempotency key) and pause at a chosen point, announced by a
marker file, so that the test can SIGKILL the worker exactly there. Only the first delivery pauses."""

import time
from pathlib import Path

from celery import shared_task


@shared_task(name="faults.post_stock_task", acks_late=True)
def post_stock_task(product_id, location_id, user_id, key, marker, pause_where):
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from inventory.models import Location, Product
    from inventory.services import post_movement

    marker = Path(marker)
    first = not marker.exists()
    with transaction.atomic():
        post_movement(product=Product.objects.get(pk=product_id), quantity=1,
                      to_location=Location.objects.get(pk=location_id), kind="receipt",
                      actor=get_user_model().objects.get(pk=user_id), reference=key[:60], idempotency_key=key)
        if first and pause_where == "inside":
            marker.write_text("inside the transaction")
            time.sleep(120)
    if first and pause_where == "after":
        marker.write_text("committed, not acknowledged")
        time.sleep(120)
    Path(str(marker) + ".done").write_text("done")
