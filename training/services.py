"""Training services: every write that matters (enrolment, lessons, quizzes, onboarding, sessions, library)."""

import logging
import random
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.roles import ROLES
from hardware_erp.core.services import lazy_format, notify

from .choices import CourseStatus, EnrollmentSource, LessonKind, LibraryStatus, SeatStatus, SessionStatus
from .models import (
    AttemptAnswer,
    Certificate,
    Choice,
    Course,
    Enrollment,
    ExternalTraining,
    Lesson,
    LessonProgress,
    LibraryItem,
    LibraryVote,
    MentorMessage,
    OnboardingPlan,
    PlanAssignment,
    PlanCourse,
    Question,
    Quiz,
    QuizAttempt,
    SessionFeedback,
    SessionSeat,
    TrainingGate,
    TrainingSession,
)

log = logging.getLogger(__name__)
User = get_user_model()
REMIND_DAYS_BEFORE = 2


# --- Enrolment and lessons ---------------------------------------------------------------------------------

def enroll(user, course, *, actor=None, due_date=None, required=False, source=EnrollmentSource.SELF,
           assignment=None) -> Enrollment:
    """Enrol a user in a course (idempotent: an existing enrolment is returned, its due date kept or tightened)."""
    if course.status != CourseStatus.PUBLISHED:
        raise BusinessRuleError(_("This course is not published yet."))
    with transaction.atomic():
        enrollment, created = Enrollment.objects.get_or_create(
            user=user, course=course,
            defaults={"due_date": due_date, "required": required, "source": source, "assignment": assignment})
        if not created:
            changed = []
            if required and not enrollment.required:
                enrollment.required = True
                changed.append("required")
            if due_date and (enrollment.due_date is None or due_date < enrollment.due_date) \
                    and not enrollment.completed_at:
                enrollment.due_date = due_date
                changed.append("due_date")
            if assignment and enrollment.assignment_id is None:
                enrollment.assignment = assignment
                changed.append("assignment")
            if changed:
                enrollment.save(update_fields=[*changed, "updated_at"])
    return enrollment


@transaction.atomic
def complete_lesson(*, actor, lesson: Lesson, note: str = "") -> LessonProgress:
    """Mark a reading/document/video lesson done, or hand in a practice task (signed off by the mentor)."""
    if lesson.kind == LessonKind.QUIZ:
        raise BusinessRuleError(_("A quiz is completed by passing it."))
    enrollment = _locked_enrollment(actor, lesson.course)
    now = timezone.now()
    progress, _created = LessonProgress.objects.get_or_create(enrollment=enrollment, lesson=lesson)
    if progress.completed_at:
        return progress
    progress.submitted_at = progress.submitted_at or now
    progress.note = note or progress.note
    if lesson.kind == LessonKind.PRACTICE and lesson.requires_signoff:
        progress.save(update_fields=["submitted_at", "note"])
        assignment = practice_assignment(enrollment)
        if assignment:
            notify(assignment.mentor,
                   lazy_format(_("%(user)s finished the practice task “%(lesson)s”: please sign it off."),
                               user=_name(actor), lesson=lesson.title),
                   reverse("training:mentee", args=[assignment.pk]),
                   key=f"training:practice:{progress.pk}:submitted")
    else:
        progress.completed_at = now
        progress.save(update_fields=["submitted_at", "note", "completed_at"])
    _touch(enrollment)
    return progress


def practice_assignment(enrollment: Enrollment) -> PlanAssignment | None:
    """The onboarding whose mentor signs off this enrolment's practice tasks: its own plan's, else (a course taken
    outside the plans) the learner's current plan with a mentor."""
    if enrollment.assignment_id and enrollment.assignment.mentor_id:
        return enrollment.assignment
    if enrollment.assignment_id:
        return None
    return (PlanAssignment.objects.filter(user_id=enrollment.user_id, mentor__isnull=False)
            .select_related("mentor").order_by(F("completed_at").asc(nulls_first=True), "-start_date", "-pk")
            .first())


@transaction.atomic
def sign_off_practice(progress: LessonProgress, *, actor) -> LessonProgress:
    progress = LessonProgress.objects.select_for_update().get(pk=progress.pk)  # no outer joins under FOR UPDATE
    assignment = progress.enrollment.assignment
    if assignment is None:  # a course outside the plans: any of the learner's mentors signs it off
        is_mentor = PlanAssignment.objects.filter(user_id=progress.enrollment.user_id, mentor=actor).exists()
    else:
        is_mentor = assignment.mentor_id == actor.pk
    if not (is_mentor or actor.has_perm("training.change_course")):
        raise BusinessRuleError(_("Only the mentor or a trainer can sign off this task."))
    if progress.completed_at:
        return progress
    if not progress.submitted_at:
        raise BusinessRuleError(_("The learner has not handed in this task yet."))
    progress.completed_at = timezone.now()
    progress.signed_off_by = actor
    progress.save(update_fields=["completed_at", "signed_off_by"])
    notify(progress.enrollment.user, lazy_format(_("%(mentor)s signed off your practice task “%(lesson)s”."),
                                                 mentor=_name(actor), lesson=progress.lesson.title),
           reverse("training:lesson", args=[progress.lesson_id]), level="success")
    _touch(Enrollment.objects.select_for_update().get(pk=progress.enrollment_id))
    return progress


def _touch(enrollment: Enrollment):
    """Recompute the progress of an enrolment (locked by the caller) and complete it when every lesson is done."""
    total = enrollment.course.lessons.count()
    done = enrollment.lesson_progress.filter(completed_at__isnull=False,
                                             lesson__course=enrollment.course).count()
    enrollment.progress = int(done * 100 / total) if total else 0
    fields = ["progress", "updated_at"]
    if enrollment.started_at is None:
        enrollment.started_at = timezone.now()
        fields.append("started_at")
    if total and done >= total and not enrollment.completed_at:
        enrollment.completed_at = timezone.now()
        enrollment.completed_version = enrollment.course.version
        fields += ["completed_at", "completed_version"]
        enrollment.save(update_fields=fields)
        _on_course_completed(enrollment)
        return
    enrollment.save(update_fields=fields)


def _on_course_completed(enrollment: Enrollment):
    best = (QuizAttempt.objects.filter(user=enrollment.user, quiz__lesson__course=enrollment.course, passed=True)
            .aggregate(m=Max("score"))["m"])
    course = enrollment.course
    Certificate.objects.get_or_create(enrollment=enrollment, defaults={
        "holder_name": _name(enrollment.user), "course_title_zh": course.title_zh,
        "course_title_en": course.title_en, "course_version": course.version, "score": best})
    notify(enrollment.user, lazy_format(_("You completed “%(course)s”. Your certificate is ready."), course=course),
           reverse("training:course", args=[course.pk]), level="success",
           key=f"training:enrollment:{enrollment.pk}:completed")
    assignment = enrollment.assignment
    if assignment and assignment.mentor_id:
        notify(assignment.mentor, lazy_format(_("%(user)s completed “%(course)s”."), user=_name(enrollment.user),
                                              course=course),
               reverse("training:mentee", args=[assignment.pk]),
               key=f"training:enrollment:{enrollment.pk}:completed:mentor")
    if assignment and not assignment.completed_at and not assignment.enrollments.filter(
            required=True, completed_at__isnull=True).exists():
        PlanAssignment.objects.filter(pk=assignment.pk).update(completed_at=timezone.now())


def _name(user) -> str:
    return user.get_full_name() or user.username


# --- Quizzes ---------------------------------------------------------------------------------------------

def _locked_enrollment(user, course) -> Enrollment:
    if not Enrollment.objects.filter(user=user, course=course).exists():
        enroll(user, course)
    return Enrollment.objects.select_for_update().get(user=user, course=course)


@transaction.atomic
def start_attempt(*, actor, quiz) -> QuizAttempt:
    """The open attempt of this user, or a new one within the attempts limit (the enrolment row is the lock)."""
    _locked_enrollment(actor, quiz.lesson.course)
    now = timezone.now()
    attempts = list(QuizAttempt.objects.filter(quiz=quiz, user=actor).order_by("number"))
    for a in attempts:
        if a.submitted_at is None:
            if a.deadline and a.deadline < now:
                _expire(a)
                continue
            return a
    if any(a.passed for a in attempts):
        raise BusinessRuleError(_("You have passed this quiz already."))
    if len(attempts) >= quiz.max_attempts:
        raise BusinessRuleError(ngettext("You have used the %(n)d attempt of this quiz. Ask your trainer for help.",
                                         "You have used all %(n)d attempts of this quiz. Ask your trainer for help.",
                                         quiz.max_attempts) % {"n": quiz.max_attempts})
    deadline = now + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
    seed = random.SystemRandom().randrange(1, 2**31)
    return QuizAttempt.objects.create(quiz=quiz, user=actor, number=len(attempts) + 1, seed=seed,
                                      shown=_layout(quiz, seed), deadline=deadline)


def _expire(attempt: QuizAttempt):
    attempt.submitted_at = attempt.deadline
    attempt.expired = True
    attempt.score = Decimal("0.0")
    attempt.passed = False
    attempt.save(update_fields=["submitted_at", "expired", "score", "passed"])


def _layout(quiz, seed: int) -> list[list]:
    """A new attempt's questions and offered (not retired) options in its seeded order: [[question id, [ids]]]."""
    questions = list(quiz.questions.prefetch_related(
        Prefetch("choices", queryset=Choice.objects.filter(retired=False).order_by("order", "pk"))))
    rng = random.Random(seed)
    if quiz.shuffle:
        rng.shuffle(questions)
    out = []
    for q in questions:
        options = [c.pk for c in q.choices.all()]
        if quiz.shuffle and q.kind != "truefalse":
            rng.shuffle(options)
        out.append([q.pk, options])
    return out


def attempt_questions(attempt: QuizAttempt):
    """The questions of an attempt with the options it showed, in its order, whatever was edited since."""
    shown = attempt.shown or _layout(attempt.quiz, attempt.seed)
    questions = Question.objects.in_bulk([qid for qid, _ids in shown])
    choices = Choice.objects.in_bulk([cid for _qid, ids in shown for cid in ids])
    return [(questions[qid], [choices[cid] for cid in ids if cid in choices])
            for qid, ids in shown if qid in questions]


def grade(questions_with_options, answers: dict) -> tuple[list[dict], Decimal]:
    """Grade answers {question_id: [choice ids]}: a question counts when exactly the correct options are chosen."""
    results = []
    for q, options in questions_with_options:
        chosen = {int(c) for c in answers.get(q.pk, [])}
        valid = {o.pk for o in options}
        chosen &= valid
        correct = {o.pk for o in options if o.is_correct}
        results.append({"question": q, "selected": sorted(chosen), "correct": chosen == correct and bool(chosen)})
    total = len(results)
    score = (Decimal(sum(r["correct"] for r in results)) * 100 / total) if total else Decimal(0)
    return results, score.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def submit_attempt(*, attempt_id: int, actor, answers: dict) -> QuizAttempt:
    """Grade and close an attempt once. Twice, late or someone else's: refused, nothing counted again.
    A late attempt is closed as failed (that is kept) and then refused."""
    with transaction.atomic():
        attempt, late = _submit_attempt(attempt_id, actor, answers)
    if late:
        raise BusinessRuleError(_("The time for this attempt ran out at %(time)s; it counts as failed.")
                                % {"time": timezone.localtime(attempt.deadline).strftime("%H:%M")})
    return attempt


def _submit_attempt(attempt_id, user, answers):
    attempt = QuizAttempt.objects.select_for_update().select_related("quiz__lesson__course").filter(
        pk=attempt_id, user=user).first()
    if attempt is None:
        raise BusinessRuleError(_("This quiz attempt does not exist."))
    if attempt.submitted_at is not None:
        raise BusinessRuleError(_("This attempt was submitted already; it is counted once."))
    now = timezone.now()
    if attempt.deadline and now > attempt.deadline + timedelta(seconds=30):
        _expire(attempt)
        return attempt, True
    questions = attempt_questions(attempt)
    unanswered = [q for q, _o in questions if not answers.get(q.pk)]
    if unanswered:
        raise BusinessRuleError(ngettext("Please answer every question (%(n)d unanswered).",
                                         "Please answer every question (%(n)d unanswered).",
                                         len(unanswered)) % {"n": len(unanswered)})
    results, score = grade(questions, answers)
    AttemptAnswer.objects.bulk_create([AttemptAnswer(attempt=attempt, question=r["question"],
                                                     selected=r["selected"], correct=r["correct"])
                                       for r in results])
    attempt.submitted_at = now
    attempt.score = score
    attempt.passed = score >= attempt.quiz.pass_mark
    attempt.save(update_fields=["submitted_at", "score", "passed"])
    if attempt.passed:
        enrollment = _locked_enrollment(user, attempt.quiz.lesson.course)
        progress, _c = LessonProgress.objects.get_or_create(enrollment=enrollment, lesson=attempt.quiz.lesson)
        if not progress.completed_at:
            progress.submitted_at = progress.completed_at = now
            progress.save(update_fields=["submitted_at", "completed_at"])
        _touch(enrollment)
    return attempt, False


# --- Authoring: courses, lessons, quiz settings, sessions, gates, plans ------------------------------------

COURSE_FIELDS = ("code", "module", "title_zh", "title_en", "summary_zh", "summary_en", "roles", "status",
                 "estimated_minutes")
LESSON_FIELDS = ("order", "kind", "title_zh", "title_en", "body_zh", "body_en", "video_url", "practice_url_name",
                 "requires_signoff")
QUIZ_FIELDS = ("pass_mark", "max_attempts", "time_limit_minutes", "shuffle")
SESSION_FIELDS = ("title_zh", "title_en", "description_zh", "description_en", "module", "trainer", "starts_at",
                  "ends_at", "place", "online_url", "capacity")
EXTERNAL_FIELDS = ("kind", "title", "provider", "start_date", "end_date", "hours", "certificate", "notes")


def _require(actor, perm):
    if not actor.has_perm(perm):
        raise BusinessRuleError(_("You may not do this."))


def _apply(obj, fields: dict, names):
    for name in names:
        if name in fields:
            setattr(obj, name, fields[name])
    return obj


@transaction.atomic
def save_course(course: Course | None = None, *, actor, **fields) -> Course:
    _require(actor, "training.change_course" if course else "training.add_course")
    course = Course.objects.select_for_update().get(pk=course.pk) if course else Course(owner=actor)
    _apply(course, fields, COURSE_FIELDS).save()
    return course


@transaction.atomic
def save_lesson(course: Course, lesson: Lesson | None = None, *, actor, file_type: str = "", **fields) -> Lesson:
    """Create or edit a lesson; a quiz lesson gets its quiz. `file`: an upload, False to remove, else kept."""
    _require(actor, "training.change_lesson" if lesson else "training.add_lesson")
    if lesson is None:
        lesson = Lesson(course=course, added_in_version=course.version)
    else:
        lesson = Lesson.objects.select_for_update().get(pk=lesson.pk, course=course)
    _apply(lesson, fields, LESSON_FIELDS)
    upload = fields.get("file")
    if upload is False:
        lesson.file, lesson.file_type = None, ""
    elif upload and upload != lesson.file:
        lesson.file, lesson.file_type = upload, file_type or lesson.file_type
    lesson.save()
    if lesson.kind == LessonKind.QUIZ:
        Quiz.objects.get_or_create(lesson=lesson)
    return lesson


@transaction.atomic
def save_quiz_settings(quiz: Quiz, *, actor, **fields) -> Quiz:
    _require(actor, "training.change_quiz")
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    _apply(quiz, fields, QUIZ_FIELDS).save()
    return quiz


@transaction.atomic
def save_session(session: TrainingSession | None = None, *, actor, **fields) -> TrainingSession:
    _require(actor, "training.change_trainingsession" if session else "training.add_trainingsession")
    session = TrainingSession.objects.select_for_update().get(pk=session.pk) if session else TrainingSession()
    _apply(session, fields, SESSION_FIELDS).save()
    return session


@transaction.atomic
def record_external_training(*, actor, **fields) -> ExternalTraining:
    """A course or conference the person attended outside the company, with its certificate."""
    record = _apply(ExternalTraining(user=actor), fields, EXTERNAL_FIELDS)
    record.save()
    return record


@transaction.atomic
def create_gate(*, permission: str, course: Course, actor, active: bool = True, note: str = "") -> TrainingGate:
    """Make `permission` need `course` passed first."""
    _require(actor, "training.add_traininggate")
    if course.status != CourseStatus.PUBLISHED:
        raise ValidationError({"course": _("Only a published course can guard a permission.")})
    if TrainingGate.objects.filter(permission=permission, course=course).exists():
        raise ValidationError({"permission": _("This permission already needs this course.")})
    return TrainingGate.objects.create(permission=permission, course=course, active=active, note=note,
                                       created_by=actor)


@transaction.atomic
def toggle_gate(gate: TrainingGate, *, actor) -> TrainingGate:
    _require(actor, "training.change_traininggate")
    gate = TrainingGate.objects.select_for_update().get(pk=gate.pk)
    gate.active = not gate.active
    gate.save(update_fields=["active", "updated_at"])
    return gate


@transaction.atomic
def add_plan_course(plan: OnboardingPlan, *, course, order, due_days, required, actor) -> PlanCourse:
    """Add a course to an onboarding plan; new employees get it from now on."""
    _require(actor, "training.change_onboardingplan")
    if PlanCourse.objects.filter(plan=plan, course=course).exists():
        raise BusinessRuleError(_("This course is in the plan already."))
    return PlanCourse.objects.create(plan=plan, course=course, order=order, due_days=due_days, required=required)


# --- Quiz authoring ---------------------------------------------------------------------------------

QUESTION_FIELDS = ("order", "kind", "text_zh", "text_en", "explanation_zh", "explanation_en")


@transaction.atomic
def save_question(quiz: Quiz, *, question: Question | None = None, fields: dict, options: list, actor) -> Question:
    """Create or edit a question and its options, keeping their history: options are edited in place (matched by
    text, then by position), new ones added, removed ones retired (kept for the attempts that showed them) once
    the quiz has been attempted. `options` is a list of (text_zh, text_en, is_correct)."""
    if not actor.has_perm("training.change_question" if question else "training.add_question"):
        raise BusinessRuleError(_("Only trainers can edit quiz questions."))
    if question is None:
        question = Question(quiz=quiz)
    else:
        question = Question.objects.select_for_update().get(pk=question.pk, quiz=quiz)
    for name in QUESTION_FIELDS:
        if name in fields:
            setattr(question, name, fields[name])
    question.save()
    _sync_choices(question, options)
    return question


def _sync_choices(question: Question, options: list):
    current = list(question.choices.select_for_update().order_by("order", "pk"))
    active = [c for c in current if not c.retired]
    matched = [None] * len(options)
    taken = set()
    for pool in (active, [c for c in current if c.retired]):  # same text: the same option (a retired one returns)
        for i, (zh, _en, _ok) in enumerate(options):
            if matched[i] is None:
                c = next((c for c in pool if c.pk not in taken and c.text_zh.strip() == zh.strip()), None)
                if c is not None:
                    matched[i] = c
                    taken.add(c.pk)
    rest = [c for c in active if c.pk not in taken]  # an edited text: the option in that place, changed in place
    for i in range(len(options)):
        if matched[i] is None and rest:
            matched[i] = rest.pop(0)
    for i, ((zh, en, ok), c) in enumerate(zip(options, matched, strict=True), start=1):
        if c is None:
            Choice.objects.create(question=question, order=i, text_zh=zh, text_en=en, is_correct=ok)
            continue
        values = {"order": i, "text_zh": zh, "text_en": en, "is_correct": ok, "retired": False}
        if any(getattr(c, k) != v for k, v in values.items()):
            Choice.objects.filter(pk=c.pk).update(**values)
    if rest:
        if QuizAttempt.objects.filter(quiz_id=question.quiz_id).exists():
            Choice.objects.filter(pk__in=[c.pk for c in rest]).update(retired=True)
        else:
            Choice.objects.filter(pk__in=[c.pk for c in rest]).delete()


# --- Courses: versions ---------------------------------------------------------------------------------

@transaction.atomic
def publish_new_version(course: Course, *, notes_zh: str, notes_en: str = "", actor) -> Lesson:
    """Raise the course's version and add a “what's new” lesson; people who completed it are told to read it."""
    if not actor.has_perm("training.change_course"):
        raise BusinessRuleError(_("Only trainers can publish a new version of a course."))
    if not notes_zh.strip() and not notes_en.strip():
        raise BusinessRuleError(_("Describe what changed in this version."))
    course = Course.objects.select_for_update().get(pk=course.pk)
    course.version += 1  # the row is locked: a plain increment is safe and keeps the history row readable
    course.save(update_fields=["version", "updated_at"])
    order = (course.lessons.aggregate(m=Max("order"))["m"] or 0) + 1
    lesson = Lesson.objects.create(
        course=course, order=order, kind=LessonKind.TEXT, whats_new=True, added_in_version=course.version,
        title_zh=f"第 {course.version} 版更新内容", title_en=f"What's new in version {course.version}",
        body_zh=notes_zh or notes_en, body_en=notes_en or notes_zh)
    completed = Enrollment.objects.filter(course=course, completed_at__isnull=False).select_related("user")
    notify([e.user for e in completed],
           lazy_format(_("“%(course)s” was updated (version %(v)d): read what's new."), course=course,
                                                                                      v=course.version),
           reverse("training:lesson", args=[lesson.pk]), key=f"training:course:{course.pk}:v{course.version}")
    return lesson


# --- Onboarding -----------------------------------------------------------------------------------------

def choose_mentor(user, plan):
    """A mentor for a new employee: the line manager, else a colleague with the same role who finished
    the plan (or has been here longest), else the department head."""
    employee = getattr(user, "employee", None)
    if employee and employee.manager_id and employee.manager_id != user.pk:
        return employee.manager
    group = ROLES[plan.role].group
    peers = User.objects.filter(is_active=True, groups__name=group).exclude(pk=user.pk)
    finished = peers.filter(onboarding_assignments__plan=plan,
                            onboarding_assignments__completed_at__isnull=False).order_by("date_joined").first()
    if finished:
        return finished
    veteran = peers.exclude(onboarding_assignments__plan=plan,
                            onboarding_assignments__completed_at__isnull=True).order_by("date_joined").first()
    if veteran:
        return veteran
    if employee and employee.department_id and employee.department.head_id not in (None, user.pk):
        return employee.department.head
    return None


@transaction.atomic
def assign_plan(user, plan: OnboardingPlan, *, actor=None, mentor=None, start_date=None) -> PlanAssignment:
    """Give a new employee the onboarding plan of a role: enrol in its courses with due dates, pick a mentor,
    tell both. Assigning the same plan again changes nothing."""
    existing = PlanAssignment.objects.filter(user=user, plan=plan).first()
    if existing:
        return existing
    employee = getattr(user, "employee", None)
    start = start_date or (employee.hire_date if employee and employee.hire_date else None) or timezone.localdate()
    mentor = mentor or choose_mentor(user, plan)
    try:
        with transaction.atomic():
            assignment = PlanAssignment.objects.create(user=user, plan=plan, start_date=start, mentor=mentor)
    except IntegrityError:
        return PlanAssignment.objects.get(user=user, plan=plan)
    for item in plan.items.select_related("course").filter(course__status=CourseStatus.PUBLISHED):
        enroll(user, item.course, actor=actor, due_date=start + timedelta(days=item.due_days),
               required=item.required, source=EnrollmentSource.PLAN, assignment=assignment)
    link = reverse("training:my_learning")
    notify(user, lazy_format(_("Welcome! Your onboarding plan “%(plan)s” is ready."), plan=plan), link,
           key=f"training:assignment:{assignment.pk}:welcome")
    if mentor:
        _notify_mentor(assignment)
    log.info("onboarding plan %s assigned to %s (mentor %s)", plan.pk, user.pk, mentor.pk if mentor else None)
    return assignment


def _notify_mentor(assignment):
    notify(assignment.mentor, lazy_format(_("You are the mentor of %(user)s for “%(plan)s”."),
                                          user=_name(assignment.user), plan=assignment.plan),
           reverse("training:mentee", args=[assignment.pk]),
           key=f"training:assignment:{assignment.pk}:mentor:{assignment.mentor_id}")
    notify(assignment.user, lazy_format(_("Your mentor is %(mentor)s: ask them anything in your mentor thread."),
                                        mentor=_name(assignment.mentor)), reverse("training:mentee",
                                                                                  args=[assignment.pk]),
           key=f"training:assignment:{assignment.pk}:mentee:{assignment.mentor_id}")


def assign_plans_for_roles(user, role_keys, *, actor=None) -> list[PlanAssignment]:
    plans = OnboardingPlan.objects.filter(role__in=list(role_keys), active=True)
    return [assign_plan(user, plan, actor=actor) for plan in plans]


@transaction.atomic
def set_mentor(assignment: PlanAssignment, mentor, *, actor) -> PlanAssignment:
    if not actor.has_perm("training.assign_mentor"):
        raise BusinessRuleError(_("Only managers and trainers can choose mentors."))
    if mentor.pk == assignment.user_id:
        raise BusinessRuleError(_("A new employee cannot be their own mentor."))
    assignment = PlanAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.mentor_id == mentor.pk:
        return assignment
    assignment.mentor = mentor
    assignment.save(update_fields=["mentor", "updated_at"])
    _notify_mentor(assignment)
    return assignment


def post_mentor_message(assignment: PlanAssignment, *, actor, body: str) -> MentorMessage:
    body = (body or "").strip()
    if not body:
        raise BusinessRuleError(_("Write a message first."))
    if actor.pk not in (assignment.user_id, assignment.mentor_id) and not actor.has_perm(
            "training.view_team_progress"):
        raise BusinessRuleError(_("Only the new employee and the mentor write in this thread."))
    message = MentorMessage.objects.create(assignment=assignment, author=actor, body=body[:4000])
    other = assignment.mentor if actor.pk == assignment.user_id else assignment.user
    if other:
        notify(other, lazy_format(_("%(user)s wrote in the mentor thread."), user=_name(actor)),
               reverse("training:mentee", args=[assignment.pk]), email=False)
    return message


# --- Reminders -----------------------------------------------------------------------------------------

def send_due_reminders(today=None) -> dict:
    """Remind learners (and mentors) once before a required course is due and once when it is overdue."""
    today = today or timezone.localdate()
    sent = {"due_soon": 0, "overdue": 0}
    open_required = (Enrollment.objects.open().filter(required=True, due_date__isnull=False)
                     .select_related("user", "course", "assignment__mentor"))
    for e in open_required.filter(due_date__gte=today, due_date__lte=today + timedelta(days=REMIND_DAYS_BEFORE)):
        link = reverse("training:course", args=[e.course_id])
        sent["due_soon"] += len(notify(
            e.user, lazy_format(_("“%(course)s” is due on %(date)s."), course=e.course, date=e.due_date),
            link, level="warning", key=f"training:enrollment:{e.pk}:due-soon"))
    for e in open_required.filter(due_date__lt=today):
        link = reverse("training:course", args=[e.course_id])
        sent["overdue"] += len(notify(
            e.user, lazy_format(_("“%(course)s” was due on %(date)s and is not finished."), course=e.course,
                                date=e.due_date), link, level="danger",
            key=f"training:enrollment:{e.pk}:overdue"))
        mentor = e.assignment.mentor if e.assignment_id else None
        if mentor:
            notify(mentor, lazy_format(_("%(user)s is late with “%(course)s” (due %(date)s)."), user=_name(e.user),
                                       course=e.course, date=e.due_date),
                   reverse("training:mentee", args=[e.assignment_id]), level="warning",
                   key=f"training:enrollment:{e.pk}:overdue:mentor")
    log.info("training reminders: %s", sent)
    return sent


# --- In-service sessions ---------------------------------------------------------------------------------

@transaction.atomic
def book_seat(session: TrainingSession, *, actor) -> SessionSeat:
    """Enrol in a session; when it is full the seat goes on the waiting list."""
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if session.status != SessionStatus.SCHEDULED or session.starts_at <= timezone.now():
        raise BusinessRuleError(_("This session is not open for enrolment."))
    seat = SessionSeat.objects.filter(session=session, user=actor).first()
    if seat and seat.status != SeatStatus.CANCELLED:
        raise BusinessRuleError(_("You are already on the list of this session."))
    taken = session.seats.filter(status=SeatStatus.ENROLLED).count()
    status = SeatStatus.ENROLLED if taken < session.capacity else SeatStatus.WAITING
    if seat:
        seat.status, seat.requested_at = status, timezone.now()
        seat.save(update_fields=["status", "requested_at"])
    else:
        seat = SessionSeat.objects.create(session=session, user=actor, status=status)
    return seat


@transaction.atomic
def cancel_seat(session: TrainingSession, *, actor) -> SessionSeat | None:
    """Give up a seat; the first person on the waiting list gets it and is told."""
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    seat = SessionSeat.objects.filter(session=session, user=actor).exclude(status=SeatStatus.CANCELLED).first()
    if seat is None:
        raise BusinessRuleError(_("You are not on the list of this session."))
    was_enrolled = seat.status == SeatStatus.ENROLLED
    seat.status = SeatStatus.CANCELLED
    seat.save(update_fields=["status"])
    promoted = None
    if was_enrolled:
        promoted = session.seats.filter(status=SeatStatus.WAITING).order_by("requested_at", "pk").first()
        if promoted:
            promoted.status = SeatStatus.ENROLLED
            promoted.save(update_fields=["status"])
            notify(promoted.user, lazy_format(_("A seat became free: you are now enrolled in “%(session)s”."),
                                              session=session), session.get_absolute_url(), level="success",
                   key=f"training:seat:{promoted.pk}:promoted:{timezone.now():%Y%m%d%H%M%S}")
    return promoted


@transaction.atomic
def take_attendance(session: TrainingSession, present_ids, *, actor) -> int:
    if not (actor.pk == session.trainer_id or actor.has_perm("training.take_attendance")):
        raise BusinessRuleError(_("Only the session's trainer takes attendance."))
    if session.starts_at > timezone.now():
        raise BusinessRuleError(_("Attendance can be taken once the session has started."))
    present = {int(i) for i in present_ids}
    seats = list(session.seats.filter(status=SeatStatus.ENROLLED))
    for seat in seats:
        seat.attended = seat.user_id in present
    SessionSeat.objects.bulk_update(seats, ["attended"])
    if session.status == SessionStatus.SCHEDULED:
        TrainingSession.objects.filter(pk=session.pk).update(status=SessionStatus.DONE)
    for seat in seats:
        if seat.attended:
            notify(seat.user, lazy_format(_("Thank you for attending “%(session)s”: how was it?"), session=session),
                   session.get_absolute_url(),
                   key=f"training:seat:{seat.pk}:feedback", email=False)
    return sum(1 for s in seats if s.attended)


def submit_feedback(session: TrainingSession, *, actor, rating: int, useful: bool = True,
                    comment: str = "") -> SessionFeedback:
    if not SessionSeat.objects.filter(session=session, user=actor, attended=True).exists():
        raise BusinessRuleError(_("Only people who attended the session can rate it."))
    try:
        with transaction.atomic():
            return SessionFeedback.objects.create(session=session, user=actor, rating=rating, useful=useful,
                                                  comment=comment)
    except IntegrityError:
        raise BusinessRuleError(_("You have rated this session already."))


# --- Library ---------------------------------------------------------------------------------------------

def save_library_item(item: LibraryItem, *, actor) -> LibraryItem:
    """Create or edit an item: trainers publish straight away, everyone else suggests."""
    if item.pk is None:
        item.author = actor
        if actor.has_perm("training.publish_libraryitem"):
            item.status, item.published_by, item.published_at = LibraryStatus.PUBLISHED, actor, timezone.now()
        else:
            item.status = LibraryStatus.SUGGESTED
    elif not (actor.has_perm("training.publish_libraryitem") or
              (item.author_id == actor.pk and item.status == LibraryStatus.SUGGESTED)):
        raise BusinessRuleError(_("Only trainers can edit published library items."))
    item.save()
    if item.status == LibraryStatus.SUGGESTED:
        trainers = User.objects.filter(groups__name=ROLES["trainer"].group, is_active=True)
        notify(list(trainers), lazy_format(_("%(user)s suggested a library article: %(title)s"), user=_name(actor),
                                           title=item.title), item.get_absolute_url(),
               key=f"training:library:{item.pk}:suggested")
    return item


@transaction.atomic
def review_library_item(item: LibraryItem, *, publish: bool, actor) -> LibraryItem:
    if not actor.has_perm("training.publish_libraryitem"):
        raise BusinessRuleError(_("Only trainers can publish library items."))
    item = LibraryItem.objects.select_for_update().get(pk=item.pk)
    if publish:
        item.status, item.published_by, item.published_at = LibraryStatus.PUBLISHED, actor, timezone.now()
    else:
        item.status = LibraryStatus.REJECTED
    item.save(update_fields=["status", "published_by", "published_at", "updated_at"])
    notify(item.author, lazy_format(_("Your suggestion “%(title)s” is published. Thank you!") if publish else
                                    _("Your suggestion “%(title)s” was not published."), title=item.title),
           item.get_absolute_url(), key=f"training:library:{item.pk}:{item.status}")
    return item


def record_view(item: LibraryItem):
    LibraryItem.objects.filter(pk=item.pk).update(views=F("views") + 1)


@transaction.atomic
def vote_helpful(item: LibraryItem, *, actor, helpful: bool) -> LibraryVote:
    """One vote per person; changing one's mind moves the vote between the counters."""
    item = LibraryItem.objects.select_for_update().get(pk=item.pk)
    vote = LibraryVote.objects.filter(item=item, user=actor).first()
    if vote and vote.helpful == helpful:
        return vote
    if vote:
        vote.helpful = helpful
        vote.save(update_fields=["helpful"])
        moved = {"helpful_yes": F("helpful_yes") + (1 if helpful else -1),
                 "helpful_no": F("helpful_no") + (-1 if helpful else 1)}
    else:
        vote = LibraryVote.objects.create(item=item, user=actor, helpful=helpful)
        moved = {"helpful_yes" if helpful else "helpful_no": F("helpful_yes" if helpful else "helpful_no") + 1}
    LibraryItem.objects.filter(pk=item.pk).update(**moved)
    return vote
