import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import uscc

from crm.pinyin import pinyin_full, pinyin_initials
from crm.validators import (
    credit_code_errors,
    make_credit_code,
    normalize_credit_code,
    normalize_mobile,
    validate_credit_code,
)

# Published codes of real organisations.
REAL = ["91350100M000100Y43", "91110000802100433B", "12100000400000624D"]


@pytest.mark.parametrize("code", REAL)
def test_real_codes_are_valid(code):
    assert credit_code_errors(code) == []


def test_lower_case_and_spaces_are_normalised():
    assert credit_code_errors(" 91350100m000100y43 ") == []
    assert normalize_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize("authority,category", [("A", "1"), ("N", "2"), ("Y", "1"), ("5", "3")])
def test_letter_authorities_are_valid_though_stdnum_refuses_them(authority, category):
    code = make_credit_code(authority, category, "110108", "MA01ABCD")
    assert credit_code_errors(code) == []
    if authority.isalpha():
        assert not uscc.is_valid(code)  # why python-stdnum alone is not enough


def test_wrong_check_character():
    code = REAL[0][:-1] + ("4" if REAL[0][-1] != "4" else "5")
    errors = credit_code_errors(code)
    assert len(errors) == 1 and "check character" in str(errors[0])


def test_wrong_embedded_organisation_code_is_caught_even_with_a_matching_last_character():
    body = "MA01ABCD"
    good = make_credit_code("9", "1", "110108", body)
    org_check = good[16]
    first17 = good[:16] + ("0" if org_check != "0" else "1")
    from crm.validators import credit_code_check

    bad = first17 + credit_code_check(first17)
    errors = credit_code_errors(bad)
    assert len(errors) == 1 and "organisation code" in str(errors[0])


@pytest.mark.parametrize("code,fragment", [
    ("9135010", "18 characters"),
    ("91350100M000100I43", "never used"),
    ("Z1350100M000100Y43", "never used"),
    ("H1350100M000100Y43", "not assigned"),
    ("9A350100M000100Y43", "not used with authority"),
    ("913501A0M000100Y43", "six digits"),
])
def test_malformed_codes_say_why(code, fragment):
    errors = " ".join(str(e) for e in credit_code_errors(code))
    assert fragment in errors
    with pytest.raises(ValidationError):
        validate_credit_code(code)


def test_mobile_numbers():
    assert normalize_mobile("138 1234 5678") == "+8613812345678"
    assert normalize_mobile("+86 138-1234-5678") == "+8613812345678"
    assert normalize_mobile("+44 7911 123456") == "+447911123456"
    assert normalize_mobile("") == ""
    for bad in ("12345", "10012345678", "abc"):
        with pytest.raises(ValidationError):
            normalize_mobile(bad)
    with pytest.raises(ValidationError, match="landline"):
        normalize_mobile("0571 8888 6666")


def test_pinyin_keys():
    assert pinyin_full("张三五金") == "zhangsanwujin"
    assert pinyin_initials("张三五金") == "zswj"
    assert pinyin_initials("宏达建材有限公司") == "hdjcyxgs"
    assert pinyin_initials("ABC 五金") == "abcwj"
