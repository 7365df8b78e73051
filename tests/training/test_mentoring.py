"""A learner with two onboarding plans sees quiz results; practice tasks outside the plans reach the mentor."""

import pytest
from django.urls import reverse

from hardware_erp.core.models import Notification
from hardware_erp.core.services import create_employee
from tests.factories.training import CourseFactory, LessonFactory, answers_for, make_plan, make_quiz
from training import services
from training.models import Enrollment, LessonProgress, PlanAssignment

pytestmark = pytest.mark.django_db


def test_quiz_result_opens_for_the_mentor_and_learner_with_two_onboarding_plans(client, make_user):
    mentor = make_user("sales_manager")
    course = CourseFactory()
    quiz = make_quiz(course, questions=2, pass_mark=50)
    make_plan("sales_rep", [course])
    make_plan("warehouse_clerk", [CourseFactory()])
    learner = create_employee(username="twoplans", password=None, roles=["sales_rep", "warehouse_clerk"],
                              manager=mentor)
    assert PlanAssignment.objects.filter(user=learner, mentor=mentor).count() == 2
    attempt = services.start_attempt(actor=learner, quiz=quiz)
    services.submit_attempt(attempt_id=attempt.pk, actor=learner, answers=answers_for(quiz))
    for who in (learner, mentor):
        client.force_login(who, backend="django.contrib.auth.backends.ModelBackend")
        assert client.get(reverse("training:attempt", args=[attempt.pk])).status_code == 200


def test_practice_task_in_a_course_outside_the_plan_reaches_the_mentor(client, make_user):
    mentor = make_user("sales_manager")
    make_plan("sales_rep", [CourseFactory()])
    learner = create_employee(username="offplan", password=None, roles=["sales_rep"], manager=mentor)
    assignment = PlanAssignment.objects.get(user=learner)
    extra = CourseFactory()  # taken on the learner's own initiative
    reading = LessonFactory(course=extra, order=1)
    practice = LessonFactory(course=extra, kind="practice", order=2, requires_signoff=True,
                             practice_url_name="core:home")
    services.enroll(learner, extra, actor=learner)
    services.complete_lesson(actor=learner, lesson=reading)
    progress = services.complete_lesson(actor=learner, lesson=practice, note="done")
    assert Enrollment.objects.get(user=learner, course=extra).assignment is None
    assert Notification.objects.filter(recipient=mentor, key=f"training:practice:{progress.pk}:submitted",
                                       link=reverse("training:mentee", args=[assignment.pk])).exists()
    client.force_login(mentor, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("training:mentee", args=[assignment.pk]))
    assert progress in list(page.context["to_sign"])
    response = client.post(reverse("training:signoff", args=[assignment.pk, progress.pk]))
    assert response.status_code == 302
    progress = LessonProgress.objects.get(pk=progress.pk)
    assert progress.completed_at and progress.signed_off_by == mentor
    assert Enrollment.objects.get(user=learner, course=extra).progress == 100
