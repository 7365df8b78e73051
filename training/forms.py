from django import forms
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.roles import ROLES
from hardware_erp.core.uploads import check_upload

from .choices import LessonKind, QuestionKind
from .models import (
    Course,
    ExternalTraining,
    Lesson,
    LibraryItem,
    PlanCourse,
    Question,
    Quiz,
    SessionFeedback,
    TrainingGate,
    TrainingSession,
)
from .permissions import permission_choices

User = get_user_model()
LESSON_FILE_KINDS = {LessonKind.DOCUMENT: ("pdf", "slides"), LessonKind.VIDEO: ("video",),
                     LessonKind.TEXT: ("image",), LessonKind.PRACTICE: ("image", "pdf")}
LIBRARY_FILE_KINDS = ("pdf", "slides", "video", "image")


class CourseForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(label=_("Roles"), required=False, widget=forms.CheckboxSelectMultiple,
                                      choices=[(k, r.label) for k, r in ROLES.items()],
                                      help_text=_("Leave empty for everyone."))

    class Meta:
        model = Course
        fields = ["code", "module", "title_zh", "title_en", "summary_zh", "summary_en", "roles", "status",
                  "estimated_minutes"]
        widgets = {"summary_zh": forms.Textarea(attrs={"rows": 3}), "summary_en": forms.Textarea(attrs={"rows": 3})}


class LessonForm(forms.ModelForm):
    class Meta:
        model = Lesson
        fields = ["order", "kind", "title_zh", "title_en", "body_zh", "body_en", "file", "video_url",
                  "practice_url_name", "requires_signoff"]
        widgets = {"body_zh": forms.Textarea(attrs={"rows": 8}), "body_en": forms.Textarea(attrs={"rows": 8})}

    def clean_practice_url_name(self):
        name = self.cleaned_data["practice_url_name"].strip()
        if name:
            try:
                reverse(name)
            except NoReverseMatch:
                raise forms.ValidationError(_("No page of the system is called %(name)s (it must open without "
                                              "parameters, e.g. crm:customer_list).") % {"name": name})
        return name

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        upload = self.files.get("file")
        if upload and kind:
            allowed = LESSON_FILE_KINDS.get(kind)
            if not allowed:
                self.add_error("file", _("A quiz lesson takes no file."))
            else:
                try:
                    self.instance.file_type = check_upload(upload, allowed).group
                except forms.ValidationError as exc:
                    self.add_error("file", exc)
        if kind == LessonKind.VIDEO and not (upload or data.get("video_url") or self.instance.file):
            self.add_error("video_url", _("A video lesson needs a video file or a link."))
        if kind == LessonKind.DOCUMENT and not (upload or self.instance.file):
            self.add_error("file", _("A document lesson needs a PDF or slides file."))
        if kind == LessonKind.PRACTICE and not data.get("practice_url_name"):
            self.add_error("practice_url_name", _("A practice task points to the page it is done on."))
        if not data.get("title_zh") and not data.get("title_en"):
            self.add_error("title_zh", _("Give the lesson a title."))
        return data


class QuizForm(forms.ModelForm):
    class Meta:
        model = Quiz
        fields = ["pass_mark", "max_attempts", "time_limit_minutes", "shuffle"]

    def clean_pass_mark(self):
        v = self.cleaned_data["pass_mark"]
        if not 1 <= v <= 100:
            raise forms.ValidationError(_("The pass mark is a percentage between 1 and 100."))
        return v

    def clean_max_attempts(self):
        v = self.cleaned_data["max_attempts"]
        if v < 1:
            raise forms.ValidationError(_("Allow at least one attempt."))
        return v


class QuestionForm(forms.ModelForm):
    options = forms.CharField(
        label=_("Options"), widget=forms.Textarea(attrs={"rows": 5}), required=False,
        help_text=_("One option per line, Chinese | English; start the correct ones with *. "
                    "True/false questions need no options: mark the answer below."))
    true_answer = forms.BooleanField(label=_("The statement is true"), required=False)

    class Meta:
        model = Question
        fields = ["order", "kind", "text_zh", "text_en", "explanation_zh", "explanation_en"]
        widgets = {f: forms.Textarea(attrs={"rows": 2}) for f in
                   ("text_zh", "text_en", "explanation_zh", "explanation_en")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            choices = list(self.instance.choices.filter(retired=False))
            if self.instance.kind == QuestionKind.TRUE_FALSE:
                self.initial["true_answer"] = any(c.is_correct and c.order == 1 for c in choices)
            else:
                self.initial["options"] = "\n".join(
                    ("*" if c.is_correct else "") + c.text_zh + (f" | {c.text_en}" if c.text_en else "")
                    for c in choices)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        parsed = []
        if kind == QuestionKind.TRUE_FALSE:
            truth = data.get("true_answer", False)
            parsed = [("对", "True", truth), ("错", "False", not truth)]
        elif kind:
            for line in (data.get("options") or "").splitlines():
                line = line.strip()
                if not line:
                    continue
                correct = line.startswith("*")
                zh, _sep, en = line.lstrip("*").partition("|")
                parsed.append((zh.strip()[:300], en.strip()[:300], correct))
            n_correct = sum(1 for p in parsed if p[2])
            if len(parsed) < 2:
                self.add_error("options", _("Give at least two options."))
            elif n_correct == 0:
                self.add_error("options", _("Mark the correct option(s) with *."))
            elif kind == QuestionKind.SINGLE and n_correct != 1:
                self.add_error("options", _("A single-choice question has exactly one correct option."))
        self.parsed_options = parsed
        return data


class VersionForm(forms.Form):
    notes_zh = forms.CharField(label=_("What's new (Chinese)"), widget=forms.Textarea(attrs={"rows": 6}),
                               required=False)
    notes_en = forms.CharField(label=_("What's new (English)"), widget=forms.Textarea(attrs={"rows": 6}),
                               required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("notes_zh") or "").strip() and not (data.get("notes_en") or "").strip():
            raise forms.ValidationError(_("Describe what changed in this version."))
        return data


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username


class MentorForm(forms.Form):
    mentor = UserChoiceField(label=_("Choose another mentor"), queryset=User.objects.filter(is_active=True)
                             .order_by("username"))


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("Ask or answer a question…")}))


class SessionForm(forms.ModelForm):
    class Meta:
        model = TrainingSession
        fields = ["title_zh", "title_en", "description_zh", "description_en", "module", "trainer", "starts_at",
                  "ends_at", "place", "online_url", "capacity"]
        widgets = {"starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                   "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                   "description_zh": forms.Textarea(attrs={"rows": 3}),
                   "description_en": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"] = UserChoiceField(label=_("Trainer"), queryset=User.objects.filter(is_active=True)
                                                 .order_by("username"))

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The session must end after it starts."))
        if not data.get("place") and not data.get("online_url"):
            self.add_error("place", _("Give a place or an online link."))
        if data.get("capacity") is not None and data["capacity"] < 1:
            self.add_error("capacity", _("A session has at least one seat."))
        return data


class FeedbackForm(forms.ModelForm):
    rating = forms.TypedChoiceField(label=_("Rating"), coerce=int, widget=forms.RadioSelect,
                                    choices=[(i, "★" * i) for i in range(5, 0, -1)])

    class Meta:
        model = SessionFeedback
        fields = ["rating", "useful", "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 3})}


class ExternalTrainingForm(forms.ModelForm):
    class Meta:
        model = ExternalTraining
        fields = ["kind", "title", "provider", "start_date", "end_date", "hours", "certificate", "notes"]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"}),
                   "end_date": forms.DateInput(attrs={"type": "date"}),
                   "notes": forms.Textarea(attrs={"rows": 3})}

    def clean_certificate(self):
        upload = self.files.get("certificate")
        if upload:
            check_upload(upload, ("pdf", "image"))
        return self.cleaned_data.get("certificate")

    def clean(self):
        data = super().clean()
        if data.get("end_date") and data.get("start_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The end date is before the start date."))
        if data.get("hours") is not None and not (0 < data["hours"] <= 1000):
            self.add_error("hours", _("Hours must be between 0 and 1000."))
        return data


class LibraryItemForm(forms.ModelForm):
    class Meta:
        model = LibraryItem
        fields = ["kind", "module", "title_zh", "title_en", "body_zh", "body_en", "tags", "file", "video_url"]
        widgets = {"body_zh": forms.Textarea(attrs={"rows": 8}), "body_en": forms.Textarea(attrs={"rows": 8})}

    def clean(self):
        data = super().clean()
        upload = self.files.get("file")
        if upload:
            try:
                self.instance.file_type = check_upload(upload, LIBRARY_FILE_KINDS).group
            except forms.ValidationError as exc:
                self.add_error("file", exc)
        if not data.get("title_zh") and not data.get("title_en"):
            self.add_error("title_zh", _("Give the item a title."))
        if not (data.get("body_zh") or data.get("body_en") or upload or self.instance.file or data.get("video_url")):
            self.add_error("body_zh", _("Write some content, attach a file or give a video link."))
        return data


class GateForm(forms.ModelForm):
    permission = forms.ChoiceField(label=_("Permission"), choices=lambda: [("", "---------"), *permission_choices()],
                                   help_text=_("The action that needs the course first."))

    class Meta:
        model = TrainingGate
        fields = ["permission", "course", "active", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.published()


class PlanCourseForm(forms.ModelForm):
    class Meta:
        model = PlanCourse
        fields = ["course", "order", "due_days", "required"]
