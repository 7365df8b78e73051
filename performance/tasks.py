import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from hardware_erp.core.errors import BusinessRuleError

from . import services
from .choices import PeriodKindChoices, PeriodStatusChoices
from .models import Period

log = logging.getLogger(__name__)


@shared_task(name="performance.compute_period_task", acks_late=True)
def compute_period_task(period_id, actor_id=None):
    """Compute one period (the button). Safe to run twice: the result is the same."""
    period = Period.objects.get(pk=period_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        run = services.compute_period(period, actor=actor)
    except BusinessRuleError as exc:
        log.warning("period %s not computed: %s", period, "; ".join(exc.messages))
        return None
    return run.pk


@shared_task(name="performance.compute_ended_periods_task", acks_late=True)
def compute_ended_periods_task():
    """Daily: make sure the current and the just-ended month and quarter exist, and compute each open
    period that has ended but was not computed since its end."""
    today = timezone.localdate()
    for kind in (PeriodKindChoices.MONTH, PeriodKindChoices.QUARTER):
        current = services.ensure_period(kind, today)
        services.ensure_period(kind, current.start - timezone.timedelta(days=1))
    done = []
    for period in Period.objects.filter(status=PeriodStatusChoices.OPEN, end__lte=today):
        if period.computed_at and timezone.localtime(period.computed_at).date() >= period.end:
            continue
        try:
            services.compute_period(period)
            done.append(period.label)
        except BusinessRuleError as exc:
            log.warning("period %s not computed: %s", period, "; ".join(exc.messages))
    log.info("computed ended periods: %s", ", ".join(done) or "none")
    return done
