"""Demo training data: a full bilingual onboarding course per core module, plans for every role, mentors,
progress for the demo users, in-service sessions, library items, external training and two training gates.
Idempotent: what exists is kept."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.utils import timezone

from .choices import LessonKind, LibraryStatus, SeatStatus, SessionStatus
from .demo_content import COURSES, LIBRARY, PLANS, SESSIONS
from .models import (
    Choice,
    Course,
    Enrollment,
    ExternalTraining,
    Lesson,
    LibraryItem,
    OnboardingPlan,
    PlanCourse,
    Question,
    Quiz,
    SessionFeedback,
    SessionSeat,
    TrainingGate,
    TrainingSession,
)

GATES = [("inventory.approve_stocktake", "onboarding-inventory"),
         ("orders.approve_salesorder", "onboarding-orders")]
MENTORS = {"rep1": "salesmgr", "rep2": "salesmgr", "finance": "salesmgr", "clerk": "whmgr", "whmgr": "trainer",
           "purchaser": "trainer", "itadmin": "gm", "salesmgr": "gm", "trainer": "gm", "gm": "trainer"}
# username -> (days since hire, courses fully done, courses half done, failed first quiz attempt)
PROGRESS = {
    "rep1": (30, ["onboarding-crm", "onboarding-orders", "onboarding-governance"], [], True),
    "rep2": (4, [], ["onboarding-crm"], True),
    "whmgr": (45, ["onboarding-inventory", "onboarding-governance"], ["onboarding-orders"], False),
    "clerk": (25, ["onboarding-inventory", "onboarding-governance"], [], False),
    "purchaser": (20, [], ["onboarding-inventory"], False),
    "finance": (6, ["onboarding-orders"], ["onboarding-crm"], False),
    "salesmgr": (60, ["onboarding-crm", "onboarding-orders", "onboarding-governance"], [], False),
    "itadmin": (15, ["onboarding-governance"], [], False),
    "trainer": (90, ["onboarding-crm", "onboarding-inventory", "onboarding-orders", "onboarding-governance"], [],
                False),
    "gm": (120, ["onboarding-governance"], [], False),
}


def seed(ctx):
    trainer = ctx.user("trainer")
    with transaction.atomic():
        courses = {c["code"]: _course(c, trainer) for c in COURSES}
        for role, (zh, en, items) in PLANS.items():
            plan, _ = OnboardingPlan.objects.get_or_create(role=role, defaults={
                "title_zh": zh, "title_en": en,
                "description_zh": "入职第一周和导师一起完成以下课程。",
                "description_en": "Work through these courses with your mentor in your first weeks."})
            for order, (code, days) in enumerate(items, start=1):
                PlanCourse.objects.get_or_create(plan=plan, course=courses[code],
                                                 defaults={"order": order, "due_days": days})
        for perm, code in GATES:
            TrainingGate.objects.get_or_create(permission=perm, course=courses[code], defaults={
                "note": "上岗前必须通过 / required before use", "created_by": ctx.user("general_manager")})
    ctx.log(f"{len(courses)} courses, {len(PLANS)} onboarding plans, {len(GATES)} gates")
    _progress(ctx, courses)
    _sessions(ctx)
    _library(ctx)
    ctx.extra["training_courses"] = {code: c.pk for code, c in courses.items()}


def _course(data, trainer) -> Course:
    course, created = Course.objects.get_or_create(code=data["code"], defaults={
        "module": data["module"], "roles": data["roles"], "title_zh": data["title_zh"], "title_en": data["title_en"],
        "summary_zh": data["summary_zh"], "summary_en": data["summary_en"], "status": "published",
        "estimated_minutes": data["minutes"], "owner": trainer})
    if not created:
        return course
    for order, (kind, tzh, ten, bzh, ben, extra) in enumerate(data["lessons"], start=1):
        lesson = Lesson.objects.create(course=course, order=order, kind=kind, title_zh=tzh, title_en=ten,
                                       body_zh=bzh, body_en=ben, **extra)
        if kind == LessonKind.QUIZ:
            quiz = Quiz.objects.create(lesson=lesson, pass_mark=75, max_attempts=3, time_limit_minutes=15)
            for qo, (qkind, qzh, qen, options, exzh, exen) in enumerate(data["questions"], start=1):
                q = Question.objects.create(quiz=quiz, order=qo, kind=qkind, text_zh=qzh, text_en=qen,
                                            explanation_zh=exzh, explanation_en=exen)
                if qkind == "truefalse":
                    truth = not any(w in qzh for w in ("无需", "可以看到", "立即生效"))
                    options = [("对", "True", truth), ("错", "False", not truth)]
                Choice.objects.bulk_create([Choice(question=q, order=i, text_zh=zh, text_en=en, is_correct=ok)
                                            for i, (zh, en, ok) in enumerate(options, start=1)])
    return course


def _answers(quiz, right=True):
    out = {}
    for q in quiz.questions.prefetch_related("choices"):
        choices = list(q.choices.all())
        correct = [c.pk for c in choices if c.is_correct]
        wrong = [c.pk for c in choices if not c.is_correct][:1]
        out[q.pk] = correct if right else (wrong or correct)
    return out


def _progress(ctx, courses):
    from . import services

    today = timezone.localdate()
    users = ctx.by_username
    for username, (days, done, half, failed_first) in PROGRESS.items():
        user = users.get(username)
        if user is None:
            continue
        role = next((k for k, us in ctx.users.items() if user in us), None)
        plan = OnboardingPlan.objects.filter(role=role).first()
        mentor = users.get(MENTORS.get(username))
        if plan:
            services.assign_plan(user, plan, mentor=mentor, start_date=today - timedelta(days=days))
        for code in done + half:
            enrollment = services.enroll(user, courses[code])
            if enrollment.lesson_progress.exists() or enrollment.completed_at:
                continue
            lessons = list(courses[code].lessons.order_by("order"))
            if code in half:
                lessons = lessons[: max(1, len(lessons) // 2)]
            for lesson in lessons:
                _do_lesson(services, user, lesson, mentor or ctx.user("trainer"), failed_first)
    # people who may use a gated permission get the gated course completed, so the demo works as before
    backend = ModelBackend()
    for perm, code in GATES:
        for user in users.values():
            if backend.has_perm(user, perm) and not Enrollment.objects.filter(
                    user=user, course=courses[code], completed_at__isnull=False).exists():
                services.enroll(user, courses[code])
                for lesson in courses[code].lessons.order_by("order"):
                    _do_lesson(services, user, lesson, ctx.user("trainer"), False)
    ctx.log(f"{Enrollment.objects.count()} enrolments, "
            f"{Enrollment.objects.filter(completed_at__isnull=False).count()} completed")


def _do_lesson(services, user, lesson, signer, failed_first):
    if lesson.kind == LessonKind.QUIZ:
        if failed_first:
            attempt = services.start_attempt(actor=user, quiz=lesson.quiz)
            services.submit_attempt(attempt_id=attempt.pk, actor=user, answers=_answers(lesson.quiz, right=False))
        attempt = services.start_attempt(actor=user, quiz=lesson.quiz)
        services.submit_attempt(attempt_id=attempt.pk, actor=user, answers=_answers(lesson.quiz))
        return
    progress = services.complete_lesson(actor=user, lesson=lesson, note="已完成 / done")
    if not progress.completed_at:
        services.sign_off_practice(progress, actor=signer)


def _sessions(ctx):
    trainer = ctx.user("trainer")
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    learners = [u for key in ("sales_rep", "warehouse_manager", "warehouse_clerk", "purchaser", "finance_clerk")
                for u in ctx.users[key]]
    for zh, en, module, days, hours, place, url, capacity in SESSIONS:
        starts = (now + timedelta(days=days)).replace(hour=14)  # 14:00 local time
        session, created = TrainingSession.objects.get_or_create(title_zh=zh, defaults={
            "title_en": en, "module": module, "trainer": trainer, "starts_at": starts,
            "ends_at": starts + timedelta(hours=hours), "place": place, "online_url": url, "capacity": capacity,
            "description_zh": "欢迎提前把问题发给讲师。",
            "description_en": "Send your questions to the trainer beforehand.",
            "status": SessionStatus.DONE if days < 0 else SessionStatus.SCHEDULED})
        if not created:
            continue
        for i, user in enumerate(learners[: capacity + 1]):
            status = SeatStatus.ENROLLED if i < capacity else SeatStatus.WAITING
            seat = SessionSeat.objects.create(session=session, user=user, status=status)
            if days < 0:
                seat.attended = i != 1
                seat.save(update_fields=["attended"])
                if seat.attended:
                    SessionFeedback.objects.create(session=session, user=user, rating=5 - (i % 2), useful=True,
                                                   comment="很实用 / very useful" if i % 2 == 0 else "")
    rep = ctx.user("sales_rep")
    ExternalTraining.objects.get_or_create(user=rep, title="五金行业年度展会", defaults={
        "kind": "conference", "provider": "中国五金制品协会", "start_date": timezone.localdate() - timedelta(days=40),
        "end_date": timezone.localdate() - timedelta(days=38), "hours": Decimal("16.0"),
        "notes": "参观了 30 家供应商展位。"})
    ExternalTraining.objects.get_or_create(user=ctx.user("warehouse_clerk"), title="叉车操作证复审", defaults={
        "kind": "certification", "provider": "市特种设备培训中心",
        "start_date": timezone.localdate() - timedelta(days=90), "hours": Decimal("8.0")})


def _library(ctx):
    trainer = ctx.user("trainer")
    now = timezone.now()
    for i, (kind, module, tzh, ten, bzh, ben, tags) in enumerate(LIBRARY):
        LibraryItem.objects.get_or_create(title_zh=tzh, defaults={
            "kind": kind, "module": module, "title_en": ten, "body_zh": bzh, "body_en": ben, "tags": tags,
            "video_url": "https://www.bilibili.com/video/BV1GJ411x7h7" if kind == "video" else "",
            "status": LibraryStatus.PUBLISHED, "author": trainer, "published_by": trainer,
            "published_at": now - timedelta(days=10 - i), "views": 40 - 7 * i, "helpful_yes": 9 - i,
            "helpful_no": i % 2})
    LibraryItem.objects.get_or_create(title_zh="报价单里快速复制上一单", defaults={
        "kind": "article", "module": "orders", "title_en": "Copy the last order into a quotation",
        "body_zh": "在客户页面的购买记录里点击“再来一单”。",
        "body_en": "Click “Order again” in the customer's purchases.",
        "tags": "技巧", "status": LibraryStatus.SUGGESTED, "author": ctx.user("sales_rep")})
