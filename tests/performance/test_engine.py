"""The computation engine against selectors defined in the tests."""

import datetime
from decimal import Decimal

import pytest

from hardware_erp.core.errors import BusinessRuleError
from performance import services
from performance.choices import AggregationChoices, DirectionChoices, PeriodStatusChoices
from performance.choices import ScorecardStatusChoices as S
from performance.models import ComputationRun, Evidence, KPIValue, Scorecard, ScorecardEvent
from tests.factories.performance import FAKE, KPIFactory, month, only_test_kpis, team
from tests.performance.fake_selectors import ROWS, row

pytestmark = pytest.mark.django_db
D = Decimal


def at(day, hour=10):
    from django.utils import timezone

    return datetime.datetime(2026, 10, day, hour, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def setup():
    share = KPIFactory(code="t_share", target=D("90"))
    avg = KPIFactory(code="t_avg", sources=[f"{FAKE}.kpi_average"], aggregation=AggregationChoices.AVERAGE,
                     direction=DirectionChoices.LOWER, unit="h", target=D("4"))
    only_test_kpis("sales_rep", [(share, 60), (avg, 40)])
    dept, boss, (a, b) = team()
    return share, avg, a, b, boss


def test_values_evidence_and_weighted_total(setup):
    share, avg, a, b, boss = setup
    ROWS[a.username] = [row(at(2), True, n=1), row(at(3), True, n=2), row(at(4), False, n=3),
                        row(at(31, 23), True, n=4), row(datetime.datetime(2026, 11, 1, 0, 0, tzinfo=at(1).tzinfo),
                                                        False, n=99)]
    period = month()
    services.compute_period(period, actor=boss)
    sc = Scorecard.objects.get(period=period, employee=a)
    v = KPIValue.objects.get(scorecard=sc, kpi=share)
    # 3 of 4 in October (the 1 November row is outside the half-open period)
    assert (v.value, v.records, v.records_ok) == (D("75.00"), 4, 3)
    assert list(v.evidence.values_list("object_id", "ok", "url", "detail")) == [
        ("1", True, "/test/1/", "detail 1"), ("2", True, "/test/2/", "detail 2"), ("3", False, "/test/3/", "detail 3"),
        ("4", True, "/test/4/", "detail 4")]
    # achievement 75/90 = 83.33 % -> band 80 -> 70 points
    assert v.score == D("70.00")
    no_data = KPIValue.objects.get(scorecard=sc, kpi=avg)
    assert no_data.value is None and no_data.score is None and no_data.records == 0
    # only the KPI with data counts: total 70, coverage 60 %
    assert (sc.computed_score, sc.coverage, sc.final_score) == (D("70.00"), D("60.00"), D("70.00"))
    assert sc.role == "sales_rep" and sc.department == a.employee.department
    # b has no records at all: a scorecard with no data, never zero
    sc_b = Scorecard.objects.get(period=period, employee=b)
    assert sc_b.computed_score is None and sc_b.final_score is None
    assert ScorecardEvent.objects.filter(scorecard=sc, kind="computed").count() == 1


def test_average_kpi_lower_is_better(setup):
    share, avg, a, b, boss = setup
    ROWS[f"{a.username}:avg"] = [row(at(5), True, value=3, n=1), row(at(6), False, value=7, n=2)]
    period = month()
    services.compute_period(period)
    v = KPIValue.objects.get(scorecard__employee=a, kpi=avg)
    # mean 5 h against ≤ 4 h: achievement 80 % -> 70 points
    assert (v.value, v.records, v.score) == (D("5.00"), 2, D("70.00"))
    assert list(v.evidence.values_list("value", flat=True)) == [D("3.00"), D("7.00")]


def test_recompute_gives_the_same_result_and_replaces_evidence(setup):
    share, avg, a, b, boss = setup
    ROWS[a.username] = [row(at(2), True, n=1), row(at(3), False, n=2)]
    period = month()
    services.compute_period(period)
    first = list(KPIValue.objects.filter(scorecard__period=period).order_by("scorecard__employee", "kpi")
                 .values_list("scorecard__employee", "kpi", "value", "score", "records"))
    run = services.compute_period(period, actor=boss)
    again = list(KPIValue.objects.filter(scorecard__period=period).order_by("scorecard__employee", "kpi")
                 .values_list("scorecard__employee", "kpi", "value", "score", "records"))
    assert first == again
    assert run.changes == [] and run.people == 3 and run.actor == boss and run.finished_at
    assert Evidence.objects.filter(kpi_value__scorecard__employee=a).count() == 2  # replaced, not doubled
    assert Scorecard.objects.filter(period=period).count() == 3  # the two reps and their manager


def test_changed_records_are_recorded_never_silent(setup):
    share, avg, a, b, boss = setup
    ROWS[a.username] = [row(at(2), True, n=1), row(at(3), False, n=2)]
    period = month()
    services.compute_period(period)
    ROWS[a.username][1]["ok"] = True
    run = services.compute_period(period, actor=boss)
    assert run.changes == [{"user": a.username, "kpi": "t_share", "old": "50.00", "new": "100.00",
                            "old_score": "20.00", "new_score": "100.00"}]
    event = ScorecardEvent.objects.filter(scorecard__employee=a, kind="computed").last()
    assert "t_share 50.00 → 100.00" in event.note


def test_missing_selector_shows_no_data(setup):
    share, avg, a, b, boss = setup
    share.sources = ["nosuchapp.selectors.kpi_nothing", f"{FAKE}.kpi_share"]
    share.save()
    period = month()
    services.compute_period(period)
    v = KPIValue.objects.get(scorecard__employee=a, kpi=share)
    assert v.value is None and v.missing_sources == ["nosuchapp.selectors.kpi_nothing"]


def test_closed_period_is_refused(setup):
    period = month()
    period.status = PeriodStatusChoices.CLOSED
    period.save()
    with pytest.raises(BusinessRuleError, match="closed"):
        services.compute_period(period)
    assert not ComputationRun.objects.filter(period=period).exists()


def test_period_being_computed_is_refused(setup):
    period = month()
    ComputationRun.objects.create(period=period)
    with pytest.raises(BusinessRuleError, match="already running"):
        services.compute_period(period)


def test_closed_scorecards_keep_their_values(setup):
    share, avg, a, b, boss = setup
    ROWS[a.username] = [row(at(2), True, n=1), row(at(3), False, n=2)]
    period = month()
    services.compute_period(period)
    sc = Scorecard.objects.get(period=period, employee=a)
    Scorecard.objects.filter(pk=sc.pk).update(status=S.CLOSED)
    ROWS[a.username][1]["ok"] = True
    run = services.compute_period(period)
    assert run.skipped_closed == 1
    assert KPIValue.objects.get(scorecard=sc, kpi=share).value == D("50.00")


def test_period_overrides_are_used_and_catalogue_untouched(setup):
    share, avg, a, b, boss = setup
    ROWS[a.username] = [row(at(2), True, n=1), row(at(3), False, n=2)]
    period = month()
    s = period.kpis.get(kpi=share, role="sales_rep")
    services.set_period_kpis(period, "sales_rep", {s.pk: {"target": D("50"), "weight": D("60"),
                                                          "bands": [[100, 90], [0, 10]]}}, actor=boss)
    services.compute_period(period)
    v = KPIValue.objects.get(scorecard__employee=a, kpi=share)
    assert (v.target, v.score) == (D("50.00"), D("90.00"))
    share.refresh_from_db()
    assert share.target == D("90")


def test_weights_not_summing_to_100_are_refused(setup):
    share, avg, a, b, boss = setup
    period = month()
    s = period.kpis.get(kpi=share, role="sales_rep")
    with pytest.raises(BusinessRuleError) as exc:
        services.set_period_kpis(period, "sales_rep", {s.pk: {"target": D("90"), "weight": D("50"),
                                                              "bands": [[0, 0]]}}, actor=boss)
    assert "add up to 90%; they must add up to 100%" in " ".join(exc.value.messages)
    s.refresh_from_db()
    assert s.weight == D("60")


def test_builtin_catalogue_weights_sum_to_100_per_role():
    from hardware_erp.core.roles import ROLES
    from performance.catalogue import BUILTIN_KPIS, builtin_weight_sums
    from performance.models import KPI, KPIWeight

    assert set(builtin_weight_sums().values()) == {100}
    assert set(builtin_weight_sums()) == set(ROLES)  # every role, the warehouse manager too, is weighted
    assert KPI.objects.filter(builtin=True).count() == len(BUILTIN_KPIS)
    for role, total in builtin_weight_sums().items():
        assert sum(KPIWeight.objects.filter(role=role).values_list("weight", flat=True)) == total


def test_task_computes_ended_periods(setup, monkeypatch):
    from django.utils import timezone

    from performance import tasks
    share, avg, a, b, boss = setup
    ROWS[a.username] = [row(at(2), True, n=1)]
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2026, 11, 2))
    done = tasks.compute_ended_periods_task.delay().get()
    assert "2026-10" in done
    assert KPIValue.objects.get(scorecard__employee=a, scorecard__period__start=datetime.date(2026, 10, 1),
                                scorecard__period__kind="month", kpi=share).value == D("100.00")


def test_sync_gives_a_role_new_to_the_catalogue_its_weights_and_keeps_tuned_ones():
    from performance import catalogue
    from performance.models import KPIWeight

    tuned = KPIWeight.objects.filter(role="sales_rep").first()
    tuned.weight = D("11")
    tuned.save()
    KPIWeight.objects.filter(role="warehouse_manager").delete()  # a database from before the role
    catalogue.sync_catalogue()
    assert sum(KPIWeight.objects.filter(role="warehouse_manager").values_list("weight", flat=True)) == 100
    tuned.refresh_from_db()
    assert tuned.weight == D("11")
