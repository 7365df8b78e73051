import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="inventory.check_thresholds_task", acks_late=True)
def check_thresholds_task(product_ids=None):
    from .alerts import check_thresholds

    result = check_thresholds(product_ids)
    log.info("check_thresholds_task %s", result)
    return result


@shared_task(name="inventory.compute_suggestions_task", acks_late=True)
def compute_suggestions_task():
    from .forecast import compute_suggestions

    result = compute_suggestions()
    log.info("compute_suggestions_task %s", result)
    return result
