"""Celery application: configured from Django settings (CELERY_ namespace), tasks autodiscovered."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hardware_erp.settings")

app = Celery("hardware_erp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _first_heartbeat(sender=None, **kwargs):
    """Record a heartbeat as soon as a worker is up, before beat's first tick."""
    from hardware_erp.core.tasks import record_heartbeat_task

    record_heartbeat_task.run()
