"""Queue a Celery task after commit, surviving a down broker.

`enqueue_after_commit("inventory.check_thresholds_task", [product_id])` writes an `OutboxTask` row in the
caller's transaction and, once it commits, sends the task and deletes the row. When the broker is down the
row stays and `core.drain_outbox_task` (beat, every minute) sends it later. Tasks are named, never imported,
so that a service never imports its app's tasks module (tasks call services, not the other way round).
"""

import logging
import time

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


def enqueue_batched(task_name: str, items, *, window: float | None = None) -> None:
    """Queue `task_name(sorted(items))` once per transaction: the first call writes one outbox row, later calls in
    the same transaction add their items to it (an UPDATE only when an item is new). Items are JSON scalars or
    tuples (sent as lists). A row that is gone (its transaction or savepoint rolled back) starts a new batch.

    Without `window` the row is sent after commit (`send`). With `window` (seconds), for a task that may run late
    and twice (a check that reads the current state), the row is written by one SQL statement and the commit sends
    nothing itself: `flush_soon` queues `core.flush_outbox_task(task_name)` to run `window` seconds later, at
    most once per window in a process, and that flush sends the union of the items of every committed row of
    the task as one task and deletes those rows (`flush`). A busy product then costs one task a second, not one
    Redis publish a movement. The row is written before the commit, so a crash or a down broker leaves it to
    `drain`, as any outbox row."""
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
    if window is None:
        row = enqueue_after_commit(task_name, _as_json(items))
    else:
        row = _insert_row(connection, task_name, [_as_json(items)])
        transaction.on_commit(lambda: flush_soon(task_name, window))
    batches[task_name] = {"row": row, "items": items}
    transaction.on_commit(lambda: batches.pop(task_name, None))


def _insert_row(connection, task_name, args) -> OutboxTask:
    """An outbox row written by one INSERT (the ORM's save costs more than the statement on the posting path)."""
    row = OutboxTask(task=task_name, args=args, kwargs={})
    field = OutboxTask._meta.get_field("args")
    returning = connection.features.can_return_columns_from_insert
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {connection.ops.quote_name(OutboxTask._meta.db_table)} "  # noqa: S608  # nosec B608 (table name from the model's metadata, every value bound)
                    "(task, args, kwargs, created_at, attempts, last_error) VALUES (%s, %s, %s, %s, 0, '')"
                    + (" RETURNING id" if returning else ""),
                    [task_name, field.get_db_prep_value(args, connection), field.get_db_prep_value({}, connection),
                     connection.ops.adapt_datetimefield_value(row.created_at)])
        row.pk = cur.fetchone()[0] if returning else cur.lastrowid
    row._state.adding, row._state.db = False, connection.alias
    return row


# task name -> the time (epoch seconds) before which no flush queued by this process has run: a row committed
# before then is sent by that flush. A flush runs at or after its countdown, never before.
_flush_due: dict[str, float] = {}
FLUSH_MARGIN = 0.25  # seconds: the clocks of the web and the worker hosts may differ a little


def flush_soon(task_name: str, window: float) -> None:
    """After the commit of a batched row: queue a flush of `task_name` `window` seconds from now, unless one queued
    by this process runs later than now (it will see the row). Broker down: the row waits for `drain`."""
    now = time.time()
    if _flush_due.get(task_name, 0) - FLUSH_MARGIN > now:
        return
    try:
        _task("core.flush_outbox_task").apply_async(args=[task_name], countdown=window)
    except Exception as exc:
        log.warning("flush of %s not queued, left in the outbox: %s", task_name, exc)
        return
    if not current_app.conf.task_always_eager:  # run already when eager: nothing pending to join
        _flush_due[task_name] = now + window


def flush(task_name: str, *, limit: int = 5000) -> int:
    """Send the items of every committed batched row of `task_name` as one task and delete those rows (rows another
    flush holds are skipped). Returns the number of rows sent; 0 with the rows kept when the broker is down."""
    sent = 0
    while True:
        try:
            with transaction.atomic():
                rows = [(pk, args) for pk, args, kwargs in OutboxTask.objects.select_for_update(skip_locked=True)
                        .filter(task=task_name).order_by("pk").values_list("pk", "args", "kwargs")[:limit]
                        if not kwargs and len(args) == 1 and isinstance(args[0], list)]
                if not rows:
                    return sent
                items = {tuple(i) if isinstance(i, list) else i for _pk, args in rows for i in args[0]}
                _task(task_name).apply_async(args=[_as_json(items)])
                OutboxTask.objects.filter(pk__in=[pk for pk, _a in rows])._raw_delete(OutboxTask.objects.db)
        except Exception as exc:  # the broker is down: the rows stay for the drain
            log.warning("task %s not sent, left in the outbox: %s", task_name, exc)
            return sent
        sent += len(rows)
        if len(rows) < limit:
            return sent


def _as_json(items):
    return sorted([list(i) if isinstance(i, tuple) else i for i in items])
