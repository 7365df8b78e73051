"""The scorecard state machine, adjustments and comments."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from hardware_erp.core.errors import BusinessRuleError
from performance import services
from performance.choices import ScorecardStatusChoices as S
from performance.models import Adjustment, Scorecard, ScorecardEvent
from tests.factories.performance import KPIFactory, month, only_test_kpis, person, team
from tests.performance.fake_selectors import ROWS, row

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def card():
    kpi = KPIFactory(code="t_review", target=D("90"))
    only_test_kpis("sales_rep", [(kpi, 100)])
    dept, boss, (rep, other) = team()
    tz = timezone.get_default_timezone()
    ROWS[rep.username] = [row(datetime.datetime(2026, 10, 3, tzinfo=tz), True, n=1),
                          row(datetime.datetime(2026, 10, 4, tzinfo=tz), False, n=2)]
    period = month()
    services.compute_period(period, actor=boss)
    return Scorecard.objects.get(period=period, employee=rep), boss, rep, other


def test_full_review_writes_events(card):
    sc, boss, rep, other = card
    services.adjust_scorecard(sc, points=D("5"), reason="Covered the Hangzhou fair", actor=boss)
    sc = services.transition(sc, S.SHARED, actor=boss)
    sc = services.transition(sc, S.ACKNOWLEDGED, actor=rep, note="Agreed")
    sc = services.transition(sc, S.CLOSED, actor=boss, note="Done")
    sc.refresh_from_db()
    assert (sc.status, sc.computed_score, sc.adjustment, sc.final_score) == (S.CLOSED, D("20.00"), D("5.00"),
                                                                               D("25.00"))
    assert sc.employee_comment == "Agreed" and sc.closed_at
    assert list(sc.events.filter(kind="transition").values_list("from_status", "to_status", "actor")) == [
        (S.DRAFT, S.SHARED, boss.pk), (S.SHARED, S.ACKNOWLEDGED, rep.pk), (S.ACKNOWLEDGED, S.CLOSED, boss.pk)]
    assert sc.events.filter(kind="adjustment", note="+5.00 · Covered the Hangzhou fair").exists()
    assert sc.history.count() >= 4


def test_adjustment_without_reason_is_refused(card):
    sc, boss, rep, other = card
    with pytest.raises(BusinessRuleError, match="needs a reason"):
        services.adjust_scorecard(sc, points=D("5"), reason="  ", actor=boss)
    assert not Adjustment.objects.exists()
    sc.refresh_from_db()
    assert sc.final_score == D("20.00")


def test_adjustment_out_of_range_is_refused(card):
    sc, boss, rep, other = card
    with pytest.raises(BusinessRuleError, match="between 0 and 150"):
        services.adjust_scorecard(sc, points=D("-30"), reason="x", actor=boss)


def test_employee_cannot_adjust_or_review_own(card):
    sc, boss, rep, other = card
    with pytest.raises(BusinessRuleError, match="manager"):
        services.adjust_scorecard(sc, points=D("5"), reason="I deserve it", actor=rep)
    with pytest.raises(BusinessRuleError, match="manager"):
        services.transition(sc, S.SHARED, actor=rep)


def test_only_the_employee_acknowledges_and_dispute_needs_comment(card):
    sc, boss, rep, other = card
    services.transition(sc, S.SHARED, actor=boss)
    with pytest.raises(BusinessRuleError, match="Only"):
        services.transition(sc, S.ACKNOWLEDGED, actor=other)
    with pytest.raises(BusinessRuleError, match="needs a comment"):
        services.transition(sc, S.DISPUTED, actor=rep, note="")
    sc = services.transition(sc, S.DISPUTED, actor=rep, note="Two tasks were reassigned to me late")
    assert sc.status == S.DISPUTED and sc.employee_comment.startswith("Two tasks")
    sc = services.transition(sc, S.SHARED, actor=boss, note="Checked: adjusted")
    assert sc.status == S.SHARED


def test_transition_not_in_table_is_refused(card):
    sc, boss, rep, other = card
    with pytest.raises(BusinessRuleError, match="cannot become"):
        services.transition(sc, S.CLOSED, actor=boss)
    assert not ScorecardEvent.objects.filter(kind="transition").exists()


def test_closed_scorecard_cannot_be_changed(card):
    sc, boss, rep, other = card
    services.transition(sc, S.SHARED, actor=boss)
    services.transition(sc, S.ACKNOWLEDGED, actor=rep)
    services.transition(sc, S.CLOSED, actor=boss)
    for call in (lambda: services.adjust_scorecard(sc, points=1, reason="late", actor=boss),
                 lambda: services.comment_scorecard(sc, text="late", actor=boss),
                 lambda: services.transition(sc, S.SHARED, actor=boss)):
        with pytest.raises(BusinessRuleError, match="closed"):
            call()


def test_reviewer_scope(card):
    sc, boss, rep, other = card
    stranger = person("sales_manager", username="other-boss")
    assert not services.can_review(stranger, sc)
    assert services.can_review(boss, sc)
    gm = person("general_manager", username="gm-t")
    assert services.can_review(gm, sc)
    assert list(Scorecard.objects.for_user(rep)) == [sc]
    assert sc not in Scorecard.objects.for_user(other)


def test_close_period_needs_closed_scorecards(card):
    sc, boss, rep, other = card
    with pytest.raises(BusinessRuleError, match="not closed yet"):
        services.close_period(sc.period, actor=boss)


def test_sharing_and_answering_notify(card):
    from django.utils import translation

    from hardware_erp.core.models import Notification

    sc, boss, rep, other = card
    rep.employee.language = "zh-hans"
    rep.employee.save()
    with translation.override("en"):
        services.transition(sc, S.SHARED, actor=boss)
        services.transition(sc, S.DISPUTED, actor=rep, note="Not fair")
    to_rep = Notification.objects.get(recipient=rep)
    assert "2026-10" in to_rep.message and to_rep.link == sc.get_absolute_url()
    to_boss = Notification.objects.get(recipient=boss)
    assert to_boss.message.endswith("disputes the scorecard for 2026-10.") and to_boss.level == "warning"
