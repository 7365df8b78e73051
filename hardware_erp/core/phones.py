"""Phone numbers as people type them, checked and normalised with `phonenumbers` (Google's libphonenumber).

One helper for every field where a phone is typed (customer phone and invoice phone, contacts' landlines, delivery
addresses, receivers of orders, suppliers and their contacts, employees' work phones):

- `parse_phone("0577-8888 8888 转 8001")` -> `Phone(e164="+8657788888888", extension="8001", kind="landline")`;
  mainland numbers without "+86", others with "+" and their country code; full-width digits and the usual
  separators (spaces, dashes, brackets, dots) are accepted; the extension is written after 转, 分机, ext, x or #.
  "hello", a landline without its area code (8888 8888) or a number with a digit too many is refused with a
  message in the user's language.
- `Phone.text` is what is stored, as a Chinese office writes a number: 13812345678, 0577-88888888,
  400-800-8888, the extension after 转 (0577-88888888 转 8001, which `parse_phone` reads back); a foreign number
  in the international form (+44 20 7946 0958). `Phone.extension` keeps the extension apart.
- `phone_key(value)` is the number in E.164 without the extension: what duplicate checks and searches compare, so
  0577-88888888, (0577) 8888 8888 and +86 577 8888 8888 转 8001 are one number.
- `PhoneField` (model field) and `PhoneFormField` (form field) put the check and the normalisation on a field.
"""

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

REGION = "CN"
# an extension: 转 8001, 分机 8001, 分机号 8001, ext. 8001, x8001, #8001 at the end of what was typed
_EXTENSION = re.compile(r"\s*(?:转|轉|分机号?|分機|ext\.?|extension|x|#)\s*(\d{1,7})\s*$", re.IGNORECASE)
_MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


@dataclass(frozen=True)
class Phone:
    e164: str  # +8657788888888
    extension: str  # "8001" or ""
    kind: str  # "mobile", "landline" or "other" (400 numbers, VoIP ...)
    national: bool  # a mainland number

    @property
    def number(self) -> phonenumbers.PhoneNumber:
        number = phonenumbers.parse(self.e164)
        if self.extension:
            number.extension = self.extension
        return number

    @property
    def text(self) -> str:
        """As a Chinese office writes it: 13812345678, 0577-88888888, 400-800-8888, 0577-88888888 转 8001; a
        foreign number in the international form (+44 20 7946 0958)."""
        number = phonenumbers.parse(self.e164)
        if not self.national:
            text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        elif self.kind == "mobile":
            text = phonenumbers.national_significant_number(number)
        else:
            nsn = phonenumbers.national_significant_number(number)
            area = phonenumbers.length_of_geographical_area_code(number)
            text = f"0{nsn[:area]}-{nsn[area:]}" if area else phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.NATIONAL).replace(" ", "-")
        return f"{text} 转 {self.extension}" if self.extension else text

    @property
    def tel(self) -> str:
        """For a tel: link (RFC 3966): tel:+86-577-8888-8888;ext=8001."""
        return phonenumbers.format_number(self.number, phonenumbers.PhoneNumberFormat.RFC3966)


def _clean(value) -> str:
    # full-width digits and punctuation (１３８，－，（）) as ASCII; an NBSP or ideographic space as a space
    return unicodedata.normalize("NFKC", str(value or "")).strip()


def parse_phone(value, *, kind="any") -> Phone | None:
    """The phone `value` names (None when empty); ValidationError when it is not a real number, or (`kind` =
    "mobile") not a mobile one."""
    raw = _clean(value)
    if not raw:
        return None
    extension = ""
    match = _EXTENSION.search(raw)
    if match and match.start() > 0:
        extension, raw = match.group(1), raw[:match.start()]
    shown = _clean(value)
    if not re.search(r"\d", raw) or re.search(r"[^\d\s()+\-./]", raw):
        raise ValidationError(_("“%(value)s” is not a phone number: use digits, with the area code for a "
                                "landline (0577-8888 8888) and 转 before an extension.") % {"value": shown},
                              code="invalid_phone")
    try:
        number = phonenumbers.parse(raw, REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("“%(value)s” is not a phone number.") % {"value": shown},
                              code="invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        if number.country_code == 86 and len(phonenumbers.national_significant_number(number)) <= 8:
            message = _("“%(value)s” has no area code: write a landline with its area code, e.g. "
                        "0577-8888 8888.")
        else:
            message = _("“%(value)s” is not a valid phone number (mainland mobiles have 11 digits and start "
                        "with 1, landlines start with the area code; write foreign numbers with + and the "
                        "country code).")
        raise ValidationError(message % {"value": shown}, code="invalid_phone")
    number_type = phonenumbers.number_type(number)
    found = "mobile" if number_type in _MOBILE_TYPES else (
        "landline" if number_type == phonenumbers.PhoneNumberType.FIXED_LINE else "other")
    if kind == "mobile" and found != "mobile":
        raise ValidationError(_("%(value)s is a landline, not a mobile number; put it in the landline field.")
                              % {"value": shown}, code="not_mobile")
    if extension and found == "mobile":
        raise ValidationError(_("A mobile number has no extension: “%(value)s”.") % {"value": shown},
                              code="invalid_phone")
    return Phone(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), extension, found,
                 number.country_code == 86)


def normalize_phone_text(value, *, kind="any") -> str:
    """What a phone field stores: `Phone.text` ("" when empty); ValidationError when not a number."""
    phone = parse_phone(value, kind=kind)
    return phone.text if phone else ""


def phone_key(value) -> str:
    """The number without its extension in E.164, for duplicate checks and search; the digits of a value that is
    not a number (old rows typed before numbers were checked)."""
    try:
        phone = parse_phone(value)
    except ValidationError:
        raw = _clean(value)
        try:
            number = phonenumbers.parse(_EXTENSION.sub("", raw) or raw, REGION)
            if phonenumbers.is_possible_number(number):
                return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        except phonenumbers.NumberParseException:
            pass
        return re.sub(r"\D", "", raw)
    return phone.e164 if phone else ""


def validate_phone(value) -> None:
    parse_phone(value)


class PhoneFormField(forms.CharField):
    """A text input for a phone number: cleaned to `Phone.text`, refused with a readable message otherwise. Its
    maxlength leaves room for what people type (spaces, dashes, 转 and an extension)."""

    def __init__(self, *, kind="any", **kwargs):
        self.kind = kind
        kwargs["max_length"] = max(kwargs.get("max_length") or 0, 60)
        if not kwargs.get("help_text"):
            kwargs["help_text"] = _("e.g. 0577-8888 8888 转 8001 or 138 1234 5678")
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "tel", "autocomplete": "tel"}

    def clean(self, value):
        value = super().clean(value)
        return normalize_phone_text(value, kind=self.kind) if value else value


class PhoneField(models.CharField):
    """A phone number column: checked by `validate_phone` and saved in the normalised form (`Phone.text`) when it
    is one; forms get a `PhoneFormField`."""

    default_validators = [validate_phone]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 40:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value:
            try:
                value = normalize_phone_text(value)
            except ValidationError:
                return value  # an old row typed before numbers were checked is kept as it is
            setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PhoneFormField, **kwargs})


# --- rows saved before numbers were checked ------------------------------------------------------------------

@dataclass
class StoredPhones:
    """What `normalize_stored_phones` found: how many values it rewrote (or would) and the values that are not a
    phone number, left as they are: [(model label, pk, field name, value)]."""

    changed: int
    unparseable: list


def phone_columns(registry, app_label=None):
    """[(model, [its PhoneFields])] of the registry's models (an app's only with `app_label`); history tables
    (simple_history) keep what was stored then. Works on a migration's historical models too."""
    out = []
    for model in registry.get_models():
        meta = model._meta
        if (app_label and meta.app_label != app_label) or meta.proxy or not meta.managed \
                or meta.model_name.startswith("historical"):
            continue
        fields = [f for f in meta.concrete_fields if isinstance(f, PhoneField)]
        if fields:
            out.append((model, fields))
    return out


def normalize_stored_phones(registry=None, *, app_label=None, write=True, batch=500) -> StoredPhones:
    """Rewrite every stored phone in the form a save writes today (`Phone.text`): the same normaliser, applied to
    rows typed before numbers were checked and never saved since. A value that is not a phone number is left as
    it is and reported. `write=False` only counts and reports. Used by the data migrations of each app (with the
    migration's `apps`) and by `manage.py normalize_phones`."""
    if registry is None:
        from django.apps import apps as registry
    changed, unparseable = 0, []
    for model, fields in phone_columns(registry, app_label):
        names = [f.attname for f in fields]
        nonempty = models.Q()
        for name in names:
            nonempty |= ~models.Q(**{name: ""})
        pending = []
        rows = model._base_manager.filter(nonempty).only("pk", *names).order_by("pk")
        for row in rows.iterator(chunk_size=batch):
            dirty = False
            for name in names:
                value = getattr(row, name)
                if not value:
                    continue
                try:
                    text = normalize_phone_text(value)
                except ValidationError:
                    unparseable.append((model._meta.label_lower, row.pk, name, value))
                    continue
                if text != value:
                    setattr(row, name, text)
                    changed += 1
                    dirty = True
            if dirty:
                pending.append(row)
            if write and len(pending) >= batch:
                model._base_manager.bulk_update(pending, names)
                pending = []
        if write and pending:
            model._base_manager.bulk_update(pending, names)
    return StoredPhones(changed, unparseable)


def normalize_phones_operation(app_label):
    """The data migration step of an app: `normalize_stored_phones` over its models as the migration sees them."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        normalize_stored_phones(apps, app_label=app_label)

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)
