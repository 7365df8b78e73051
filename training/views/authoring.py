"""Trainer pages: courses, lessons, quizzes and their questions, new versions."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, FormView, UpdateView

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.views import ModuleMixin

from .. import services
from ..choices import LessonKind
from ..forms import CourseForm, LessonForm, QuestionForm, QuizForm, VersionForm
from ..models import Course, Lesson, Question, Quiz


class FormPage(ModuleMixin):
    """A form page (training/form.html: generic/form.html's referer fallback fails when there is no referer)."""

    module = "training"
    template_name = "training/form.html"
    cancel_url_name = "training:course_list"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("cancel_url", reverse(self.cancel_url_name))
        return ctx


class CourseCreateView(FormPage, CreateView):
    permission_required = "training.add_course"
    form_class = CourseForm
    title = _("New course")

    def form_valid(self, form):
        form.instance.owner = self.request.user
        messages.success(self.request, _("Course saved. Now add its lessons."))
        return super().form_valid(form)


class CourseEditView(FormPage, UpdateView):
    permission_required = "training.change_course"
    form_class = CourseForm
    model = Course

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Edit %(course)s") % {"course": self.object}
        ctx["cancel_url"] = self.object.get_absolute_url()
        return ctx

    def form_valid(self, form):
        messages.success(self.request, _("Course saved."))
        return super().form_valid(form)


class CourseVersionView(FormPage, FormView):
    permission_required = "training.change_course"
    form_class = VersionForm

    def dispatch(self, request, *args, **kwargs):
        self.course = get_object_or_404(Course, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("New version of %(course)s (now version %(v)d)") % {"course": self.course,
                                                                             "v": self.course.version}
        ctx["submit_label"] = _("Publish the new version")
        ctx["cancel_url"] = self.course.get_absolute_url()
        return ctx

    def form_valid(self, form):
        try:
            lesson = services.publish_new_version(self.course, notes_zh=form.cleaned_data["notes_zh"],
                                                  notes_en=form.cleaned_data["notes_en"], actor=self.request.user)
        except BusinessRuleError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Version %(v)d published; people who finished the course are told.")
                         % {"v": lesson.added_in_version})
        return redirect(lesson)


class LessonCreateView(FormPage, CreateView):
    permission_required = "training.add_lesson"
    form_class = LessonForm

    def dispatch(self, request, *args, **kwargs):
        self.course = get_object_or_404(Course, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"order": (self.course.lessons.aggregate(m=Max("order"))["m"] or 0) + 1}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("New lesson in %(course)s") % {"course": self.course}
        ctx["cancel_url"] = self.course.get_absolute_url()
        return ctx

    @transaction.atomic
    def form_valid(self, form):
        form.instance.course = self.course
        form.instance.added_in_version = self.course.version
        response = super().form_valid(form)
        if self.object.kind == LessonKind.QUIZ:
            Quiz.objects.get_or_create(lesson=self.object)
            messages.success(self.request, _("Quiz lesson saved. Now add its questions."))
            return redirect("training:quiz_edit", self.object.quiz.pk)
        messages.success(self.request, _("Lesson saved."))
        return response


class LessonEditView(FormPage, UpdateView):
    permission_required = "training.change_lesson"
    form_class = LessonForm
    model = Lesson

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Edit lesson: %(lesson)s") % {"lesson": self.object}
        ctx["cancel_url"] = self.object.get_absolute_url()
        return ctx

    @transaction.atomic
    def form_valid(self, form):
        response = super().form_valid(form)
        if self.object.kind == LessonKind.QUIZ:
            Quiz.objects.get_or_create(lesson=self.object)
        messages.success(self.request, _("Lesson saved."))
        return response


class QuizEditView(FormPage, UpdateView):
    """The quiz settings and its list of questions."""

    permission_required = "training.change_quiz"
    form_class = QuizForm
    model = Quiz
    template_name = "training/quiz_edit.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Quiz: %(lesson)s") % {"lesson": self.object.lesson}
        ctx["questions"] = self.object.questions.prefetch_related("choices")
        return ctx

    def get_success_url(self):
        messages.success(self.request, _("Quiz settings saved."))
        return reverse("training:quiz_edit", args=[self.object.pk])


class QuestionCreateView(FormPage, CreateView):
    permission_required = "training.add_question"
    form_class = QuestionForm

    def dispatch(self, request, *args, **kwargs):
        self.quiz = get_object_or_404(Quiz.objects.select_related("lesson"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"order": (self.quiz.questions.aggregate(m=Max("order"))["m"] or 0) + 1}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("New question for %(lesson)s") % {"lesson": self.quiz.lesson}
        ctx["cancel_url"] = reverse("training:quiz_edit", args=[self.quiz.pk])
        return ctx

    @transaction.atomic
    def form_valid(self, form):
        form.instance.quiz = self.quiz
        form.save()
        messages.success(self.request, _("Question saved."))
        return redirect("training:quiz_edit", self.quiz.pk)


class QuestionEditView(FormPage, UpdateView):
    permission_required = "training.change_question"
    form_class = QuestionForm
    model = Question

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Edit question")
        ctx["cancel_url"] = reverse("training:quiz_edit", args=[self.object.quiz_id])
        return ctx

    @transaction.atomic
    def form_valid(self, form):
        form.save()
        messages.success(self.request, _("Question saved."))
        return redirect("training:quiz_edit", self.object.quiz_id)
