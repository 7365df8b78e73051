"""Validation of Chinese business identifiers and phone numbers.

`validate_credit_code` implements GB 32100-2015 (统一社会信用代码) in full: the 31-character set,
the registration authority and category codes, the six-digit division code, the embedded
nine-character organisation code with its own GB 11714-1997 check character, and the final
check character. python-stdnum's `cn.uscc` refuses codes whose first character is a letter
(A, N, Y ...), which real authorities issue, so it is not used here.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.phones import parse_phone, phone_key

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


def normalize_credit_code(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


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


def normalize_mobile(value: str) -> str:
    """A mainland or international mobile number in E.164 (+8613812345678); ValidationError if not real."""
    phone = parse_phone(value, kind="mobile")
    return phone.e164 if phone else ""


def normalize_phone(value: str) -> str:
    """Any phone (landline or mobile) in E.164 without its extension, for matching duplicates (the kernel's
    `phone_key`)."""
    return phone_key(value)
