"""Celery application: configured from Django settings (CELERY_ namespace), tasks autodiscovered.

Queues by kind are in settings (CELERY_TASK_ROUTES); beat's schedule is in Redis (celery-redbeat) when REDIS_URL
is set. Here: tasks named in db_routing.READ_TASKS read from the replica when there is one (and run again on the
primary when it breaks under them), and every task's outcome is counted for /metrics."""

import os

from celery import Celery, Task
from celery.signals import task_failure, task_retry, task_success, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hardware_erp.settings")


class ReplicaAwareTask(Task):
    """Tasks in db_routing.READ_TASKS read from the replica (their services' transactions stay on the primary);
    when the replica breaks under a run, the run is done again at once on the primary, not lost."""

    def __call__(self, *args, **kwargs):
        from hardware_erp.core import db_routing

        if not (db_routing.configured() and db_routing.matches(self.name, db_routing.READ_TASKS)):
            return super().__call__(*args, **kwargs)
        return db_routing.with_replica_fallback(lambda: Task.__call__(self, *args, **kwargs))()


app = Celery("hardware_erp", task_cls=ReplicaAwareTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


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
def _failed(sender=None, **kwargs):
    _count(sender, "failed")


@task_retry.connect
def _retried(sender=None, **kwargs):
    _count(sender, "retried")
