"""The pages changed for the business-day issue in training and performance, in English and Chinese: a trainer
edits a quiz question through the browser, picks a training gate by name; the general manager confirms their own
scorecard and sees payroll withheld until the period is closed."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from hardware_erp.core.services import create_employee
from tests.e2e.conftest import login, shot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
PASSWORD = "people-pages-2026"  # noqa: S105


@pytest.fixture
def world(transactional_db):
    from performance import services as perf
    from tests.factories.performance import KPIFactory, only_test_kpis
    from tests.factories.training import CourseFactory, make_quiz
    from tests.performance.fake_selectors import ROWS, row

    trainer = create_employee(username="trainer-p", password=PASSWORD, roles=["trainer"])
    gm = create_employee(username="gm-p", password=PASSWORD, roles=["general_manager"])
    create_employee(username="mgr-p", password=PASSWORD, roles=["sales_manager"], manager=gm)
    quiz = make_quiz(CourseFactory(title_en="Stock basics", title_zh="库存基础"), questions=2)
    kpi = KPIFactory(code="t_e2e", target=Decimal("90"))
    only_test_kpis("general_manager", [(kpi, 100)])
    only_test_kpis("sales_manager", [(kpi, 100)])
    tz = timezone.get_default_timezone()
    ROWS["gm-p"] = [row(datetime.datetime(2026, 10, 3, tzinfo=tz), True, n=1)]
    period = perf.ensure_period("month", datetime.date(2026, 10, 15))
    perf.compute_period(period, actor=gm)
    yield {"trainer": trainer, "gm": gm, "quiz": quiz, "period": period}
    ROWS.clear()


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_trainer_edits_a_question_and_picks_a_gate(new_page, world, locale):
    from training.models import Choice

    page = new_page(locale=locale)
    login(page, "trainer-p", PASSWORD)
    quiz = world["quiz"]
    q = quiz.questions.filter(kind="single").first()
    kept = q.choices.get(text_zh="错").pk
    page.goto(page.base + f"/training/quizzes/{quiz.pk}/edit/")
    shot(page, f"people-quiz-edit-{locale}")
    page.goto(page.base + f"/training/questions/{q.pk}/edit/")
    page.fill("textarea[name=options]", "*对的 | Right\n错 | Wrong")
    shot(page, f"people-question-edit-{locale}")
    page.click("[data-testid=service-form] [data-testid=save]")
    page.wait_for_url(f"**/training/quizzes/{quiz.pk}/edit/")
    assert Choice.objects.get(pk=kept).text_zh == "错"
    assert q.choices.filter(retired=False).count() == 2
    manager = new_page(locale=locale)  # the sales manager adds training gates
    login(manager, "mgr-p", PASSWORD)
    manager.goto(manager.base + "/training/gates/new/")
    assert manager.locator("select[name=permission] option[value='inventory.approve_stocktake']").count() == 1
    shot(manager, f"people-gate-new-{locale}")


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_general_manager_confirms_own_scorecard_and_sees_payroll_withheld(new_page, world, locale):
    from performance.models import Scorecard

    page = new_page(locale=locale)
    login(page, "gm-p", PASSWORD)
    period = world["period"]
    page.goto(page.base + f"/performance/periods/{period.pk}/")
    assert page.locator("[data-testid=payroll-withheld]").count() == 1
    shot(page, f"people-period-{locale}")
    sc = Scorecard.objects.get(period=period, employee=world["gm"])
    page.goto(page.base + sc.get_absolute_url())
    assert page.locator("[data-testid=no-reviewer]").count() == 1
    shot(page, f"people-scorecard-top-{locale}")
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click("button[name=to][value=closed]")
    sc.refresh_from_db()
    assert sc.status == "closed"
