"""Credit codes and taxpayer numbers typed as people type them: grouped, with dashes, in full width."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from crm.forms import CustomerForm
from crm.models import Customer
from crm.selectors import customer_search
from hardware_erp.core.identifiers import (
    CreditCodeFormField,
    TaxNumberFormField,
    make_credit_code,
    normalize_code,
    validate_tax_number,
)

CODE = make_credit_code("9", "1", "152201", "07839175")  # a valid code: both check characters computed
GROUPED = " ".join([CODE[:4], CODE[4:8], CODE[8:12], CODE[12:16], CODE[16:]])
FULL_WIDTH = "".join(chr(ord(c) + 0xFEE0) for c in CODE)


def test_grouped_dashed_and_full_width_codes_are_one_code():
    assert len(CODE) == 18 and len(GROUPED) == 22
    for typed in (GROUPED, "-".join(GROUPED.split()), FULL_WIDTH, "\u3000" + GROUPED.lower() + " ", CODE):
        assert normalize_code(typed) == CODE, typed
        assert CreditCodeFormField().clean(typed) == CODE, typed
        assert TaxNumberFormField().clean(typed) == CODE, typed


def test_the_input_takes_a_grouped_paste_whole():
    """The form's maxlength once cut `9115 2201 0783 9175 02` to 18 characters in the browser."""
    html = str(CustomerForm(creating=True)["credit_code"])
    assert 'maxlength="40"' in html
    assert 'maxlength="40"' in str(CustomerForm(creating=True)["tax_number"])


def test_messages_are_the_projects_in_the_users_language():
    for lang, wanted, not_wanted in (("en", "has 18 characters; this one has 19", "at most"),
                                     ("zh-hans", "统一社会信用代码应为 18 位", "最多")):
        with translation.override(lang), pytest.raises(ValidationError) as exc:
            CreditCodeFormField().clean(GROUPED + "7")
        text = " ".join(exc.value.messages)
        assert wanted in text and not_wanted not in text, text


@pytest.mark.parametrize("number", [CODE, "330302123456789", "11010519491231002X", "11010519491231002X01",
                                    "33030212345678901"])
def test_taxpayer_numbers_in_every_form_are_accepted(number):
    validate_tax_number(number)


@pytest.mark.parametrize("number", ["123", "11010519491231002Y", CODE[:17] + "0", "3303021234567#9"])
def test_what_is_not_a_taxpayer_number_is_refused(number):
    with pytest.raises(ValidationError):
        validate_tax_number(number)


@pytest.mark.django_db
def test_customer_page_saves_a_grouped_code_and_search_finds_it_typed_any_way(client_as):
    client = client_as("sales_rep")
    data = {"kind": "company", "name": "温州华丰五金", "customer_type": "retailer", "level": "b",
            "source": "walk_in", "credit_limit": "0", "payment_terms_days": "0", "invoice_title": "温州华丰五金",
            "credit_code": GROUPED, "tax_number": FULL_WIDTH}
    r = client.post(reverse("crm:customer_create"), {**data, "tax_number": "123"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200 and "纳税人识别号" in " ".join(r.context["form"].errors["tax_number"])
    assert not Customer.objects.exists()
    r = client.post(reverse("crm:customer_create"), data)
    assert r.status_code == 302
    customer = Customer.objects.get()
    assert (customer.credit_code, customer.tax_number) == (CODE, CODE)
    for typed in (GROUPED, "-".join(GROUPED.split()), FULL_WIDTH):
        assert list(customer_search(client.user, typed)) == [customer], typed
