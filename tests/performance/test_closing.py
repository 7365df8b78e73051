"""A month can be closed with a demo-like hierarchy (nobody reviews the general manager), and payroll is
exported only for a closed period."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from hardware_erp.core.errors import BusinessRuleError
from performance import services
from performance.choices import ScorecardStatusChoices as S
from performance.models import Scorecard
from tests.factories import DepartmentFactory
from tests.factories.performance import KPIFactory, month, only_test_kpis, person
from tests.performance.fake_selectors import ROWS, row

pytestmark = pytest.mark.django_db
D = Decimal
TZ = timezone.get_default_timezone()


@pytest.fixture
def company():
    """As in the demo: the GM heads management and manages the sales manager, who manages a rep."""
    kpi = KPIFactory(code="t_close", target=D("90"))
    for role in ("sales_rep", "sales_manager", "general_manager"):
        only_test_kpis(role, [(kpi, 100)])
    top, sales = DepartmentFactory(code="gm-t"), DepartmentFactory(code="sales-c")
    gm = person("general_manager", department=top, username="gm-c")
    top.head = gm
    top.save()
    mgr = person("sales_manager", department=sales, manager=gm, username="mgr-c")
    sales.head = mgr
    sales.save()
    rep = person("sales_rep", department=sales, manager=mgr, username="rep-c")
    for u in (gm, mgr, rep):
        ROWS[u.username] = [row(datetime.datetime(2026, 10, 3, tzinfo=TZ), True, n=1)]
    period = month()
    services.compute_period(period, actor=gm)
    return period, gm, mgr, rep


def _review(sc, reviewer):
    sc = services.transition(sc, S.SHARED, actor=reviewer)
    sc = services.transition(sc, S.ACKNOWLEDGED, actor=sc.employee)
    return services.transition(sc, S.CLOSED, actor=reviewer)


def test_the_general_managers_own_scorecard_is_confirmed_by_the_gm(company):
    period, gm, mgr, rep = company
    own = Scorecard.objects.get(period=period, employee=gm)
    assert services.has_no_reviewer(own)
    assert not services.has_no_reviewer(Scorecard.objects.get(period=period, employee=mgr))
    assert [a.target for a in services.actions(own, gm) if a.allowed] == [S.CLOSED]
    with pytest.raises(BusinessRuleError):
        services.transition(own, S.CLOSED, actor=mgr)  # nobody below confirms the GM's card
    with pytest.raises(BusinessRuleError):  # nor does a manager confirm their own
        services.transition(Scorecard.objects.get(period=period, employee=mgr), S.CLOSED, actor=mgr)
    own = services.transition(own, S.CLOSED, actor=gm)
    assert own.status == S.CLOSED
    assert own.events.filter(kind="transition", from_status=S.DRAFT, to_status=S.CLOSED, actor=gm).exists()


def test_a_month_closes_with_the_demo_roles(company, client):
    period, gm, mgr, rep = company
    _review(Scorecard.objects.get(period=period, employee=rep), mgr)
    with pytest.raises(BusinessRuleError, match="1 scorecard of this period is not closed yet"):
        services.close_period(period, actor=gm)
    _review(Scorecard.objects.get(period=period, employee=mgr), gm)
    client.force_login(gm, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse("performance:period_close", args=[period.pk]), follow=True)
    period.refresh_from_db()
    assert period.is_closed, response.text
    own = Scorecard.objects.get(period=period, employee=gm)  # the GM's own card did not block: closed with it
    assert own.status == S.CLOSED and own.events.filter(to_status=S.CLOSED, actor=gm).exists()


def test_payroll_is_withheld_until_the_period_is_closed(company, client):
    period, gm, mgr, rep = company
    finance = person("finance_clerk", username="fin-c")
    client.force_login(finance, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("performance:payroll_export", args=[period.pk]), follow=True)
    assert "application/vnd.openxml" not in response["Content-Type"]
    assert "only for a closed period" in response.text
    client.force_login(gm, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("performance:period", args=[period.pk]))
    assert 'data-testid="payroll-withheld"' in page.text and 'data-testid="payroll-export"' not in page.text
    period.status = "closed"
    period.save()
    page = client.get(reverse("performance:period", args=[period.pk]))
    assert 'data-testid="payroll-export"' in page.text
    client.force_login(finance, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("performance:payroll_export", args=[period.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")


def test_computed_mid_period_counts_only_what_is_due_by_now():
    kpi = KPIFactory(code="t_mid", target=D("90"))
    only_test_kpis("sales_rep", [(kpi, 100)])
    rep = person("sales_rep", username="rep-mid")
    now = timezone.now()
    period = services.ensure_period("month", timezone.localdate())
    ROWS[rep.username] = [row(max(now - datetime.timedelta(minutes=5), period.bounds()[0]), True, n=1),
                          row(now + datetime.timedelta(minutes=5), False, n=2)]  # due later: not a failure yet
    services.compute_period(period)
    value = Scorecard.objects.get(period=period, employee=rep).values.get()
    assert (value.records, value.records_ok, value.value) == (1, 1, D("100.00"))
