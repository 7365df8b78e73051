"""Queue a Celery task after commit, surviving a down broker.

`enqueue_after_commit("inventory.check_thresholds_task", [product_id])` writes an `OutboxTask` row in the
caller's transaction and, once it commits, sends the task and deletes the row. When the broker is down the
row stays and `core.drain_outbox_task` (beat, every minute) sends it later. Tasks are named, never imported,
so that a service never imports its app's tasks module (tasks call services, not the other way round).
"""

import logging

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxTask

log = logging.getLogger(__name__)


def enqueue_after_commit(task_name: str, *args, **kwargs) -> OutboxTask:
    row = OutboxTask.objects.create(task=task_name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: send(row))
    return row


def send(row) -> bool:
    """Send one queued task (an `OutboxTask` as committed, or its pk); True when the broker took it (the row is then
    deleted, in one statement). Sent at least once: the row goes only after the broker has the task."""
    if not isinstance(row, OutboxTask):
        row = OutboxTask.objects.filter(pk=row).first()
        if row is None:  # the drain sent it already
            return True
    try:
        _task(row.task).apply_async(args=row.args, kwargs=row.kwargs)
    except Exception as exc:  # the broker is down (or the task unknown): keep the row for the drain
        log.warning("task %s not sent, left in the outbox: %s", row.task, exc)
        OutboxTask.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1, last_error=str(exc)[:500])
        return False
    OutboxTask.objects.filter(pk=row.pk)._raw_delete(OutboxTask.objects.db)  # no collector, no transaction
    return True


def _task(name):
    if name not in current_app.tasks:  # the apps' tasks modules are imported on first use in a web process
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def try_send(task_name: str, *args, **kwargs) -> bool:
    """Send a task now when the caller keeps its own outbox (notification e-mails do); False if the broker is down."""
    try:
        _task(task_name).apply_async(args=list(args), kwargs=kwargs)
    except Exception as exc:
        log.warning("task %s not sent: %s", task_name, exc)
        return False
    return True


def drain(*, older_than_seconds=30, limit=500) -> int:
    """Send what is left in the outbox (rows older than a moment: younger ones are being sent after commit)."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    sent = 0
    for pk in OutboxTask.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:limit]:
        if not send(pk):
            break  # the broker is still down: the next run tries again
        sent += 1
    return sent


def enqueue_batched(task_name: str, items) -> None:
    """Queue `task_name(sorted(items))` once per transaction: the first call writes one outbox row, later calls in
    the same transaction add their items to it (an UPDATE only when an item is new). Items are JSON scalars or
    tuples (sent as lists). A row that is gone (its transaction or savepoint rolled back) starts a new batch."""
    from django.db import connection

    items = {tuple(i) if isinstance(i, list) else i for i in items}
    if not items:
        return
    batches = getattr(connection, "_outbox_batches", None)
    if batches is None:
        batches = connection._outbox_batches = {}
    batch = batches.get(task_name)
    if batch is not None:
        if items <= batch["items"]:
            return
        merged = batch["items"] | items
        row = batch["row"]
        if OutboxTask.objects.filter(pk=row.pk, task=task_name, created_at=row.created_at).update(
                args=[_as_json(merged)]):
            batch["items"], row.args = merged, [_as_json(merged)]  # what the send after commit sends
            return
    row = enqueue_after_commit(task_name, _as_json(items))
    batches[task_name] = {"row": row, "items": items}
    transaction.on_commit(lambda: batches.pop(task_name, None))


def _as_json(items):
    return sorted([list(i) if isinstance(i, tuple) else i for i in items])
