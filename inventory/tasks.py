import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="inventory.check_thresholds_task", acks_late=True)
def check_thresholds_task(product_ids=None):
    from .alerts import check_thresholds

    result = check_thresholds(product_ids)
    log.info("check_thresholds_task %s", result)
    return result
