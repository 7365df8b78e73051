"""Key data: the fields whose changes need a reviewer's approval, configured in one place.

KEY_FIELDS maps a model label ("app_label.ModelName", case-insensitive) to field names. Every
label must be an installed model and every name one of its concrete fields: the system check
`check_key_fields` (registered in GovernanceConfig.ready) fails `manage.py check`, the test run and
start-up otherwise, so a renamed field can never silently stop needing approval.
"""

import hashlib
import json
from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID

from django.apps import apps
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format, localize, number_format
from django.utils.translation import gettext as _

from hardware_erp.core.money import MoneyField, PriceField, format_money, format_price

from .fields import EncryptedTextField

KEY_FIELDS = {
    "crm.customer": (
        "name",
        "credit_code",
        "invoice_title", "tax_number", "invoice_address", "invoice_phone",
        "bank_name", "bank_account",
        "credit_limit", "payment_terms_days",
        "owner",
    ),
    "inventory.product": ("list_price", "standard_cost"),
}

# Key values a record may be CREATED with by someone who cannot approve key data: any other value is held in
# a change request (the record is created with the value here, the safe default). Identity data typed in at
# creation (name, credit code, invoice and bank details) has no earlier value to protect and is saved as
# entered; what grants credit or money terms waits for a reviewer like an edit would.
CREATE_DEFAULTS = {
    "crm.customer": {"credit_limit": Decimal("0.00"), "payment_terms_days": 0},
}


def check_key_fields(app_configs=None, **kwargs) -> list:
    """System check: every model and field named in KEY_FIELDS exists and is a concrete, single-valued field."""
    errors = []
    for label, names in KEY_FIELDS.items():
        app_label, _sep, model_name = label.partition(".")
        try:
            model = apps.get_model(app_label, model_name)
        except (LookupError, ValueError):
            errors.append(checks.Error(f"KEY_FIELDS names {label!r}, which is not an installed model.",
                                       hint="Fix governance/keydata.py KEY_FIELDS.", obj=label,
                                       id="governance.E001"))
            continue
        for name in names:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                errors.append(checks.Error(f"KEY_FIELDS[{label!r}] names {name!r}, which {model._meta.label} does "
                                           "not have.", hint="Fix governance/keydata.py KEY_FIELDS.",
                                           obj=model, id="governance.E002"))
                continue
            if not field.concrete or field.many_to_many:
                errors.append(checks.Error(f"KEY_FIELDS[{label!r}] names {name!r}, which is not a concrete "
                                           "single-valued field (change requests cannot hold it).",
                                           hint="Fix governance/keydata.py KEY_FIELDS.", obj=model,
                                           id="governance.E003"))
    for label, defaults in CREATE_DEFAULTS.items():
        for name in defaults:
            if name not in KEY_FIELDS.get(label, ()):
                errors.append(checks.Error(f"CREATE_DEFAULTS[{label!r}] names {name!r}, which is not in "
                                           f"KEY_FIELDS[{label!r}].", hint="Fix governance/keydata.py.",
                                           obj=label, id="governance.E004"))
    return errors


def create_defaults_for(model) -> dict:
    """{field name: safe value} of the key fields a new `model` record may only be created with (see above)."""
    return dict(CREATE_DEFAULTS.get(_label(model), {}))


def _label(model) -> str:
    return model._meta.label_lower


def key_fields_for(model) -> list[str]:
    """The key fields that `model` (a class or instance) really has, in configuration order."""
    names = KEY_FIELDS.get(_label(model), ())
    out = []
    for name in names:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.concrete and not field.many_to_many:
            out.append(name)
    return out


def governed_models() -> list:
    """The installed models that have key fields."""
    out = []
    for label in KEY_FIELDS:
        app_label, _sep, model_name = label.partition(".")
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        if key_fields_for(model):
            out.append(model)
    return out


def to_json(value):
    """A model value in a JSON-safe form that compares equal when the values are equal."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def field_json(field, value):
    """Normalise `value` (as a form would give it) for `field`: Decimal places, FK to pk, dates."""
    if isinstance(value, models.Model):
        value = value.pk
    if value is not None and not (value == "" and field.empty_strings_allowed):
        value = field.to_python(value)
    if isinstance(field, models.DecimalField) and isinstance(value, Decimal):
        value = value.quantize(Decimal(1).scaleb(-field.decimal_places))
    if value == "" and field.null and not field.empty_strings_allowed:
        value = None
    return to_json(value)


def current_json(instance, name):
    field = instance._meta.get_field(name)
    return field_json(field, field.value_from_object(instance))


def fingerprint(instance) -> str:
    """A hash of the record's current key data (stale detection)."""
    data = {name: current_json(instance, name) for name in key_fields_for(instance)}
    raw = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def python_value(field, json_value):
    if json_value is None:
        return None
    return field.to_python(json_value)


def readable_json(value) -> str:
    """A JSON value as text a person reads: a list of {"code", "text"} dicts as its texts, a dict as
    "key: value" pairs, a list as a comma-separated list (never Python's repr)."""
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, list):
        parts = [readable_json(v) for v in value]
        sep = "; " if any(isinstance(v, dict) for v in value) else ", "
        return sep.join(p for p in parts if p != "—") or "—"
    if isinstance(value, dict):
        for key in ("text", "label", "name", "title"):
            if value.get(key) not in (None, ""):
                return str(value[key])
        return ", ".join(f"{k}: {readable_json(v)}" for k, v in value.items() if v not in (None, "")) or "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def _money_field(field) -> bool:
    return isinstance(field, MoneyField)


def _price_field(field) -> bool:
    return isinstance(field, PriceField)


def readable(field, json_value) -> str:
    """A value as a person reads it: a related record's name, a choice's label, money as ¥1,234.50, a time in
    the local time zone, a JSON list as text."""
    if json_value in (None, ""):
        return "—"
    if field.is_relation and field.many_to_one:
        related = field.related_model._default_manager.filter(pk=json_value).first()
        if related is None:
            return f"#{json_value}"
        # a person by name (as timelines name them), not by user name
        name = related.get_full_name() if hasattr(related, "get_full_name") else ""
        return name or str(related)
    if isinstance(field, models.JSONField):
        return readable_json(json_value)
    if field.choices:
        return str(dict(field.flatchoices).get(python_value(field, json_value), json_value))
    if isinstance(field, models.BooleanField):
        return _("Yes") if json_value else _("No")
    value = python_value(field, json_value)
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, "Y-m-d H:i")
    if isinstance(value, date):
        return date_format(value, "Y-m-d")
    if isinstance(value, Decimal):
        if _money_field(field):
            return format_money(value)
        if _price_field(field):
            return format_price(value)
        return number_format(value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize(),
                             force_grouping=True)
    if isinstance(value, list | dict):
        return readable_json(value)
    return localize(value) if isinstance(value, int | float) else str(value)


def readable_changes(cr) -> list[dict]:
    model = cr.content_type.model_class()
    out = []
    for name, pair in cr.changes.items():
        try:
            field = model._meta.get_field(name) if model else None
        except FieldDoesNotExist:
            field = None
        if field is None:
            out.append({"field": name, "label": name, "old": str(pair.get("old")), "new": str(pair.get("new"))})
            continue
        out.append({"field": name, "label": str(field.verbose_name), "old": readable(field, pair.get("old")),
                    "new": readable(field, pair.get("new")), "sensitive": isinstance(field, EncryptedTextField)})
    return out
