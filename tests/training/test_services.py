from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.models import Notification
from hardware_erp.core.services import create_employee
from tests.factories.training import CourseFactory, LessonFactory, answers_for, make_plan, make_quiz
from training import services
from training.models import (
    AttemptAnswer,
    Certificate,
    Enrollment,
    LessonProgress,
    PlanAssignment,
    QuizAttempt,
    SessionSeat,
    TrainingSession,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def crm_course():
    course = CourseFactory(code="crm-basics")
    LessonFactory(course=course, order=1)
    LessonFactory(course=course, order=2)
    return course


def test_plan_assigned_automatically_when_user_is_created_with_a_role(crm_course, make_user):
    manager = make_user("sales_manager", username="boss")
    make_plan("sales_rep", [crm_course], due_days=5)
    user = create_employee(username="newrep", password=None, roles=["sales_rep"], manager=manager,
                           hire_date=date(2026, 11, 2))
    assignment = PlanAssignment.objects.get(user=user)
    assert assignment.mentor == manager
    assert assignment.start_date == date(2026, 11, 2)
    enrollment = Enrollment.objects.get(user=user, course=crm_course)
    assert enrollment.required and enrollment.assignment == assignment
    assert enrollment.due_date == date(2026, 11, 7)
    assert Notification.objects.filter(recipient=user, key=f"training:assignment:{assignment.pk}:welcome").exists()
    assert Notification.objects.filter(recipient=manager, link=f"/training/onboarding/{assignment.pk}/").exists()


def test_plan_assigned_when_a_role_is_added_later_and_only_once(crm_course, make_user):
    make_plan("warehouse_clerk", [crm_course])
    user = make_user(None, username="later")
    assert not PlanAssignment.objects.filter(user=user).exists()
    group = Group.objects.get(name="Warehouse Clerk")
    user.groups.add(group)
    user.groups.remove(group)
    group.user_set.add(user)  # the reverse side of the relation fires too
    assert PlanAssignment.objects.filter(user=user).count() == 1
    assert Enrollment.objects.filter(user=user).count() == 1


def test_mentor_falls_back_to_a_colleague_with_the_same_role(crm_course, make_user):
    veteran = make_user("sales_rep", username="veteran")
    make_plan("sales_rep", [crm_course])
    newbie = make_user("sales_rep", username="newbie")
    assert PlanAssignment.objects.get(user=newbie).mentor == veteran


def test_lessons_complete_the_course_and_issue_a_certificate(crm_course, make_user):
    user = make_user("sales_rep")
    for lesson in crm_course.lessons.all():
        services.complete_lesson(actor=user, lesson=lesson)
    services.complete_lesson(actor=user, lesson=crm_course.lessons.first())  # twice: counted once
    enrollment = Enrollment.objects.get(user=user, course=crm_course)
    assert enrollment.progress == 100 and enrollment.completed_at and enrollment.completed_version == 1
    assert LessonProgress.objects.filter(enrollment=enrollment).count() == 2
    cert = Certificate.objects.get(enrollment=enrollment)
    assert len(cert.code) == 14 and cert.course_title_zh == crm_course.title_zh


def test_practice_needs_the_mentors_sign_off(crm_course, make_user):
    mentor = make_user("sales_manager")
    practice = LessonFactory(course=crm_course, kind="practice", order=3, requires_signoff=True,
                             practice_url_name="core:home")
    make_plan("sales_rep", [crm_course])
    user = create_employee(username="p1", password=None, roles=["sales_rep"], manager=mentor)
    progress = services.complete_lesson(actor=user, lesson=practice, note="done it")
    assert progress.submitted_at and progress.completed_at is None
    other = make_user("sales_rep")
    with pytest.raises(BusinessRuleError):
        services.sign_off_practice(progress, actor=other)
    services.sign_off_practice(progress, actor=mentor)
    progress.refresh_from_db()
    assert progress.completed_at and progress.signed_off_by == mentor


def test_quiz_grading_pass_and_history(crm_course, make_user):
    user = make_user("sales_rep")
    quiz = make_quiz(crm_course, questions=4, pass_mark=75, max_attempts=3)
    first = services.start_attempt(actor=user, quiz=quiz)
    assert services.start_attempt(actor=user, quiz=quiz) == first  # the open attempt is reused
    graded = services.submit_attempt(attempt_id=first.pk, actor=user, answers=answers_for(quiz, wrong=2))
    assert graded.score == 50 and not graded.passed
    assert AttemptAnswer.objects.filter(attempt=first, correct=True).count() == 2
    second = services.start_attempt(actor=user, quiz=quiz)
    assert second.number == 2
    graded = services.submit_attempt(attempt_id=second.pk, actor=user, answers=answers_for(quiz, wrong=1))
    assert graded.score == 75 and graded.passed
    assert LessonProgress.objects.filter(lesson=quiz.lesson, enrollment__user=user,
                                         completed_at__isnull=False).exists()
    with pytest.raises(BusinessRuleError, match="passed"):
        services.start_attempt(actor=user, quiz=quiz)


def test_multiple_choice_needs_exactly_the_correct_options(crm_course, make_user):
    user = make_user("sales_rep")
    quiz = make_quiz(crm_course, questions=1, pass_mark=100)
    q = quiz.questions.get()
    right, wrong_too, other = [c.pk for c in q.choices.order_by("order")]
    attempt = services.start_attempt(actor=user, quiz=quiz)
    graded = services.submit_attempt(attempt_id=attempt.pk, actor=user, answers={q.pk: [right]})
    assert graded.score == 0  # one of the two correct options is not enough


def test_submitting_twice_is_refused_and_counted_once(crm_course, make_user):
    user = make_user("sales_rep")
    quiz = make_quiz(crm_course)
    attempt = services.start_attempt(actor=user, quiz=quiz)
    services.submit_attempt(attempt_id=attempt.pk, actor=user, answers=answers_for(quiz))
    with pytest.raises(BusinessRuleError, match="submitted already"):
        services.submit_attempt(attempt_id=attempt.pk, actor=user, answers=answers_for(quiz))
    assert QuizAttempt.objects.filter(user=user).count() == 1
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == quiz.questions.count()


def test_attempts_limit(crm_course, make_user):
    user = make_user("sales_rep")
    quiz = make_quiz(crm_course, max_attempts=2)
    for _ in range(2):
        a = services.start_attempt(actor=user, quiz=quiz)
        services.submit_attempt(attempt_id=a.pk, actor=user, answers=answers_for(quiz, wrong=4))
    with pytest.raises(BusinessRuleError, match="all 2 attempts"):
        services.start_attempt(actor=user, quiz=quiz)
    assert QuizAttempt.objects.filter(user=user, quiz=quiz).count() == 2


def test_late_submission_is_refused_and_counts_as_failed(crm_course, make_user):
    user = make_user("sales_rep")
    quiz = make_quiz(crm_course, max_attempts=2, time_limit=10)
    attempt = services.start_attempt(actor=user, quiz=quiz)
    QuizAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    with pytest.raises(BusinessRuleError, match="time"):
        services.submit_attempt(attempt_id=attempt.pk, actor=user, answers=answers_for(quiz))
    attempt.refresh_from_db()
    assert attempt.expired and attempt.score == 0 and not attempt.passed
    assert not AttemptAnswer.objects.filter(attempt=attempt).exists()


def test_someone_elses_attempt_cannot_be_submitted(crm_course, make_user):
    quiz = make_quiz(crm_course)
    attempt = services.start_attempt(actor=make_user("sales_rep"), quiz=quiz)
    with pytest.raises(BusinessRuleError):
        services.submit_attempt(attempt_id=attempt.pk, actor=make_user("sales_rep"), answers=answers_for(quiz))


def test_shuffle_is_deterministic_per_attempt(crm_course, make_user):
    quiz = make_quiz(crm_course, questions=6)
    attempt = services.start_attempt(actor=make_user("sales_rep"), quiz=quiz)
    first = [(q.pk, [o.pk for o in opts]) for q, opts in services.attempt_questions(attempt)]
    again = [(q.pk, [o.pk for o in opts]) for q, opts in services.attempt_questions(attempt)]
    assert first == again
    assert sorted(q for q, _ in first) == sorted(quiz.questions.values_list("pk", flat=True))


def test_reminders_are_sent_once_before_and_once_after_the_due_date(crm_course, make_user):
    mentor = make_user("sales_manager")
    make_plan("sales_rep", [crm_course], due_days=2)
    today = timezone.localdate()
    user = create_employee(username="remind", password=None, roles=["sales_rep"], manager=mentor, hire_date=today)
    enrollment = Enrollment.objects.get(user=user)
    assert services.send_due_reminders(today) == {"due_soon": 1, "overdue": 0}
    assert services.send_due_reminders(today) == {"due_soon": 0, "overdue": 0}
    later = today + timedelta(days=3)
    assert services.send_due_reminders(later) == {"due_soon": 0, "overdue": 1}
    assert services.send_due_reminders(later) == {"due_soon": 0, "overdue": 0}
    keys = set(Notification.objects.filter(key__startswith=f"training:enrollment:{enrollment.pk}")
               .values_list("recipient__username", "key"))
    assert keys == {("remind", f"training:enrollment:{enrollment.pk}:due-soon"),
                    ("remind", f"training:enrollment:{enrollment.pk}:overdue"),
                    (mentor.username, f"training:enrollment:{enrollment.pk}:overdue:mentor")}


def test_reminder_task_runs_the_service(crm_course, make_user):
    from training.tasks import send_training_reminders_task

    assert send_training_reminders_task.delay().get() == {"due_soon": 0, "overdue": 0}


def test_new_version_adds_whats_new_lesson_and_tells_completers(crm_course, make_user):
    trainer = make_user("trainer")
    user = make_user("sales_rep")
    for lesson in crm_course.lessons.all():
        services.complete_lesson(actor=user, lesson=lesson)
    lesson = services.publish_new_version(crm_course, notes_zh="新增批量导入", notes_en="Bulk import added",
                                          actor=trainer)
    crm_course.refresh_from_db()
    assert crm_course.version == 2 and lesson.whats_new and lesson.added_in_version == 2
    assert Notification.objects.filter(recipient=user, key=f"training:course:{crm_course.pk}:v2").exists()
    with pytest.raises(BusinessRuleError):
        services.publish_new_version(crm_course, notes_zh="x", actor=user)


def _session(trainer, capacity=1, **kw):
    start = timezone.now() + timedelta(days=2)
    return TrainingSession.objects.create(title_zh="盘点", title_en="Stocktake", trainer=trainer, starts_at=start,
                                          ends_at=start + timedelta(hours=2), place="Room 1", capacity=capacity, **kw)


def test_session_waiting_list_and_promotion(make_user):
    trainer = make_user("trainer")
    a, b, c = (make_user("sales_rep") for _ in range(3))
    session = _session(trainer, capacity=1)
    assert services.book_seat(session, actor=a).status == "enrolled"
    assert services.book_seat(session, actor=b).status == "waiting"
    assert services.book_seat(session, actor=c).status == "waiting"
    with pytest.raises(BusinessRuleError):
        services.book_seat(session, actor=a)
    promoted = services.cancel_seat(session, actor=a)
    assert promoted.user == b
    assert list(SessionSeat.objects.filter(session=session, status="enrolled").values_list("user", flat=True)) == \
        [b.pk]
    assert Notification.objects.filter(recipient=b, level="success").exists()


def test_attendance_and_feedback_once(make_user):
    trainer = make_user("trainer")
    a, b = make_user("sales_rep"), make_user("sales_rep")
    session = _session(trainer, capacity=5)
    services.book_seat(session, actor=a)
    services.book_seat(session, actor=b)
    with pytest.raises(BusinessRuleError):
        services.take_attendance(session, [a.pk], actor=trainer)  # not started yet
    TrainingSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    session.refresh_from_db()
    assert services.take_attendance(session, [a.pk], actor=trainer) == 1
    services.submit_feedback(session, actor=a, rating=5, comment="good")
    with pytest.raises(BusinessRuleError):
        services.submit_feedback(session, actor=a, rating=4)
    with pytest.raises(BusinessRuleError):
        services.submit_feedback(session, actor=b, rating=4)
