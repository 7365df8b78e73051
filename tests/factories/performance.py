"""Performance test helpers: periods, a KPI wired to test selectors, and people in a department."""

import datetime
from decimal import Decimal

import factory

from hardware_erp.core.models import Employee
from performance import services
from performance.choices import AggregationChoices, DirectionChoices, PeriodKindChoices, UnitChoices
from performance.models import KPI, BonusTier, KPIWeight, Period, PeriodKPI
from tests.factories import DepartmentFactory, UserFactory

FAKE = "tests.performance.fake_selectors"


class KPIFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KPI
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test_kpi_{n}")
    name_zh = factory.Sequence(lambda n: f"测试指标{n}")
    name_en = factory.Sequence(lambda n: f"Test KPI {n}")
    sources = factory.LazyFunction(lambda: [f"{FAKE}.kpi_share"])
    aggregation = AggregationChoices.SHARE
    direction = DirectionChoices.HIGHER
    unit = UnitChoices.PERCENT
    target = Decimal("90")
    formula = "ok ÷ all × 100"


class BonusTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BonusTier

    name_zh = factory.Sequence(lambda n: f"档位{n}")
    name_en = factory.Sequence(lambda n: f"Tier {n}")
    min_score = Decimal("80")
    bonus = Decimal("500.00")
    points = 20


def only_test_kpis(role, specs):
    """Make `role` judged only by the given KPIs: specs = [(KPI, weight)], weights summing to 100.
    Built-in KPIs keep their own roles but lose `role`."""
    KPIWeight.objects.filter(role=role).delete()
    for kpi, weight in specs:
        KPIWeight.objects.update_or_create(kpi=kpi, role=role, defaults={"weight": Decimal(weight)})


def month(year=2026, mon=10) -> Period:
    return services.ensure_period(PeriodKindChoices.MONTH, datetime.date(year, mon, 15))


def person(role, *, department=None, manager=None, **kwargs):
    user = UserFactory.with_role(role, **kwargs)
    Employee.objects.filter(user=user).update(department=department, manager=manager)
    user.employee.refresh_from_db()
    return user


def team(role="sales_rep", n=2, dept_code="sales-t"):
    """A department with a head who manages it (sales_manager) and `n` people of `role`."""
    dept = DepartmentFactory(code=dept_code)
    boss = person("sales_manager", department=dept, username=f"boss-{dept_code}")
    dept.head = boss
    dept.save()
    people = [person(role, department=dept, manager=boss, username=f"{dept_code}-{i}") for i in range(n)]
    return dept, boss, people


def period_kpi(period, kpi, role) -> PeriodKPI:
    return PeriodKPI.objects.get(period=period, kpi=kpi, role=role)


__all__ = ["BonusTierFactory", "KPIFactory", "month", "only_test_kpis", "period_kpi", "person", "team"]
