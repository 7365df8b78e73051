"""Helpers for the apps' demo data (`<app>/demo.py`): bulk inserts that look like records made one by one.

- `explicit_timestamps(*models)`: bulk_create keeps the `created_at` values the demo sets (spread over the past
  year) instead of stamping every row with the time of seeding.
- `bulk_create_with_history(objs)`: bulk_create plus each record's initial "+" row of its field history
  (django-simple-history writes it from the save() signal, which bulk_create bypasses; without it the first
  edit of a demo record shows as a change with no fields). The row is dated when the record came to be (its
  `created_at`) and carries its author (`created_by`), as a save() at that time would have written it.
- `backfill_initial_history(model, history_model)`: the same "+" row for records that have none (rows made by
  data migrations, whose historical models write no history).
"""

from contextlib import contextmanager

from django.utils import timezone
from simple_history.utils import get_history_manager_for_model


@contextmanager
def explicit_timestamps(*models):
    """Let bulk_create keep the created_at values of demo rows."""
    fields = [f for m in models for f in m._meta.fields if getattr(f, "auto_now_add", False)]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f in fields:
            f.auto_now_add = True


def _stamp(obj, default_date):
    obj._history_date = getattr(obj, "created_at", None) or default_date
    if getattr(obj, "created_by_id", None):
        obj._history_user = obj.created_by


def bulk_create_with_history(objs, batch_size=None):
    """bulk_create `objs` (all of one model) and write each one's initial history row."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    model._default_manager.bulk_create(objs, batch_size=batch_size)
    assert objs[0].pk is not None, "the database returns no ids from bulk_create"  # noqa: S101
    now = timezone.now()
    for obj in objs:
        _stamp(obj, now)
    get_history_manager_for_model(model).bulk_history_create(objs, batch_size=batch_size)
    return objs


def backfill_initial_history(model, history_model, batch_size=2000) -> int:
    """Write the initial "+" history row of every record of `model` that has none; returns how many.

    Takes the model and its historical model explicitly so that data migrations can pass theirs
    (`apps.get_model("performance", "KPI"), apps.get_model("performance", "HistoricalKPI")`)."""
    copied = [f.attname for f in history_model._meta.concrete_fields
              if not f.name.startswith("history_") and f.name != "history_relation"]
    done = history_model._default_manager.filter(history_type="+").values("id")
    pending = model._default_manager.exclude(pk__in=done).order_by("pk")
    now = timezone.now()
    rows = [history_model(history_type="+", history_date=getattr(obj, "created_at", None) or now,
                          history_user_id=getattr(obj, "created_by_id", None), history_change_reason=None,
                          **{name: getattr(obj, name) for name in copied})
            for obj in pending.iterator(chunk_size=batch_size)]
    history_model._default_manager.bulk_create(rows, batch_size=batch_size)
    return len(rows)
