"""A manager opens a scorecard, drills into a KPI to see its records, adjusts with a reason, shares it;
the employee acknowledges; the manager closes it."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from performance import services
from performance.models import Scorecard
from tests.factories.performance import KPIFactory, month, only_test_kpis, team
from tests.performance import fake_selectors
from tests.performance.fake_selectors import ROWS, row

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-horse-battery"  # noqa: S105 (the factories' test password)


@pytest.fixture
def scorecard(transactional_db):
    from performance.catalogue import sync_catalogue

    sync_catalogue()  # transactional tests flush the migration's rows
    kpi = KPIFactory(code="e2e_followups", name_en="Follow-ups done on time", name_zh="跟进任务按时完成率",
                     target=Decimal("90"), formula="tasks done by their due time ÷ tasks due × 100")
    only_test_kpis("sales_rep", [(kpi, 100)])
    dept, boss, (rep,) = team(n=1, dept_code="sales-e2e")
    tz = timezone.get_default_timezone()
    ROWS[rep.username] = [
        row(datetime.datetime(2026, 10, d, 10, tzinfo=tz), ok, n=d, label="Call 张三五金")
        for d, ok in ((3, True), (8, True), (15, False), (22, True))]
    services.compute_period(month(), actor=boss)
    yield Scorecard.objects.get(employee=rep), boss, rep
    fake_selectors.ROWS.clear()


def test_review_a_scorecard(new_page, scorecard):
    sc, boss, rep = scorecard
    page = new_page()
    page.on("dialog", lambda d: d.accept())
    login(page, boss.username, PASSWORD)
    page.goto(page.base + "/performance/scorecards/")
    page.click(f"text={rep.get_full_name()}")
    assert page.inner_text("[data-testid=final-score]") == "70"  # 3 of 4 = 75 % of a 90 % target → 70
    shot(page, "performance-scorecard-manager")

    page.click("[data-testid=kpi-link-e2e_followups]")
    rows = page.locator("[data-testid=evidence] tbody tr")
    assert rows.count() == 4
    assert "does not count" in rows.nth(2).inner_text() and "Call 张三五金 15" in rows.nth(2).inner_text()
    page.click("[data-testid=only-not-ok]")
    assert page.locator("[data-testid=evidence] tbody tr").count() == 1
    shot(page, "performance-evidence")
    page.click("text=Back to the scorecard")

    page.fill("#id_points", "5")
    page.click("text=Save the adjustment")
    assert "An adjustment needs a reason." in page.content()
    page.fill("#id_points", "5")
    page.fill("#id_reason", "Took over two key accounts mid-month")
    page.click("text=Save the adjustment")
    page.wait_for_selector("[data-testid=adjustments]")
    assert page.inner_text("[data-testid=final-score]") == "75"
    page.click("button[value=shared]")
    assert page.inner_text("[data-testid=sc-status]") == "Waiting for the employee"

    emp = new_page()
    login(emp, rep.username, PASSWORD)
    emp.goto(emp.base + "/performance/me/")
    emp.click("[data-testid=my-latest]")
    emp.fill("#id_note", "Thanks, agreed.")
    emp.click("button[value=acknowledged]")
    assert emp.inner_text("[data-testid=sc-status]") == "Acknowledged"
    shot(emp, "performance-scorecard-employee")

    page.reload()
    page.click("button[value=closed]")
    assert page.inner_text("[data-testid=sc-status]") == "Closed"
    assert page.locator("[data-testid=closed-note]").is_visible()
    assert page.locator("[data-testid=adjust-form]").count() == 0
    shot(page, "performance-scorecard-closed")
    sc.refresh_from_db()
    assert (sc.status, sc.final_score, sc.employee_comment) == ("closed", Decimal("75.00"), "Thanks, agreed.")
    history = page.inner_text("[data-testid=history]")
    for step in ("Waiting for the employee", "Acknowledged", "Closed", "Adjustment"):
        assert step in history
