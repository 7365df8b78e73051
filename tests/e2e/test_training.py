"""A new employee gets the onboarding plan, reads a lesson, passes the quiz; the mentor sees the progress."""

import pytest
from django.contrib.auth import get_user_model

from hardware_erp.core.services import create_employee
from training.models import Course, QuizAttempt

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_out(page):
    page.click("[data-testid=user-menu]")
    page.click("text=Sign out")
    page.wait_for_url("**/accounts/login/")


def test_new_employee_onboarding_journey(page, demo_company):
    mentor = get_user_model().objects.get(username="salesmgr")
    user = create_employee(username="xiaoli", password="new-employee-2026", roles=["sales_rep"],
                           first_name="小丽", last_name="", manager=mentor, email="xiaoli@example.com")
    course = Course.objects.get(code="onboarding-crm")

    login(page, "xiaoli", "new-employee-2026")
    # a new employee first accepts the company's confidentiality agreement (the demo publishes one)
    assert "/accounts/agreement/" in page.url
    page.check("input[name=accept]")
    page.click("[data-testid=accept-agreement]")
    page.wait_for_url(page.base + "/")
    assert page.locator("[data-testid=dashboard-cards]").inner_text().count("0/3") == 1
    page.click("[data-module=training] >> text=Training")
    page.click("text=My learning")
    plan = page.locator("[data-testid=onboarding-plan]")
    assert "Sales rep onboarding" in plan.inner_text()
    assert "李丽" in page.locator("[data-testid=my-mentor]").inner_text()
    shot(page, "training-my-learning")

    plan.locator(f"[data-course={course.code}] >> text=Start").click()
    page.click("text=Start the course")
    assert "customer record" in page.locator("[data-testid=lesson-body]").inner_text()
    shot(page, "training-lesson")
    page.click("[data-testid=complete-lesson]")
    assert "Lesson done" in page.content()

    quiz_lesson = course.lessons.get(kind="quiz")
    page.goto(page.base + f"/training/lessons/{quiz_lesson.pk}/")
    page.click("[data-testid=start-quiz]")
    page.wait_for_selector("[data-testid=quiz-form]")
    shot(page, "training-quiz")
    for question in quiz_lesson.quiz.questions.prefetch_related("choices"):
        for choice in question.choices.all():
            if choice.is_correct:
                page.check(f"input[name=q{question.pk}][value='{choice.pk}']")
    page.click("[data-testid=submit-quiz]")
    result = page.locator("[data-testid=attempt-result]")
    assert "Passed" in result.inner_text() and "100.0%" in result.inner_text()
    assert page.locator("[data-testid=feedback]").count() == quiz_lesson.quiz.questions.count()
    shot(page, "training-quiz-result")
    assert QuizAttempt.objects.get(user=user).passed
    _sign_out(page)

    login(page, "salesmgr")
    page.goto(page.base + "/training/my/")
    mentees = page.locator("[data-testid=my-mentees]")
    assert "小丽" in mentees.inner_text()
    mentees.locator("text=小丽").click()
    progress = page.locator("[data-testid=mentee-progress]")
    assert "CRM basics" in progress.inner_text() and "50%" in progress.inner_text()
    assert "100.0%" in page.content()
    page.fill("textarea[name=body]", "Well done! Ask me about the practice task any time.")
    page.click("#thread button")
    assert "Well done!" in page.locator("[data-testid=thread]").inner_text()
    shot(page, "training-mentee")

    page.goto(page.base + "/training/progress/")
    assert "xiaoli" in page.locator("[data-testid=person-progress]").inner_text()
    shot(page, "training-progress")


def test_certificate_and_public_verification(new_page, demo_company):
    from training.models import Certificate

    cert = Certificate.objects.filter(enrollment__user__username="rep1").first()
    page = new_page()
    page.goto(page.base + f"/training/verify/{cert.code}/")
    assert "Valid certificate" in page.locator("[data-testid=verify-result]").inner_text()
    shot(page, "training-verify")


def test_chinese_learner_pages(new_page, demo_company):
    page = new_page(locale="zh-CN")
    login(page, "rep2")
    page.goto(page.base + "/training/my/")
    assert "我的学习" in page.content()
    shot(page, "training-my-learning-zh")
    page.goto(page.base + "/training/library/")
    shot(page, "training-library-zh")
    page.goto(page.base + "/training/sessions/")
    shot(page, "training-sessions-zh")


def test_trainer_pages(page, demo_company):
    from training.models import Question

    course = Course.objects.get(code="onboarding-inventory")
    login(page, "trainer")
    page.goto(page.base + f"/training/courses/{course.pk}/")
    shot(page, "training-course-trainer")
    quiz = course.lessons.get(kind="quiz").quiz
    page.goto(page.base + f"/training/quizzes/{quiz.pk}/questions/new/")
    page.select_option("select[name=kind]", "single")
    page.fill("textarea[name=text_zh]", "调拨会改变总库存吗？")
    page.fill("textarea[name=text_en]", "Does a transfer change the total stock?")
    page.fill("textarea[name=options]", "会 | Yes\n*不会 | No")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/training/quizzes/{quiz.pk}/edit/")
    assert Question.objects.filter(quiz=quiz, text_en__startswith="Does a transfer").exists()
    shot(page, "training-quiz-edit")
    for path, name in [("/training/progress/", "training-progress-trainer"),
                       ("/training/sessions/", "training-sessions"),
                       ("/training/library/", "training-library"), ("/training/plans/", "training-plans"),
                       ("/training/gates/", "training-gates"), ("/training/external/", "training-external")]:
        page.goto(page.base + path)
        assert page.locator("main").count() == 1
        shot(page, name)
    page.goto(page.base + "/training/sessions/")
    page.locator("#list-table tbody a").first.click()
    page.wait_for_selector("[data-testid=seats]")
    shot(page, "training-session")
