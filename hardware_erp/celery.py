"""Celery application: configured from Django settings (CELERY_ namespace), tasks autodiscovered.

Queues by kind are in settings (CELERY_TASK_ROUTES); beat's schedule is in Redis (celery-redbeat) when REDIS_URL
is set. Here: tasks named in db_routing.READ_TASKS read from the replica (when there is one), and every task's
outcome is counted for /metrics."""

import os

from celery import Celery
from celery.signals import (
    task_failure,
    task_postrun,
    task_prerun,
    task_retry,
    task_success,
    worker_init,
    worker_ready,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hardware_erp.settings")

app = Celery("hardware_erp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _import_pages(sender=None, **kwargs):
    """The URL conf and the views it imports loaded once in the worker's main process, before it forks its pool: a
    task that runs a page's code (a list export asks the list page for its table) does not spend its first run
    importing every app's views (1.9 s on an idle machine, several seconds at a high load, in every new child)."""
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imported for its side effect)
    connections.close_all()  # no connection inherited by the children


@worker_ready.connect
def _first_heartbeat(sender=None, **kwargs):
    """Record a heartbeat as soon as a worker is up, before beat's first tick."""
    from hardware_erp.core.tasks import record_heartbeat_task

    record_heartbeat_task.run()


def _count(sender, state):
    """Tasks finished, by name and outcome, for /metrics (shared by every worker through the cache)."""
    from hardware_erp.core.counters import incr

    incr(f"task:{getattr(sender, 'name', None) or sender}:{state}")


@task_success.connect
def _succeeded(sender=None, **kwargs):
    _count(sender, "succeeded")


@task_failure.connect
def _failed(sender=None, exception=None, task_id=None, **kwargs):
    _count(sender, "failed")
    block = _blocks.get(task_id)
    if block is not None and getattr(block, "alias", None) == "replica":
        from django.db import InterfaceError, OperationalError

        from hardware_erp.core.db_routing import mark_down

        if isinstance(exception, (OperationalError, InterfaceError)):  # the replica broke under it: the next run
            mark_down(f"{type(exception).__name__}: {exception}")      # reads the primary


@task_retry.connect
def _retried(sender=None, **kwargs):
    _count(sender, "retried")


_blocks = {}


@task_prerun.connect
def _replica_block_enter(task_id=None, task=None, **kwargs):
    """Tasks in db_routing.READ_TASKS read from the replica; their services' transactions stay on the primary."""
    from hardware_erp.core.db_routing import task_block

    block = task_block(getattr(task, "name", ""))
    block.__enter__()
    _blocks[task_id] = block


@task_postrun.connect
def _replica_block_exit(task_id=None, **kwargs):
    block = _blocks.pop(task_id, None)
    if block is not None:
        block.__exit__(None, None, None)
