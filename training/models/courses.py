import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from hardware_erp.core.models import TimeStampedModel

from ..choices import CourseStatus, EnrollmentSource, LessonKind, ModuleChoices, QuestionKind
from .base import Bilingual, in_language


class CourseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=CourseStatus.PUBLISHED)

    def for_user(self, user):
        """Trainers see drafts too; everyone else sees published courses."""
        if user.has_perm("training.change_course"):
            return self
        return self.published()


class Course(Bilingual, TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    module = models.CharField(_("module"), max_length=20, choices=ModuleChoices.choices, db_index=True)
    roles = models.JSONField(_("roles"), default=list, blank=True,
                             help_text=_("Role keys this course is meant for; empty means everyone."))
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=CourseStatus.choices, default=CourseStatus.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    estimated_minutes = models.PositiveIntegerField(_("estimated minutes"), default=30)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("trainer"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="owned_courses")
    history = HistoricalRecords()

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["module", "code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def get_absolute_url(self):
        return reverse("training:course", args=[self.pk])

    @property
    def summary(self):
        return in_language(self, "summary")


class Lesson(Bilingual, TimeStampedModel):
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="lessons")
    order = models.PositiveIntegerField(pgettext_lazy("training", "order"), default=1)
    kind = models.CharField(_("kind"), max_length=12, choices=LessonKind.choices, default=LessonKind.TEXT)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_zh = models.TextField(_("content (Chinese)"), blank=True, help_text=_("Markdown: **bold**, lists, links."))
    body_en = models.TextField(_("content (English)"), blank=True, help_text=_("Markdown: **bold**, lists, links."))
    file = models.FileField(_("file"), upload_to="training/lessons/%Y/%m/", blank=True,
                            help_text=_("PDF or PowerPoint for documents, MP4/WebM for videos, PNG/JPEG image "
                                        "for readings."))
    file_type = models.CharField(_("file type"), max_length=40, blank=True, editable=False)
    video_url = models.URLField(_("video link"), blank=True)
    practice_url_name = models.CharField(_("practice page"), max_length=100, blank=True,
                                         help_text=_("The page of the system the task is done on, e.g. "
                                                     "crm:customer_list."))
    requires_signoff = models.BooleanField(_("mentor signs off"), default=False)
    added_in_version = models.PositiveIntegerField(_("added in version"), default=1)
    whats_new = models.BooleanField(_("“what's new” lesson"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["course", "order", "pk"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def get_absolute_url(self):
        return reverse("training:lesson", args=[self.pk])

    @property
    def body(self):
        return in_language(self, "body")

    @property
    def practice_url(self) -> str:
        from django.urls import NoReverseMatch

        if not self.practice_url_name:
            return ""
        for name in (self.practice_url_name, self.practice_url_name.split(":")[0] + ":index"):
            try:
                return reverse(name)
            except NoReverseMatch:
                continue
        return ""


class Quiz(TimeStampedModel):
    lesson = models.OneToOneField(Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="quiz")
    pass_mark = models.PositiveIntegerField(_("pass mark (%)"), default=80)
    max_attempts = models.PositiveIntegerField(_("attempts allowed"), default=3)
    time_limit_minutes = models.PositiveIntegerField(_("time limit (minutes)"), default=20,
                                                     help_text=_("0 means no limit."))
    shuffle = models.BooleanField(_("shuffle questions and options"), default=True)

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [models.CheckConstraint(condition=Q(pass_mark__lte=100), name="quiz_pass_mark_le_100")]

    def __str__(self):
        return str(self.lesson)


class Question(TimeStampedModel):
    quiz = models.ForeignKey(Quiz, verbose_name=_("quiz"), on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField(pgettext_lazy("training", "order"), default=1)
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    text_zh = models.TextField(_("question (Chinese)"))
    text_en = models.TextField(_("question (English)"), blank=True)
    explanation_zh = models.TextField(_("explanation (Chinese)"), blank=True)
    explanation_en = models.TextField(_("explanation (English)"), blank=True)

    class Meta:
        ordering = ["quiz", "order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.text[:80]

    @property
    def text(self):
        return in_language(self, "text")

    @property
    def explanation(self):
        return in_language(self, "explanation")


class Choice(models.Model):
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.CASCADE,
                                 related_name="choices")
    order = models.PositiveIntegerField(pgettext_lazy("training", "order"), default=1)
    text_zh = models.CharField(_("option (Chinese)"), max_length=300)
    text_en = models.CharField(_("option (English)"), max_length=300, blank=True)
    is_correct = models.BooleanField(_("correct"), default=False)
    retired = models.BooleanField(_("retired"), default=False,
                                  help_text=_("Removed from the question after people answered it: kept so that "
                                              "their attempts still show it, never offered again."))

    class Meta:
        ordering = ["question", "order", "pk"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self):
        return self.text

    @property
    def text(self):
        return in_language(self, "text")


class EnrollmentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(completed_at__isnull=True)

    def for_user(self, user):
        """Own enrollments; mentees' for mentors; everyone's for trainers and managers with view permission."""
        if user.has_perm("training.view_team_progress"):
            return self
        return self.filter(Q(user=user) | Q(assignment__mentor=user)).distinct()


class Enrollment(TimeStampedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("learner"), on_delete=models.CASCADE,
                             related_name="training_enrollments")
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT,
                               related_name="enrollments")
    assignment = models.ForeignKey("training.PlanAssignment", verbose_name=_("onboarding plan"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="enrollments")
    source = models.CharField(pgettext_lazy("training", "source"), max_length=10, choices=EnrollmentSource.choices,
                              default=EnrollmentSource.SELF)
    required = models.BooleanField(_("required"), default=False)
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True, db_index=True)
    completed_version = models.PositiveIntegerField(_("completed version"), null=True, blank=True)
    progress = models.PositiveIntegerField(_("progress (%)"), default=0)
    history = HistoricalRecords()

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        permissions = [("view_team_progress", _("Can see the training progress of every employee"))]
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="enrollment_once_per_course")]

    def __str__(self):
        return f"{self.user} · {self.course}"

    def get_absolute_url(self):
        return reverse("training:course", args=[self.course_id])

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return bool(self.due_date and not self.completed_at and self.due_date < timezone.localdate())

    @property
    def state(self) -> str:
        if self.completed_at:
            return "completed"
        if self.is_overdue:
            return "overdue"
        return "in_progress" if self.started_at else "not_started"


class LessonProgress(models.Model):
    enrollment = models.ForeignKey(Enrollment, verbose_name=_("enrollment"), on_delete=models.CASCADE,
                                   related_name="lesson_progress")
    lesson = models.ForeignKey(Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="progress")
    submitted_at = models.DateTimeField(_("done by the learner"), null=True, blank=True)
    note = models.TextField(_("learner's note"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed off by"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [models.UniqueConstraint(fields=["enrollment", "lesson"], name="lesson_progress_once")]

    def __str__(self):
        return f"{self.enrollment} · {self.lesson}"


class QuizAttempt(models.Model):
    quiz = models.ForeignKey(Quiz, verbose_name=_("quiz"), on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("learner"), on_delete=models.CASCADE,
                             related_name="quiz_attempts")
    number = models.PositiveIntegerField(_("attempt"))
    seed = models.PositiveIntegerField(default=0, editable=False)
    # what the attempt showed, in its order: [[question id, [choice ids]], ...]; graded and shown against it
    shown = models.JSONField(default=list, editable=False)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, db_index=True)
    score = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField(pgettext_lazy("training", "passed"), default=False)
    expired = models.BooleanField(_("expired"), default=False)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        constraints = [models.UniqueConstraint(fields=["quiz", "user", "number"], name="attempt_number_once")]

    def __str__(self):
        return f"{self.quiz} #{self.number} {self.user}"

    def get_absolute_url(self):
        return reverse("training:attempt", args=[self.pk])


class AttemptAnswer(models.Model):
    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    selected = models.JSONField(default=list)
    correct = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["attempt", "question"], name="answer_once_per_question")]

    def __str__(self):
        return f"{self.attempt} · {self.question_id}"


def _certificate_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


class Certificate(models.Model):
    enrollment = models.OneToOneField(Enrollment, verbose_name=_("enrollment"), on_delete=models.CASCADE,
                                      related_name="certificate")
    code = models.CharField(_("verification code"), max_length=20, unique=True, default=_certificate_code)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    holder_name = models.CharField(_("holder"), max_length=200)
    course_title_zh = models.CharField(max_length=200)
    course_title_en = models.CharField(max_length=200, blank=True)
    course_version = models.PositiveIntegerField(default=1)
    score = models.DecimalField(_("best quiz score (%)"), max_digits=5, decimal_places=1, null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self):
        return self.code

    @property
    def course_title(self):
        return in_language(self, "course_title")

    def get_absolute_url(self):
        return reverse("training:verify", args=[self.code])


class TrainingGate(TimeStampedModel):
    """A permission that a person may use only after passing a course."""

    permission = models.CharField(_("permission"), max_length=150, db_index=True,
                                  help_text=_("app_label.codename, e.g. inventory.approve_stocktake"))
    course = models.ForeignKey(Course, verbose_name=_("course to pass"), on_delete=models.PROTECT,
                               related_name="gates")
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["permission"]
        verbose_name = _("training gate")
        verbose_name_plural = _("training gates")
        constraints = [models.UniqueConstraint(fields=["permission", "course"], name="gate_once_per_course")]

    def __str__(self):
        return f"{self.permission_label} ← {self.course}"

    @property
    def permission_label(self) -> str:
        from ..permissions import permission_label

        return permission_label(self.permission)
