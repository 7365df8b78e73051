import logging

from celery import shared_task

from . import services

log = logging.getLogger(__name__)


@shared_task(name="training.send_training_reminders_task", acks_late=True)
def send_training_reminders_task():
    """Reminders before and after due dates; each is sent once (notify keys)."""
    sent = services.send_due_reminders()
    log.info("training reminders sent: %s", sent)
    return sent
