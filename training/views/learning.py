"""Learner pages: my learning, the catalogue, a course, a lesson, quizzes, certificates."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, TemplateView

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.uploads import serve_upload
from hardware_erp.core.views import ERPListView, ModuleIndexView, ModuleMixin, error_messages

from .. import selectors, services
from ..choices import LessonKind
from ..content import render_markdown
from ..filtersets import CourseFilterSet
from ..models import Certificate, Course, Enrollment, Lesson, LessonProgress, PlanAssignment, Quiz, QuizAttempt
from ..pdf import certificate_pdf
from ..tables import CourseTable


class IndexView(ModuleIndexView):
    module = "training"


class MyLearningView(ModuleMixin, TemplateView):
    module = "training"
    template_name = "training/my_learning.html"
    title = _("My learning")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        enrollments = list(Enrollment.objects.filter(user=user).select_related("course", "assignment")
                           .annotate(lesson_count=Count("course__lessons"))
                           .order_by("completed_at", "due_date", "pk"))
        ctx["assignments"] = list(PlanAssignment.objects.filter(user=user).select_related("plan", "mentor",
                                                                                           "mentor__employee"))
        ctx["plan_enrollments"] = [e for e in enrollments if e.assignment_id]
        ctx["other_enrollments"] = [e for e in enrollments if not e.assignment_id]
        ctx["summary"] = selectors.learner_summary(user)
        ctx["attempts"] = (QuizAttempt.objects.filter(user=user, submitted_at__isnull=False)
                           .select_related("quiz__lesson__course")[:10])
        ctx["certificates"] = Certificate.objects.filter(enrollment__user=user).select_related("enrollment")
        ctx["mentees"] = selectors.mentees_of(user)
        ctx["suggested"] = _suggestions(user)
        return ctx


def _suggestions(user, limit=6):
    """Published courses the user is not taking, the ones meant for the user's roles first."""
    from hardware_erp.core.roles import roles_of

    mine = {r.key for r in roles_of(user)}
    courses = list(Course.objects.published().exclude(enrollments__user=user).annotate(lesson_count=Count("lessons")))
    courses.sort(key=lambda c: (not (set(c.roles) & mine), bool(c.roles) and not set(c.roles) & mine, c.code))
    return [c for c in courses if not c.roles or set(c.roles) & mine][:limit]


class CourseListView(ERPListView):
    model = Course
    module = "training"
    permission_required = "training.view_course"
    table_class = CourseTable
    filterset_class = CourseFilterSet
    title = _("Courses")
    empty_text = _("No courses yet. Trainers add them here.")
    create_label = _("New course")

    def get_queryset(self):
        return super().get_queryset().annotate(lesson_count=Count("lessons")).order_by("module", "code")

    def get_context_data(self, **kwargs):
        if self.request.user.has_perm("training.add_course"):
            self.create_url_name = "training:course_create"
        return super().get_context_data(**kwargs)


def _course_for(user, pk) -> Course:
    return get_object_or_404(Course.objects.for_user(user), pk=pk)


class CourseView(ModuleMixin, DetailView):
    module = "training"
    permission_required = "training.view_course"
    template_name = "training/course.html"
    context_object_name = "course"

    def get_queryset(self):
        return Course.objects.for_user(self.request.user).prefetch_related(
            Prefetch("lessons", queryset=Lesson.objects.select_related("quiz").order_by("order", "pk")))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        course, user = self.object, self.request.user
        ctx["title"] = course.title
        enrollment = Enrollment.objects.filter(user=user, course=course).first()
        done = {}
        if enrollment:
            done = {p.lesson_id: p for p in enrollment.lesson_progress.all()}
        ctx["enrollment"] = enrollment
        ctx["lessons"] = [(lesson, done.get(lesson.pk)) for lesson in course.lessons.all()]
        ctx["next_lesson"] = next((lesson for lesson, p in ctx["lessons"] if not (p and p.completed_at)), None)
        ctx["certificate"] = getattr(enrollment, "certificate", None) if enrollment and enrollment.completed_at \
            else None
        ctx["summary_html"] = render_markdown(course.summary)
        ctx["can_edit"] = user.has_perm("training.change_course")
        ctx["gates"] = course.gates.filter(active=True)
        return ctx


class EnrollView(ModuleMixin, View):
    module = "training"
    permission_required = "training.view_course"

    def post(self, request, pk):
        course = _course_for(request.user, pk)
        try:
            services.enroll(request.user, course, actor=request.user)
        except BusinessRuleError as exc:
            error_messages(request, exc)
        else:
            messages.success(request, _("You are enrolled. Start with the first lesson."))
        return redirect(course)


class LessonView(ModuleMixin, DetailView):
    module = "training"
    permission_required = "training.view_lesson"
    template_name = "training/lesson.html"
    context_object_name = "lesson"

    def get_queryset(self):
        return Lesson.objects.filter(course__in=Course.objects.for_user(self.request.user)).select_related("course")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        lesson, user = self.object, self.request.user
        ctx["title"] = lesson.title
        siblings = list(lesson.course.lessons.order_by("order", "pk").values_list("pk", flat=True))
        i = siblings.index(lesson.pk)
        ctx["prev_id"] = siblings[i - 1] if i > 0 else None
        ctx["next_id"] = siblings[i + 1] if i + 1 < len(siblings) else None
        ctx["position"], ctx["count"] = i + 1, len(siblings)
        ctx["body_html"] = render_markdown(lesson.body)
        ctx["progress"] = LessonProgress.objects.filter(enrollment__user=user, lesson=lesson).first()
        ctx["quiz"] = getattr(lesson, "quiz", None) if lesson.kind == LessonKind.QUIZ else None
        if ctx["quiz"]:
            attempts = list(QuizAttempt.objects.filter(quiz=ctx["quiz"], user=user).order_by("number"))
            ctx["attempts"] = attempts
            ctx["attempts_left"] = max(0, ctx["quiz"].max_attempts - len(attempts))
            ctx["passed"] = any(a.passed for a in attempts)
            ctx["open_attempt"] = next((a for a in attempts if a.submitted_at is None), None)
        ctx["video_embed"] = embed_url(lesson.video_url)
        ctx["can_edit"] = user.has_perm("training.change_lesson")
        return ctx


def embed_url(url: str) -> str:
    """Links that may be shown in an iframe (the company's own video platform links are opened in a tab)."""
    if not url:
        return ""
    for prefix, embed in (("https://www.bilibili.com/video/", "https://player.bilibili.com/player.html?bvid="),
                          ("https://www.youtube.com/watch?v=", "https://www.youtube-nocookie.com/embed/")):
        if url.startswith(prefix):
            return embed + url[len(prefix):].split("&")[0].strip("/")
    return ""


class LessonFileView(ModuleMixin, View):
    """Lesson files are served only to people who may open the lesson."""

    module = "training"
    permission_required = "training.view_lesson"

    def get(self, request, pk):
        lesson = get_object_or_404(Lesson.objects.filter(course__in=Course.objects.for_user(request.user)), pk=pk)
        return serve_upload(lesson.file)


class CompleteLessonView(ModuleMixin, View):
    module = "training"
    permission_required = "training.view_lesson"

    def post(self, request, pk):
        lesson = get_object_or_404(Lesson.objects.filter(course__in=Course.objects.for_user(request.user)), pk=pk)
        try:
            progress = services.complete_lesson(actor=request.user, lesson=lesson,
                                                note=request.POST.get("note", "")[:2000])
        except BusinessRuleError as exc:
            error_messages(request, exc)
            return redirect(lesson)
        if progress.completed_at:
            messages.success(request, _("Lesson done. Keep going!"))
        else:
            messages.info(request, _("Handed in. Your mentor will check it and sign it off."))
        nxt = lesson.course.lessons.filter(order__gt=lesson.order).order_by("order", "pk").first() or \
            lesson.course.lessons.filter(order=lesson.order, pk__gt=lesson.pk).order_by("pk").first()
        return redirect(nxt or lesson.course)


class QuizView(ModuleMixin, View):
    """GET: the open attempt's questions (starting an attempt); POST: submit and grade once."""

    module = "training"
    permission_required = "training.view_lesson"

    def _quiz(self, request, pk):
        return get_object_or_404(Quiz.objects.select_related("lesson__course").filter(
            lesson__course__in=Course.objects.for_user(request.user)), pk=pk)

    def get(self, request, pk):
        quiz = self._quiz(request, pk)
        try:
            attempt = services.start_attempt(actor=request.user, quiz=quiz)
        except BusinessRuleError as exc:
            error_messages(request, exc)
            return redirect(quiz.lesson)
        return render(request, "training/quiz.html", {
            "quiz": quiz, "attempt": attempt, "questions": services.attempt_questions(attempt),
            "title": quiz.lesson.title, "module": "training",
            "seconds_left": int((attempt.deadline - timezone.now()).total_seconds()) if attempt.deadline else None})

    def post(self, request, pk):
        quiz = self._quiz(request, pk)
        answers = {}
        for key in request.POST:
            if key.startswith("q"):
                try:
                    answers[int(key[1:])] = [int(v) for v in request.POST.getlist(key)]
                except ValueError:
                    continue
        try:
            attempt = services.submit_attempt(attempt_id=int(request.POST.get("attempt", 0) or 0),
                                              actor=request.user, answers=answers)
        except BusinessRuleError as exc:
            error_messages(request, exc)
            open_attempt = QuizAttempt.objects.filter(quiz=quiz, user=request.user, submitted_at__isnull=True)
            if open_attempt.exists():
                return redirect("training:quiz", quiz.pk)
            return redirect(quiz.lesson)
        if attempt.passed:
            messages.success(request, _("Passed with %(score)s%%. Well done!") % {"score": attempt.score})
        else:
            messages.warning(request, _("%(score)s%%: the pass mark is %(mark)d%%. Read the explanations and try "
                                        "again.") % {"score": attempt.score, "mark": quiz.pass_mark})
        return redirect(attempt)


class AttemptView(ModuleMixin, DetailView):
    """The graded attempt: each question with the person's answer, the right answer and the explanation."""

    module = "training"
    permission_required = "training.view_lesson"
    template_name = "training/attempt.html"
    context_object_name = "attempt"

    def get_queryset(self):
        qs = QuizAttempt.objects.select_related("quiz__lesson__course", "user")
        user = self.request.user
        if user.has_perm("training.view_team_progress"):
            return qs
        # a subquery, not a join: a learner with two onboarding plans must not make the attempt appear twice
        return qs.filter(Q(user=user) | Q(user__in=PlanAssignment.objects.filter(mentor=user).values("user_id")))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        attempt = self.object
        if attempt.submitted_at is None:
            raise Http404
        answers = {a.question_id: a for a in attempt.answers.all()}
        ctx["rows"] = [(q, options, answers.get(q.pk), set(answers[q.pk].selected) if q.pk in answers else set())
                       for q, options in services.attempt_questions(attempt)]
        ctx["title"] = _("Result: %(lesson)s") % {"lesson": attempt.quiz.lesson.title}
        ctx["attempts_left"] = max(0, attempt.quiz.max_attempts - QuizAttempt.objects.filter(
            quiz=attempt.quiz, user=attempt.user).count())
        ctx["history"] = QuizAttempt.objects.filter(quiz=attempt.quiz, user=attempt.user).order_by("number")
        return ctx


class CertificatePdfView(ModuleMixin, View):
    module = "training"
    permission_required = "training.view_course"

    def get(self, request, pk):
        cert = get_object_or_404(Certificate.objects.select_related("enrollment__user"), pk=pk)
        if cert.enrollment.user_id != request.user.pk and not request.user.has_perm("training.view_team_progress"):
            raise PermissionDenied
        response = HttpResponse(certificate_pdf(cert, request), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="certificate-{cert.code}.pdf"'
        return response


class VerifyView(View):
    """Public: anyone with a certificate's code can check it (no sign-in)."""

    def get(self, request, code=None):
        code = (code or request.GET.get("code", "")).strip().upper()
        cert = Certificate.objects.filter(code=code).first() if code else None
        return render(request, "training/verify.html", {"code": code, "cert": cert,
                                                        "title": _("Verify a training certificate")},
                      status=404 if code and cert is None else 200)
