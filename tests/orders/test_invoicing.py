"""VAT invoice request rules (orders/invoicing.py): the taxpayer ID forms, what a special VAT invoice needs, the
delivery address of the e-invoice."""

import pytest

from orders.choices import InvoiceType
from orders.invoicing import buyer_errors, clean_buyer, normalize_code, taxpayer_id_errors
from tests.factories.crm import credit_code

GOOD = {"title": "温州华丰五金有限公司", "tax_number": "", "buyer_address": "温州市鹿城区五金城路 88 号",
        "buyer_phone": "0577-8888 8888", "buyer_bank": "工商银行鹿城支行", "buyer_account": "1203 2031 0900 0123 456",
        "deliver_email": "finance@huafeng.example", "deliver_phone": ""}


def test_credit_code_typed_grouped_or_full_width_is_a_taxpayer_id():
    code = credit_code(7)
    assert taxpayer_id_errors(code) == []
    grouped = f"{code[:4]} {code[4:8]} {code[8:12]} {code[12:16]} {code[16:]}"
    assert taxpayer_id_errors(grouped) == []
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert normalize_code(full_width) == code and taxpayer_id_errors(full_width) == []


@pytest.mark.parametrize("value", ["123", "", "91330302MA2AR8XQ1N", "12345678901234", "ABC-123!"])
def test_bad_taxpayer_ids_are_refused(value):
    assert taxpayer_id_errors(value)


@pytest.mark.parametrize("value", [
    "330302" + "MA2AR8XQ1",           # 15: division code + organisation code with its check character
    "33030219800101123" ,              # 17: the older individual form
    "11010519491231002X",             # 18: a resident ID number (individual business)
    "33030219800101123401",           # 20: ID number + suffix
])
def test_legacy_taxpayer_ids_are_accepted(value):
    assert taxpayer_id_errors(value) == []


def test_legacy_15_with_a_wrong_organisation_check_is_refused():
    assert taxpayer_id_errors("330302" + "MA2AR8XQ2")


def test_special_invoice_needs_address_phone_bank_and_account():
    data = dict(GOOD, tax_number=credit_code(3), buyer_address="", buyer_bank="", buyer_account="", buyer_phone="")
    errors = buyer_errors(data, InvoiceType.SPECIAL)
    assert set(errors) == {"buyer_address", "buyer_phone", "buyer_bank", "buyer_account"}
    assert buyer_errors(data, InvoiceType.NORMAL) == {}


def test_phone_account_and_delivery_are_checked():
    data = dict(GOOD, tax_number=credit_code(3), buyer_phone="hello", buyer_account="12ab", deliver_email="",
                deliver_phone="138001")
    errors = buyer_errors(data, InvoiceType.SPECIAL)
    assert set(errors) == {"buyer_phone", "buyer_account", "deliver_phone"}
    assert "deliver_email" in buyer_errors(dict(data, deliver_phone=""), InvoiceType.NORMAL)
    ok = dict(GOOD, tax_number=credit_code(3), deliver_email="", deliver_phone="+86 138 0013 8000")
    assert buyer_errors(ok, InvoiceType.SPECIAL) == {}
    cleaned = clean_buyer(ok)
    assert cleaned["deliver_phone"] == "13800138000"
    assert cleaned["buyer_account"] == "1203203109000123456"
