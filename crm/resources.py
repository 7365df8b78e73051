"""django-import-export resources: customers (with a first contact) and contacts.

Import is create-only and goes row by row through the same rules as the forms: the model validators
(credit code), the mobile check, labels or codes for choices in either language. The import view
runs a dry run first (every row's errors and duplicate warnings) and writes nothing until confirmed;
with any error the whole import is refused and rolled back.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from . import customer_fields
from .choices import (
    CustomerEventKind,
    CustomerKindChoices,
    CustomerLevelChoices,
    CustomerSourceChoices,
    CustomerTypeChoices,
)
from .models import Contact, Customer, CustomerEvent
from .validators import normalize_credit_code, normalize_mobile

User = get_user_model()


class ChoiceWidget(widgets.Widget):
    """A choice by its code (retailer), English label (Retailer) or Chinese label (零售商)."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices

    def lookup(self):
        table = {}
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                for value, label in self.choices.choices:
                    table[str(label).strip().casefold()] = value
        for value in self.choices.values:
            table[value.casefold()] = value
        return table

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return None
        found = self.lookup().get(text.casefold())
        if found is None:
            raise ValueError(_("“%(value)s” is not one of: %(choices)s") % {
                "value": text, "choices": ", ".join(str(lbl) for _v, lbl in self.choices.choices)})
        return found

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value in self.choices.values else (value or "")


class NumberWidget(widgets.Widget):
    """A number (money with 2 places, or whole days) with a readable message when it is not one."""

    def __init__(self, integer=False, **kwargs):
        super().__init__(**kwargs)
        self.integer = integer

    def clean(self, value, row=None, **kwargs):
        from decimal import Decimal, InvalidOperation

        text = str(value if value is not None else "").replace(",", "").replace("¥", "").strip()
        if not text:
            return 0 if self.integer else Decimal("0.00")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("“%(value)s” is not a number.") % {"value": value})
        if number < 0:
            raise ValueError(_("“%(value)s” must not be negative.") % {"value": value})
        if self.integer:
            if number != number.to_integral_value():
                raise ValueError(_("“%(value)s” must be a whole number.") % {"value": value})
            return int(number)
        from hardware_erp.core.money import money

        return money(number)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class UserWidget(widgets.ForeignKeyWidget):
    def __init__(self, **kwargs):
        super().__init__(User, field="username", **kwargs)

    def clean(self, value, row=None, **kwargs):
        if not str(value or "").strip():
            return None
        try:
            return super().clean(str(value).strip(), row, **kwargs)
        except User.DoesNotExist:
            raise ValueError(_("No user named “%(value)s”.") % {"value": value})


def choice_field(attribute, choices, header):
    return fields.Field(attribute=attribute, column_name=header, widget=ChoiceWidget(choices))


class CustomerResource(resources.ModelResource):
    kind = choice_field("kind", CustomerKindChoices, "kind")
    customer_type = choice_field("customer_type", CustomerTypeChoices, "customer_type")
    level = choice_field("level", CustomerLevelChoices, "level")
    source = choice_field("source", CustomerSourceChoices, "source")
    owner = fields.Field(attribute="owner", column_name="owner", widget=UserWidget())
    credit_limit = fields.Field(attribute="credit_limit", column_name="credit_limit", widget=NumberWidget())
    payment_terms_days = fields.Field(attribute="payment_terms_days", column_name="payment_terms_days",
                                      widget=NumberWidget(integer=True))
    contact_name = fields.Field(column_name="contact_name", attribute=None, readonly=False)
    contact_position = fields.Field(column_name="contact_position", attribute=None, readonly=False)
    contact_mobile = fields.Field(column_name="contact_mobile", attribute=None, readonly=False)

    class Meta:
        model = Customer
        # the customer's fields as declared once (crm/customer_fields.py), name first, then owner and first contact
        fields = ("name", *(f for f in customer_fields.FIELDS if f != "name" and f not in customer_fields.NOT_IMPORTED),
                  "owner", "contact_name", "contact_position", "contact_mobile")
        export_order = fields
        force_init_instance = True  # create only: an import never overwrites a customer
        clean_model_instances = True
        skip_diff = True
        use_bulk = False

    def __init__(self, *, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor

    def dehydrate_contact_name(self, customer):
        c = customer.contacts.first()
        return c.name if c else ""

    def dehydrate_contact_position(self, customer):
        c = customer.contacts.first()
        return c.position if c else ""

    def dehydrate_contact_mobile(self, customer):
        c = customer.contacts.first()
        return c.mobile_for(self.actor) if c and self.actor else ""

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for attr, default in (("kind", CustomerKindChoices.COMPANY), ("customer_type", CustomerTypeChoices.RETAILER),
                              ("level", CustomerLevelChoices.C), ("source", CustomerSourceChoices.OTHER)):
            if not getattr(instance, attr):
                setattr(instance, attr, default)
        if instance.owner_id is None:
            instance.owner = self.actor
        instance.created_by = self.actor
        instance.credit_code = normalize_credit_code(instance.credit_code)
        instance.refresh_search_fields()
        name = str(row.get("contact_name") or "").strip()
        mobile = str(row.get("contact_mobile") or "").strip()
        instance._import_contact = None
        try:
            mobile = normalize_mobile(mobile)
        except ValidationError as exc:
            errors.setdefault("contact_mobile", []).extend(exc.messages)
        if mobile and not name:
            errors.setdefault("contact_name", []).append(str(_("Whose mobile number is this? Enter the contact's "
                                                                "name.")))
        if name:
            instance._import_contact = {"name": name[:60], "mobile": mobile,
                                        "position": str(row.get("contact_position") or "").strip()[:60]}
        if errors:
            raise ValidationError(errors)

    def after_save_instance(self, instance, row, **kwargs):
        if kwargs.get("dry_run"):
            return
        if instance._import_contact:
            Contact.objects.create(customer=instance, is_primary=True, **instance._import_contact)
        CustomerEvent.objects.create(customer=instance, kind=CustomerEventKind.IMPORTED, actor=self.actor,
                                     to_user=instance.owner)


class CustomerByNameWidget(widgets.ForeignKeyWidget):
    """The customer of a contact row: by credit code, else by exact name, among those the importer may see."""

    def __init__(self, actor, **kwargs):
        super().__init__(Customer, field="name", **kwargs)
        self.actor = actor

    def clean(self, value, row=None, **kwargs):
        text = " ".join(str(value or "").split())
        if not text:
            raise ValueError(_("Say which customer (name or credit code)."))
        qs = Customer.objects.for_user(self.actor)
        code = normalize_credit_code(text)
        found = list(qs.filter(credit_code=code)[:2]) if len(code) == 18 else []
        found = found or list(qs.filter(name=text)[:2])
        if not found:
            raise ValueError(_("No customer “%(value)s” that you may see.") % {"value": text})
        if len(found) > 1:
            raise ValueError(_("Several customers are called “%(value)s”; use the credit code.") % {"value": text})
        return found[0]

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class ContactResource(resources.ModelResource):
    customer = fields.Field(attribute="customer", column_name="customer")

    class Meta:
        model = Contact
        fields = ("customer", "name", "position", "mobile", "landline", "email", "wechat", "is_primary", "notes")
        export_order = fields
        force_init_instance = True
        clean_model_instances = True
        skip_diff = True

    def __init__(self, *, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor
        self.fields["customer"].widget = CustomerByNameWidget(actor)

    def dehydrate_mobile(self, contact):
        return contact.mobile_for(self.actor) if self.actor else ""

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            instance.mobile = normalize_mobile(instance.mobile or "")
        except ValidationError as exc:
            errors.setdefault("mobile", []).extend(exc.messages)
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if instance.customer_id and not self.actor.has_perm("crm.view_all_customers") and not \
                Customer.objects.for_user(self.actor).filter(pk=instance.customer_id).exists():
            errors["customer"] = [str(_("You may not add contacts to this customer."))]
        super().validate_instance(instance, errors, validate_unique)
