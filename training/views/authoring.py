"""Trainer pages: courses, lessons, quizzes and their questions, new versions. Each page's valid form goes to
one service (ServiceFormView); the forms only validate."""

from django.db.models import Max, Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.views import ServiceFormView

from .. import services
from ..choices import LessonKind
from ..forms import CourseForm, LessonForm, QuestionForm, QuizForm, VersionForm
from ..models import Choice, Course, Lesson, Question, Quiz


class CourseCreateView(ServiceFormView):
    module = "training"
    permission_required = "training.add_course"
    form_class = CourseForm
    title = _("New course")
    success_message = _("Course saved. Now add its lessons.")
    cancel_url = reverse_lazy("training:course_list")

    def perform(self, form):
        return services.save_course(self.object, actor=self.request.user, **form.cleaned_data)


class CourseEditView(CourseCreateView):
    permission_required = "training.change_course"
    success_message = _("Course saved.")
    cancel_url = None

    def get_object(self):
        return get_object_or_404(Course, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Edit %(course)s") % {"course": self.object}
        return ctx


class CourseVersionView(ServiceFormView):
    module = "training"
    permission_required = "training.change_course"
    form_class = VersionForm
    submit_label = _("Publish the new version")

    @cached_property
    def course(self):
        return get_object_or_404(Course, pk=self.kwargs["pk"])

    def get_cancel_url(self):
        return self.course.get_absolute_url()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("New version of %(course)s (now version %(v)d)") % {"course": self.course,
                                                                             "v": self.course.version}
        return ctx

    def get_success_message(self, result):
        return _("Version %(v)d published; people who finished the course are told.") % {
            "v": result.added_in_version}

    def perform(self, form):
        return services.publish_new_version(self.course, notes_zh=form.cleaned_data["notes_zh"],
                                            notes_en=form.cleaned_data["notes_en"], actor=self.request.user)


class LessonCreateView(ServiceFormView):
    module = "training"
    permission_required = "training.add_lesson"
    form_class = LessonForm

    @cached_property
    def course(self):
        return get_object_or_404(Course, pk=self.kwargs["pk"])

    def get_initial(self):
        return {"order": (self.course.lessons.aggregate(m=Max("order"))["m"] or 0) + 1}

    def get_cancel_url(self):
        return self.course.get_absolute_url()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("New lesson in %(course)s") % {"course": self.course}
        return ctx

    def get_success_url(self, result=None):
        if result.kind == LessonKind.QUIZ:
            return reverse("training:quiz_edit", args=[result.quiz.pk])
        return result.get_absolute_url()

    def get_success_message(self, result):
        if result.kind == LessonKind.QUIZ:
            return _("Quiz lesson saved. Now add its questions.")
        return _("Lesson saved.")

    def perform(self, form):
        return services.save_lesson(self.course, self.object, actor=self.request.user,
                                    file_type=form.instance.file_type, **form.cleaned_data)


class LessonEditView(LessonCreateView):
    permission_required = "training.change_lesson"

    def get_object(self):
        return get_object_or_404(Lesson.objects.select_related("course"), pk=self.kwargs["pk"])

    @cached_property
    def course(self):
        return self.object.course

    def get_initial(self):
        return {}

    def get_cancel_url(self):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Edit lesson: %(lesson)s") % {"lesson": self.object}
        return ctx

    def get_success_url(self, result=None):
        return result.get_absolute_url()

    def get_success_message(self, result):
        return _("Lesson saved.")


class QuizEditView(ServiceFormView):
    """The quiz settings and its list of questions."""

    module = "training"
    permission_required = "training.change_quiz"
    form_class = QuizForm
    template_name = "training/quiz_edit.html"
    success_message = _("Quiz settings saved.")

    def get_object(self):
        return get_object_or_404(Quiz.objects.select_related("lesson__course"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["quiz"] = self.object
        ctx["title"] = _("Quiz: %(lesson)s") % {"lesson": self.object.lesson}
        ctx["questions"] = self.object.questions.prefetch_related(
            Prefetch("choices", queryset=Choice.objects.filter(retired=False)))
        return ctx

    def get_success_url(self, result=None):
        return reverse("training:quiz_edit", args=[self.object.pk])

    def perform(self, form):
        return services.save_quiz_settings(self.object, actor=self.request.user, **form.cleaned_data)


class QuestionCreateView(ServiceFormView):
    module = "training"
    permission_required = "training.add_question"
    form_class = QuestionForm
    success_message = _("Question saved.")

    @cached_property
    def quiz(self):
        return get_object_or_404(Quiz.objects.select_related("lesson"), pk=self.kwargs["pk"])

    def get_initial(self):
        return {"order": (self.quiz.questions.aggregate(m=Max("order"))["m"] or 0) + 1}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("New question for %(lesson)s") % {"lesson": self.quiz.lesson}
        return ctx

    def get_cancel_url(self):
        return reverse("training:quiz_edit", args=[self.quiz.pk])

    def get_success_url(self, result=None):
        return self.get_cancel_url()

    def perform(self, form):
        return services.save_question(self.quiz, fields=form.cleaned_data, options=form.parsed_options,
                                      actor=self.request.user)


class QuestionEditView(QuestionCreateView):
    permission_required = "training.change_question"
    title = _("Edit question")

    def get_object(self):
        return get_object_or_404(Question, pk=self.kwargs["pk"])

    @cached_property
    def quiz(self):
        return Quiz.objects.select_related("lesson").get(pk=self.object.quiz_id)

    def get_initial(self):
        return {}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.title
        return ctx

    def perform(self, form):
        return services.save_question(self.quiz, question=self.object, fields=form.cleaned_data,
                                      options=form.parsed_options, actor=self.request.user)
