"""Chinese business identifiers as people type them: unified social credit codes and taxpayer numbers.

`validate_credit_code` implements GB 32100-2015 (统一社会信用代码) in full: the 31-character set,
the registration authority and category codes, the six-digit division code, the embedded
nine-character organisation code with its own GB 11714-1997 check character, and the final
check character. python-stdnum's `cn.uscc` refuses codes whose first character is a letter
(A, N, Y ...), which real authorities issue, so it is not used here.

Every value is normalised before it is checked (`normalize_code`: full width, spaces, dashes), so a code pasted
in groups is accepted; the form fields' maxlength leaves room for the grouping, and the messages are this
project's, in the user's language (never Django's "at most 18 characters").

- `CreditCodeField` / `CreditCodeFormField`: a unified social credit code (18 characters).
- `TaxNumberField` / `TaxNumberFormField`: a taxpayer identification number (纳税人识别号): the unified social
  credit code, or a legacy number of 15, 17, 18 or 20 characters (an old tax registration number, a resident ID
  number with or without two more characters).
"""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, ...
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# Registration authority (position 1) -> allowed category codes (position 2), GB 32100-2015 appendix A
# and the later assignments (A: military reform office, N: agriculture, Y: others).
AUTHORITY_CATEGORIES = {
    "1": "1239", "2": "19", "3": "12345689", "4": "19", "5": "12349", "6": "129", "7": "1239",
    "8": "19", "9": "123", "A": "19", "B": "19", "C": "19", "D": "12", "E": "1239", "F": "19",
    "G": "19", "N": "12349", "Y": "1",
}


def _org_value(ch: str) -> int:
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def org_code_check(body: str) -> str:
    """The GB 11714-1997 check character of an eight-character organisation code body."""
    total = sum(_org_value(c) * w for c, w in zip(body, ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def credit_code_check(first17: str) -> str:
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def normalize_code(value) -> str:
    """A code as people type or paste it, made plain: full-width characters as ASCII (ＡＢ１２ -> AB12), spaces
    (also the ideographic one), dashes and dots between groups removed, upper case.
    `9115 2201 0783 9175 02`, `91-1522-0107-8391-7502` and `９１１５２２０１０７８３９１７５０２` are one code."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s\-\u2010-\u2015\u2212._·]+", "", text).upper()


normalize_credit_code = normalize_code


def credit_code_errors(value: str) -> list[str]:
    """Every reason why `value` is not a valid unified social credit code ([] when valid)."""
    code = normalize_credit_code(value)
    if len(code) != 18:
        return [_("A unified social credit code has 18 characters; this one has %(n)d.") % {"n": len(code)}]
    bad = sorted({c for c in code if c not in USCC_CHARSET})
    if bad:
        return [_("The unified social credit code contains characters that are never used: %(chars)s "
                  "(I, O, S, V and Z do not occur).") % {"chars": ", ".join(bad)}]
    errors = []
    authority, category = code[0], code[1]
    if authority not in AUTHORITY_CATEGORIES:
        errors.append(_("The first character (registration authority) %(c)s is not assigned.") % {"c": authority})
    elif category not in AUTHORITY_CATEGORIES[authority]:
        errors.append(_("The second character (organisation category) %(c)s is not used with authority "
                        "%(a)s.") % {"c": category, "a": authority})
    if not code[2:8].isdigit():
        errors.append(_("Characters 3 to 8 must be the six digits of an administrative division code."))
    org = code[8:17]
    if org[8] != org_code_check(org[:8]):
        errors.append(_("The embedded organisation code %(org)s has a wrong check character.") % {"org": org})
    if code[17] != credit_code_check(code[:17]):
        errors.append(_("The check character (the last one) does not match: please check for a typing error."))
    return errors


def validate_credit_code(value: str) -> None:
    errors = credit_code_errors(value)
    if errors:
        raise ValidationError(errors, code="invalid_credit_code")


def make_credit_code(authority: str, category: str, division: str, org_body: str) -> str:
    """Build a valid code from its parts (demo data, tests)."""
    first17 = f"{authority}{category}{division}{org_body}{org_code_check(org_body)}"
    return first17 + credit_code_check(first17)



RESIDENT_ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]


def resident_id_ok(code: str) -> bool:
    """An 18-character resident ID number (GB 11643-1999) with a correct ISO 7064 MOD 11-2 check character."""
    if not re.fullmatch(r"\d{17}[\dX]", code):
        return False
    total = sum(int(c) * w for c, w in zip(code[:17], RESIDENT_ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == code[17]


def tax_number_errors(value) -> list[str]:
    """Why `value` is not a taxpayer identification number ([] when it is one)."""
    code = normalize_code(value)
    if len(code) == 18 and not resident_id_ok(code):
        return credit_code_errors(code)
    if len(code) not in (15, 17, 18, 20):
        return [_("A taxpayer number is the unified social credit code (18 characters) or an older number of 15, "
                  "17 or 20 characters; this one has %(n)d.") % {"n": len(code)}]
    if not re.fullmatch(r"[0-9A-Z]+", code):
        return [_("A taxpayer number holds digits and capital letters only.")]
    return []


def validate_tax_number(value) -> None:
    errors = tax_number_errors(value)
    if errors:
        raise ValidationError(errors, code="invalid_tax_number")


class _CodeFormField(forms.CharField):
    """A code typed or pasted in groups: normalised before it is checked; the input takes a grouped paste whole."""

    validator = None
    input_length = 40

    def __init__(self, **kwargs):
        kwargs.pop("max_length", None)  # the length is checked on the normalised code, with a readable message
        kwargs.pop("min_length", None)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "maxlength": str(self.input_length), "autocomplete": "off",
                "spellcheck": "false"}

    def to_python(self, value):
        return normalize_code(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if value:
            type(self).validator(value)


class CreditCodeFormField(_CodeFormField):
    validator = staticmethod(validate_credit_code)


class TaxNumberFormField(_CodeFormField):
    validator = staticmethod(validate_tax_number)


class _CodeField(models.CharField):
    """A code column: saved normalised; forms get the matching form field."""

    form_class = None

    def pre_save(self, model_instance, add):
        value = normalize_code(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def to_python(self, value):
        return normalize_code(value) if value is not None else value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": self.form_class, **kwargs})


class CreditCodeField(_CodeField):
    form_class = CreditCodeFormField
    default_validators = [validate_credit_code]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 18)
        super().__init__(*args, **kwargs)


class TaxNumberField(_CodeField):
    form_class = TaxNumberFormField
    default_validators = [validate_tax_number]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)
