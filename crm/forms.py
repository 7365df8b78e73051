from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Layout
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from hardware_erp.core.forms import PersonChoiceField, PersonMultipleChoiceField, name_people
from hardware_erp.core.uploads import UploadField

from . import customer_fields
from .choices import ChannelChoices, StageChoices
from .models import Contact, Customer, DeliveryAddress, FollowUpTask, Opportunity
from .validators import normalize_mobile

User = get_user_model()
DT_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NoFormTag:
    """generic/form.html draws the <form>; crispy must not draw a second one inside it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


def limit_choices_to_value(form, field_name):
    """Render only the chosen option of a big select (a searchable picker loads the rest by URL)."""
    field = form.fields[field_name]
    value = form[field_name].value()
    chosen = []
    if value not in (None, "") and str(value).isdigit():
        chosen = [(o.pk, str(o)) for o in field.queryset.filter(pk=value)]
    field.widget.choices = [("", "---------")] + chosen


def crm_users():
    """Active users who work with customers (for owner, share and assignee pickers)."""
    return (User.objects.filter(is_active=True, groups__permissions__codename="access_crm",
                                groups__permissions__content_type__app_label="core")
            .distinct().order_by("username"))


def key_field_names(model) -> list[str]:
    """The fields of `model` whose changes wait for approval (governance's key-data table, reached through
    governance.services, its public entry point for key data)."""
    from governance import services as governance_services

    return governance_services.keydata.key_fields_for(model)


def section(title, fields):
    """A heading and a row of fields, each in a column of the width given (twelfths)."""
    return Div(HTML(format_html('<h2 class="h6 text-muted text-uppercase small mt-3">{}</h2>', title)),
               Div(*[Div(Field(name), css_class=f"col-md-{width}") for name, width in fields], css_class="row g-2"))


class CustomerForm(NoFormTag, forms.ModelForm):
    """Fields and layout come from `crm.customer_fields.SECTIONS`; the first contact on creation only, the reason
    for a change (with the key fields named from governance's table) on editing only."""

    contact_name = forms.CharField(label=_("contact name"), max_length=60, required=False)
    contact_position = forms.CharField(label=_("contact position"), max_length=60, required=False)
    contact_mobile = forms.CharField(label=_("contact mobile"), max_length=40, required=False)
    confirm_duplicates = forms.BooleanField(label=_("Save anyway: this is not one of the customers listed above"),
                                            required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("reason for the change"), max_length=255, required=False)

    class Meta:
        model = Customer
        fields = list(customer_fields.FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 3}), "bank_account": forms.TextInput()}

    def __init__(self, *args, creating=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        if not creating:
            for f in ("contact_name", "contact_position", "contact_mobile", "confirm_duplicates"):
                del self.fields[f]
        else:
            del self.fields["reason"]
        self.fields["province"].choices = [("", "—")] + list(self.fields["province"].choices)[1:]
        key_fields = [f for f in key_field_names(Customer) if f in self.fields]
        for name in key_fields:
            self.fields[name].widget.attrs["data-key-field"] = "1"
        if "reason" in self.fields and key_fields:
            self.fields["reason"].help_text = format_lazy(
                _("Changes to {fields} may need a manager's approval; say why."),
                fields=pgettext("list separator", ", ").join(
                    str(Customer._meta.get_field(f).verbose_name) for f in key_fields))
        parts = [section(title, row) for title, row in customer_fields.SECTIONS]
        if creating:
            parts.insert(1, section(_("First contact"), (("contact_name", 4), ("contact_position", 4),
                                                         ("contact_mobile", 4))))
            parts.append(Field("confirm_duplicates"))
        else:
            parts.append(Div(Div(Field("reason"), css_class="col-12"), css_class="row g-2"))
        self.helper.layout = Layout(*parts)

    def clean_contact_mobile(self):
        return normalize_mobile(self.cleaned_data.get("contact_mobile", ""))

    def clean(self):
        data = super().clean()
        if data.get("kind") == "company" and not data.get("credit_code") and data.get("invoice_title"):
            self.add_error("credit_code", _("A company that wants VAT invoices needs its unified social credit code."))
        if self.creating and data.get("contact_mobile") and not data.get("contact_name"):
            self.add_error("contact_name", _("Whose mobile number is this? Enter the contact's name."))
        return data

    def customer_data(self):
        return {f: self.cleaned_data[f] for f in self.Meta.fields if f in self.cleaned_data}

    def contacts_data(self):
        if self.creating and self.cleaned_data.get("contact_name"):
            d = self.cleaned_data
            return [{"name": d["contact_name"], "position": d.get("contact_position", ""),
                     "mobile": d.get("contact_mobile", "")}]
        return []


class ContactForm(NoFormTag, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "position", "mobile", "landline", "email", "wechat", "is_primary", "notes"]
        widgets = {"mobile": forms.TextInput(attrs={"inputmode": "tel"})}

    def clean_mobile(self):
        return normalize_mobile(self.cleaned_data.get("mobile", ""))


class AddressForm(NoFormTag, forms.ModelForm):
    class Meta:
        model = DeliveryAddress
        fields = ["label", "recipient", "phone", "province", "city", "district", "address", "is_default"]


class ContactRecordForm(NoFormTag, forms.Form):
    channel = forms.ChoiceField(label=_("channel"), choices=ChannelChoices.choices, initial=ChannelChoices.CALL)
    occurred_at = forms.DateTimeField(label=_("when (empty: now)"), widget=DT_INPUT, required=False)
    contact = forms.ModelChoiceField(label=_("contact"), queryset=Contact.objects.none(), required=False)
    opportunity = forms.ModelChoiceField(label=_("opportunity"), queryset=Opportunity.objects.none(), required=False)
    summary = forms.CharField(label=_("summary"), max_length=4000, widget=forms.Textarea(attrs={
        "rows": 2, "placeholder": _("What was said or done?")}))
    next_step = forms.CharField(label=_("next step"), max_length=255, required=False)
    next_due_at = forms.DateTimeField(label=_("follow up at (creates a task)"), widget=DT_INPUT, required=False)

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = customer.contacts.all()
        self.fields["opportunity"].queryset = customer.opportunities.filter(stage__in=StageChoices.values[:4])

    def clean(self):
        data = super().clean()
        if data.get("next_due_at") and not data.get("next_step"):
            self.add_error("next_step", _("Say what the next step is, or leave its due time empty."))
        if data.get("next_due_at") and data["next_due_at"] < timezone.now():
            self.add_error("next_due_at", _("A follow-up is due in the future."))
        return data


class ReassignForm(NoFormTag, forms.Form):
    owner = PersonChoiceField(label=_("new owner"), queryset=User.objects.none())
    note = forms.CharField(label=_("reason"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = crm_users()


class ShareForm(NoFormTag, forms.Form):
    users = PersonMultipleChoiceField(label=_("shared with"), queryset=User.objects.none(), required=False,
                                      widget=forms.SelectMultiple(attrs={"data-picker": ""}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = crm_users()


class MergeForm(NoFormTag, forms.Form):
    other = forms.ModelChoiceField(label=_("duplicate to merge into this customer"), queryset=Customer.objects.none(),
                                   widget=forms.Select(attrs={"data-picker": ""}))

    def __init__(self, *args, customer, lookup_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = Customer.objects.active().exclude(pk=customer.pk)
        self.fields["other"].widget.attrs["data-url"] = lookup_url


class OpportunityForm(NoFormTag, forms.ModelForm):
    class Meta:
        model = Opportunity
        fields = ["customer", "title", "stage", "amount", "expected_close", "probability", "products_of_interest",
                  "owner", "lost_reason"]
        widgets = {"expected_close": DATE_INPUT, "products_of_interest": forms.Textarea(attrs={"rows": 3}),
                   "customer": forms.Select(attrs={"data-picker": ""})}

    def __init__(self, *args, user, lookup_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.for_user(user)
        self.fields["customer"].widget.attrs["data-url"] = lookup_url
        self.fields["owner"].queryset = crm_users()
        name_people(self.fields["owner"])
        self.fields["owner"].required = False
        if self.instance.pk:
            del self.fields["customer"]
            del self.fields["stage"]
            del self.fields["lost_reason"]

    def clean(self):
        data = super().clean()
        if data.get("stage") == StageChoices.LOST and not data.get("lost_reason"):
            self.add_error("lost_reason", _("Say why the opportunity was lost."))
        return data


class MoveForm(forms.Form):
    stage = forms.ChoiceField(choices=StageChoices.choices)
    lost_reason = forms.CharField(max_length=255, required=False)


class TaskForm(NoFormTag, forms.ModelForm):
    class Meta:
        model = FollowUpTask
        fields = ["customer", "opportunity", "title", "due_at", "assignee"]
        widgets = {"due_at": DT_INPUT, "customer": forms.Select(attrs={"data-picker": ""})}

    def __init__(self, *args, user, lookup_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.for_user(user)
        self.fields["customer"].widget.attrs["data-url"] = lookup_url
        self.fields["opportunity"].queryset = Opportunity.objects.for_user(user).filter(
            stage__in=StageChoices.values[:4]).select_related("customer")
        self.fields["assignee"].queryset = crm_users()
        name_people(self.fields["assignee"])
        self.fields["assignee"].initial = user.pk
        self.fields["due_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class CompleteTaskForm(NoFormTag, forms.Form):
    outcome = forms.CharField(label=_("outcome"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class ReportPeriodForm(forms.Form):
    start = forms.DateField(label=pgettext_lazy("crm", "from"), widget=DATE_INPUT)
    end = forms.DateField(label=pgettext_lazy("crm", "to"), widget=DATE_INPUT)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("what"), choices=[("customers", _("Customers (with a first contact)")),
                                                      ("contacts", _("Contacts of existing customers"))])
    file = UploadField(label=_("file (.xlsx or .csv)"), allowed=("xlsx", "csv"))
