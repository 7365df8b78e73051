"""Queue a Celery task after commit, surviving a down broker.

`enqueue_after_commit("inventory.check_thresholds_task", [product_id])` writes an `OutboxTask` row in the
caller's transaction and, once it commits, sends the task and deletes the row. When the broker is down the
row stays and `core.drain_outbox_task` (beat, every minute) sends it later. Tasks are named, never imported,
so that a service never imports its app's tasks module (tasks call services, not the other way round).
"""

import logging
import time

from celery import current_app
from django.db import DEFAULT_DB_ALIAS, connections, transaction
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
    `drain`, as any outbox row. `batched_row_sql` lets a caller write the first row inside its own statement."""
    conn = connections[DEFAULT_DB_ALIAS]
    items = _items(items)
    if not items:
        return
    batch = _current_batch(conn, task_name)
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
        row, sql, params = _row_insert(conn, task_name, [_as_json(items)])
        with conn.cursor() as cur:
            cur.execute(sql + _returning(conn), params)
            row.pk = cur.fetchone()[0] if conn.features.can_return_columns_from_insert else cur.lastrowid
    _started(conn, task_name, row, items, window)


def batched_row_sql(task_name: str, items, *, window: float):
    """For a caller that writes the first batched row of `task_name` in its own statement (posting, in its one
    PostgreSQL statement): `(sql, params, written)` when this transaction has no batch of the task yet, else None
    (then call `enqueue_batched` as usual; it adds the items to the batch). `sql` is an `INSERT … SELECT` of the row
    to which the caller may add a WHERE clause and must add `RETURNING id`; `written(pk)` is called with the id it
    returned, and starts the batch as `enqueue_batched(..., window=window)` does. A row that was not written (the
    caller's WHERE held nothing): call nothing."""
    conn = connections[DEFAULT_DB_ALIAS]
    items = _items(items)
    if not items or _current_batch(conn, task_name) is not None:
        return None
    row, sql, params = _row_insert(conn, task_name, [_as_json(items)])

    def written(pk):
        row.pk = pk
        _started(conn, task_name, row, items, window)

    return sql, params, written


def _items(items) -> set:
    return {tuple(i) if isinstance(i, list) else i for i in items}


def _batches(conn) -> dict:
    """The batches of the connection's current transaction: task name -> {"row", "items"}."""
    batches = getattr(conn, "_outbox_batches", None)
    if batches is None:
        batches = conn._outbox_batches = {}
    return batches


def _current_batch(conn, task_name) -> dict | None:
    """The batch of `task_name` the current transaction started, or None. A batch whose transaction, or the savepoint
    it was started in, rolled back is forgotten: its hook (the pop at commit) is no longer among the connection's
    commit hooks (Django drops them on a rollback), and its row is gone."""
    batches = _batches(conn)
    batch = batches.get(task_name)
    if batch is not None and not any(hook is batch["hook"] for _sids, hook, _robust in conn.run_on_commit):
        del batches[task_name]
        return None
    return batch


def _started(conn, task_name, row, items, window) -> None:
    """A batch's row is written (by `enqueue_after_commit`, or by `_row_insert`'s SQL when `window` is given)."""
    row._state.adding, row._state.db = False, conn.alias
    if window is not None:
        transaction.on_commit(lambda: flush_soon(task_name, window), using=conn.alias)
    batches = _batches(conn)
    batches[task_name] = batch = {"row": row, "items": items}
    batch["hook"] = lambda: batches.pop(task_name, None)
    transaction.on_commit(batch["hook"], using=conn.alias)


def _row_insert(conn, task_name, args) -> tuple[OutboxTask, str, list]:
    """An outbox row and the one `INSERT … SELECT` that writes it (the ORM's save costs more than the statement on
    the posting path); the caller adds `RETURNING id` (`_returning`) and sets the row's pk."""
    row = OutboxTask(task=task_name, args=args, kwargs={})
    field = OutboxTask._meta.get_field("args")
    sql = (f"INSERT INTO {conn.ops.quote_name(OutboxTask._meta.db_table)} "  # noqa: S608  # nosec B608 (table name from the model's metadata, every value bound)
           "(task, args, kwargs, created_at, attempts, last_error) SELECT %s, %s, %s, %s, 0, ''")
    return row, sql, [task_name, field.get_db_prep_value(args, conn), field.get_db_prep_value({}, conn),
                      conn.ops.adapt_datetimefield_value(row.created_at)]


def _returning(conn) -> str:
    return " RETURNING id" if conn.features.can_return_columns_from_insert else ""


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
