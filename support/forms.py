from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hardware_erp.core.forms import PersonChoiceField
from hardware_erp.core.links import site_url
from hardware_erp.core.uploads import MultipleUploadField

from .choices import TicketCategory, TicketPriority
from .models import CalendarDay, Incident, InspectionResult, MaintenanceWindow, SLAPolicy, Suggestion, System, Ticket
from .uploads import ATTACHMENT_KINDS


class TicketForm(forms.ModelForm):
    attachments = MultipleUploadField(label=_("Screenshot or file"), allowed=ATTACHMENT_KINDS,
                                      help_text=_("Pictures, PDF, Office documents or text files."))

    class Meta:
        model = Ticket
        fields = ["category", "priority", "subject", "description", "page_url"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6}),
                   "page_url": forms.TextInput(attrs={"readonly": True})}
        help_texts = {"description": _("What happened, what you expected, and any error message.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].required = False
        self.fields["subject"].help_text = _("A short title; the start of the description if left empty.")
        self.fields["description"].error_messages["required"] = _("Describe the problem: the description is "
                                                                  "required.")
        self.fields["category"].choices = TicketCategory.choices
        self.fields["priority"].choices = TicketPriority.choices

    def clean_page_url(self):
        value = (self.cleaned_data.get("page_url") or "").strip()
        if value and not site_url(value):
            raise forms.ValidationError(_("Only a page of this system can be given here."), code="not_site_url")
        return value


class MessageForm(forms.Form):
    body = forms.CharField(label=pgettext_lazy("support", "Message"), widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("Write a message.")})
    internal = forms.BooleanField(label=_("Internal note (IT staff only)"), required=False)
    attachments = MultipleUploadField(label=_("Attach files"), allowed=ATTACHMENT_KINDS)


class AssignForm(forms.Form):
    assignee = PersonChoiceField(label=_("Assignee"), queryset=None, required=False,
                                      empty_label=_("(nobody)"))

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=TicketPriority.choices)


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("How satisfied are you?"), coerce=int,
                                    choices=[(i, str(i)) for i in range(5, 0, -1)], widget=forms.RadioSelect,
                                    error_messages={"required": _("Choose a rating from 1 to 5.")})
    comment = forms.CharField(label=pgettext_lazy("support", "Comment"), required=False, max_length=500)


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "note"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class IncidentForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = ["title", "severity", "description", "systems", "departments", "started_at",
                  "estimated_recovery_at"]
        widgets = {"started_at": DateTimeInput(), "estimated_recovery_at": DateTimeInput(),
                   "description": forms.Textarea(attrs={"rows": 3}),
                   "systems": forms.CheckboxSelectMultiple, "departments": forms.CheckboxSelectMultiple}

    def clean(self):
        d = super().clean()
        if d.get("started_at") and d.get("estimated_recovery_at") and d["estimated_recovery_at"] <= d["started_at"]:
            self.add_error("estimated_recovery_at", _("The estimated recovery must be after the start."))
        return d


class IncidentUpdateForm(forms.Form):
    body = forms.CharField(label=_("Update"), widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": _("Write what has changed.")})
    estimated_recovery_at = forms.DateTimeField(label=_("New estimated recovery"), required=False,
                                                widget=DateTimeInput())


class IncidentResolveForm(forms.Form):
    body = forms.CharField(label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class IncidentReviewForm(forms.Form):
    cause = forms.CharField(label=_("Cause"), widget=forms.Textarea(attrs={"rows": 3}),
                            error_messages={"required": _("Write the cause.")})
    actions = forms.CharField(label=_("Actions to prevent it"), widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": _("Write the actions.")})


class SystemForm(forms.ModelForm):
    class Meta:
        model = System
        fields = ["code", "name", "description", "owner", "plan_contacts", "plan_steps", "plan_reviewed_at"]
        widgets = {"plan_reviewed_at": forms.DateInput(attrs={"type": "date"}),
                   "description": forms.Textarea(attrs={"rows": 2}),
                   "plan_contacts": forms.Textarea(attrs={"rows": 4}), "plan_steps": forms.Textarea(attrs={"rows": 6})}


class MaintenanceForm(forms.ModelForm):
    class Meta:
        model = MaintenanceWindow
        fields = ["title", "description", "systems", "starts_at", "ends_at", "announce_from"]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput(), "announce_from": DateTimeInput(),
                   "description": forms.Textarea(attrs={"rows": 3}), "systems": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["announce_from"].required = False
        self.fields["announce_from"].help_text = _("Empty: two days before it starts.")

    def clean(self):
        d = super().clean()
        if d.get("starts_at") and d.get("ends_at") and d["ends_at"] <= d["starts_at"]:
            self.add_error("ends_at", _("The window must end after it starts."))
        if d.get("announce_from") and d.get("starts_at") and d["announce_from"] > d["starts_at"]:
            self.add_error("announce_from", _("Announce the window before it starts."))
        return d


class SuggestionForm(forms.ModelForm):
    class Meta:
        model = Suggestion
        fields = ["title", "area", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].error_messages["required"] = _("Describe your suggestion.")


class AnswerForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Suggestion.Status.choices)
    answer = forms.CharField(label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class InspectionForm(forms.Form):
    """One result field and one note field per checklist item."""

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"result_{item.pk}"] = forms.ChoiceField(
                label=item.text, choices=InspectionResult.Result.choices, widget=forms.RadioSelect,
                error_messages={"required": _("Give a result for this item.")})
            self.fields[f"note_{item.pk}"] = forms.CharField(label=_("Note"), required=False, max_length=300)

    def clean(self):
        d = super().clean()
        for item in self.items:
            if d.get(f"result_{item.pk}") == "failed" and not d.get(f"note_{item.pk}"):
                self.add_error(f"note_{item.pk}", _("Say what failed: the note becomes the ticket."))
        return d

    def results(self):
        return {i.pk: (self.cleaned_data[f"result_{i.pk}"], self.cleaned_data[f"note_{i.pk}"]) for i in self.items}

    def rows(self):
        return [(item, self[f"result_{item.pk}"], self[f"note_{item.pk}"]) for item in self.items]


class ReportForm(forms.Form):
    start = forms.DateField(label=pgettext_lazy("support", "From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}))
    end = forms.DateField(label=_("To (inclusive)"), required=False,
                          widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}))
    category = forms.ChoiceField(label=pgettext_lazy("support", "Category"), required=False,
                                 choices=[("", _("All categories")), *TicketCategory.choices],
                                 widget=forms.Select(attrs={"class": "form-select"}))

    def clean(self):
        d = super().clean()
        if d.get("start") and d.get("end") and d["end"] < d["start"]:
            self.add_error("end", _("The end must not be before the start."))
        return d


class SLAPolicyForm(forms.ModelForm):
    class Meta:
        model = SLAPolicy
        fields = ["response_hours", "resolution_hours", "warn_percent"]
        widgets = {name: forms.NumberInput(attrs={"class": "form-control", "step": "0.25" if name != "warn_percent"
                                                  else "1"})
                   for name in fields}

    def clean(self):
        d = super().clean()
        if d.get("response_hours") and d.get("resolution_hours") and d["resolution_hours"] < d["response_hours"]:
            self.add_error("resolution_hours", _("The resolution target cannot be shorter than the first response."))
        return d


class AssignmentRulesForm(forms.Form):
    """One IT person (or nobody) per category."""

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in TicketCategory.choices:
            self.fields[value] = PersonChoiceField(label=label, queryset=staff, required=False,
                                                  empty_label=_("(nobody: IT is told)"))

    def rules(self):
        return {category: self.cleaned_data[category] for category in TicketCategory.values}
