"""Validation of Chinese business identifiers and phone numbers (the helpers themselves are in the kernel:
`hardware_erp.core.identifiers` for credit codes and taxpayer numbers, `hardware_erp.core.phones`)."""

from hardware_erp.core.identifiers import (  # noqa: F401 - the credit code helpers live in the kernel
    AUTHORITY_CATEGORIES,
    USCC_CHARSET,
    credit_code_check,
    credit_code_errors,
    make_credit_code,
    normalize_code,
    normalize_credit_code,
    org_code_check,
    validate_credit_code,
)
from hardware_erp.core.phones import parse_phone, phone_key


def normalize_mobile(value: str) -> str:
    """A mainland or international mobile number in E.164 (+8613812345678); ValidationError if not real."""
    phone = parse_phone(value, kind="mobile")
    return phone.e164 if phone else ""


def normalize_phone(value: str) -> str:
    """Any phone (landline or mobile) in E.164 without its extension, for matching duplicates (the kernel's
    `phone_key`)."""
    return phone_key(value)
