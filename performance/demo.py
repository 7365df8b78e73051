"""Demo scores: the last three months and the last quarter, computed from the records the other apps'
demo data created (a KPI whose app has no data shows "no data"), with reviews at different stages."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from hardware_erp.core.errors import BusinessRuleError

from . import services
from .choices import PeriodKindChoices
from .choices import ScorecardStatusChoices as S
from .models import Scorecard

COMMENTS = ["按时完成跟进，继续保持。", "录入及时性需要提高，月底集中补录的情况较多。", "盘点扫码率明显提升。",
            "Good month: data entered on time.", "Please finish the required courses before the due date."]


def seed(ctx):
    today = timezone.localdate()
    first_of_month = today.replace(day=1)
    periods = []
    day = first_of_month
    for _i in range(3):
        day = (day - datetime.timedelta(days=1)).replace(day=1)
        periods.append(services.ensure_period(PeriodKindChoices.MONTH, day))
    q_start, _end = services.period_bounds(PeriodKindChoices.QUARTER, today)
    periods.append(services.ensure_period(PeriodKindChoices.QUARTER, q_start - datetime.timedelta(days=1)))
    for p in periods:  # computed again on every run: other apps' demo records may have been added since
        if not p.is_closed:
            run = services.compute_period(p)
            ctx.log(f"performance: computed {p.label}: {run.people} people, {len(run.changes)} values changed")
    months = sorted((p for p in periods if p.kind == PeriodKindChoices.MONTH), key=lambda p: p.start)
    # the oldest month fully reviewed and closed, the next one shared, the latest one being reviewed
    for stage, period in zip(("closed", "shared", "draft"), months, strict=True):
        _review(ctx, period, stage)


def _review(ctx, period, stage):
    User = get_user_model()
    cards = Scorecard.objects.filter(period=period, status=S.DRAFT).select_related("employee__employee")
    for sc in cards:
        manager = _reviewer(User, sc)
        if manager is None:
            continue
        try:
            if stage == "draft":
                if not sc.manager_comment and ctx.rng.random() < 0.5:
                    services.comment_scorecard(sc, text=ctx.rng.choice(COMMENTS), actor=manager)
                continue
            services.comment_scorecard(sc, text=ctx.rng.choice(COMMENTS), actor=manager)
            if sc.computed_score is not None and ctx.rng.random() < 0.3:
                services.adjust_scorecard(sc, points=ctx.rng.choice([-3, 2, 5]),
                                          reason="客户投诉处理及时，额外加分" if ctx.rng.random() < 0.5
                                          else "Month-end backlog of entries", actor=manager)
            sc = services.transition(sc, S.SHARED, actor=manager)
            if stage == "shared":
                continue
            if ctx.rng.random() < 0.2:
                sc = services.transition(sc, S.DISPUTED, actor=sc.employee, note="部分跟进任务是月底才分配给我的。")
            else:
                sc = services.transition(sc, S.ACKNOWLEDGED, actor=sc.employee, note="")
            services.transition(sc, S.CLOSED, actor=manager, note="")
        except BusinessRuleError as exc:
            ctx.log(f"performance: {sc}: {'; '.join(exc.messages)}")


def _reviewer(User, sc):
    """The line manager, or the first one above who may review (the warehouse manager leads the clerk but
    holds no review permission: the general manager reviews the clerk)."""
    seen = set()
    manager_id = sc.employee.employee.manager_id
    while manager_id and manager_id not in seen:
        seen.add(manager_id)
        manager = User.objects.select_related("employee").filter(pk=manager_id).first()
        if manager is None:
            return None
        if services.can_review(manager, sc):
            return manager
        manager_id = getattr(getattr(manager, "employee", None), "manager_id", None)
    return None
