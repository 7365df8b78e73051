"""Phones typed as people type them: checked and normalised by one kernel helper on every phone field."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from crm.forms import AddressForm, ContactForm
from crm.models import Customer
from crm.selectors import find_duplicates
from hardware_erp.core.phones import PhoneField, PhoneFormField, parse_phone, phone_key
from inventory.forms import SupplierContactForm, SupplierForm
from tests.factories.crm import CustomerFactory


@pytest.mark.parametrize(("typed", "e164", "extension", "text"), [
    ("0577-8888 8888 转 8001", "+8657788888888", "8001", "0577-88888888 转 8001"),
    ("(0577) 88888888 分机 8001", "+8657788888888", "8001", "0577-88888888 转 8001"),
    ("+86 577 8888 8888 ext. 8001", "+8657788888888", "8001", "0577-88888888 转 8001"),
    ("０５７７－８８８８８８８８", "+8657788888888", "", "0577-88888888"),
    ("010-12345678#12", "+861012345678", "12", "010-12345678 转 12"),
    ("138 1234 5678", "+8613812345678", "", "13812345678"),
    ("400-800-8888", "+864008008888", "", "400-800-8888"),
    ("+44 20 7946 0958", "+442079460958", "", "+44 20 7946 0958"),
])
def test_numbers_are_normalised_with_the_extension_apart(typed, e164, extension, text):
    phone = parse_phone(typed)
    assert (phone.e164, phone.extension, phone.text) == (e164, extension, text)
    assert parse_phone(phone.text) == phone  # what is stored reads back as the same number
    assert phone_key(typed) == e164  # duplicates compare the number without the extension


@pytest.mark.parametrize(("typed", "why"), [
    ("hello", "is not a phone number"),
    ("8888 8888", "has no area code"),
    ("1381234567", "is not a valid phone number"),
    ("0577-8888 8888 8888", "is not a valid phone number"),
    ("138 1234 5678 转 8001", "has no extension"),
])
def test_what_is_not_a_number_is_refused_with_the_reason(typed, why, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(ValidationError, match=why):
        parse_phone(typed)


def test_the_reason_is_in_the_users_language():
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        parse_phone("hello")
    assert "电话" in " ".join(exc.value.messages)


def test_every_phone_column_of_the_project_is_a_checked_phone_field():
    """Customer phone and invoice phone, contacts' landlines, delivery addresses, receivers, suppliers and their
    contacts, employees: each one accepted "hello"."""
    phone_columns = {f"{m._meta.label}.{f.name}" for m in apps.get_models() for f in m._meta.get_fields()
                     if getattr(f, "concrete", False) and ("phone" in f.name or f.name == "landline")
                     and not m._meta.label.split(".")[-1].startswith("Historical")}
    # search keys (phone_norm) are derived; an invoice request's "address and phone" is one free-text line
    derived = {"crm.Customer.phone_norm", "orders.InvoiceRequest.address_phone"}
    assert {"crm.Customer.phone", "crm.Customer.invoice_phone", "crm.Contact.landline",
            "crm.DeliveryAddress.phone", "orders.SalesOrder.contact_phone", "inventory.Supplier.phone",
            "inventory.SupplierContact.phone", "core.Employee.work_phone"} <= phone_columns
    for label in phone_columns - derived:
        app_model, field = label.rsplit(".", 1)
        assert isinstance(apps.get_model(app_model)._meta.get_field(field), PhoneField), label


@pytest.mark.django_db
@pytest.mark.parametrize(("form_class", "field", "data"), [
    (ContactForm, "landline", {"name": "张三"}),
    (AddressForm, "phone", {"address": "文三路 88 号"}),
    (SupplierForm, "phone", {"code": "SUP1", "name_zh": "温州华丰", "default_lead_time_days": "7"}),
    (SupplierContactForm, "phone", {"name": "李四"}),
])
def test_forms_refuse_hello_and_store_the_normalised_number(form_class, field, data):
    bad = form_class(data={**data, field: "hello"})
    assert not bad.is_valid() and field in bad.errors
    good = form_class(data={**data, field: "(0577) 8888 8888 分机 8001"})
    good.is_valid()
    assert field not in good.errors and good.cleaned_data[field] == "0577-88888888 转 8001"
    assert isinstance(good.fields[field], PhoneFormField)
    assert good.fields[field].widget.attrs["inputmode"] == "tel"


@pytest.mark.django_db
def test_customer_page_refuses_hello_in_phone_and_invoice_phone(client_as):
    client = client_as("sales_rep")
    data = {"kind": "company", "name": "温州华丰五金", "customer_type": "retailer", "level": "b",
            "source": "walk_in", "credit_limit": "0", "payment_terms_days": "0"}
    r = client.post(reverse("crm:customer_create"), {**data, "phone": "hello", "invoice_phone": "hello"},
                    HTTP_ACCEPT_LANGUAGE="en")
    assert {"phone", "invoice_phone"} <= set(r.context["form"].errors)
    assert not Customer.objects.exists()
    r = client.post(reverse("crm:customer_create"), {**data, "phone": "0577-8888 8888 转 8001",
                                                     "invoice_phone": "０５７７－８６６６８８８８"})
    assert r.status_code == 302
    c = Customer.objects.get()
    assert (c.phone, c.invoice_phone, c.phone_norm) == ("0577-88888888 转 8001", "0577-86668888",
                                                        "+8657788888888")


@pytest.mark.django_db
def test_order_receiver_phone_refuses_hello(make_user):
    from orders.forms import OrderForm

    form = OrderForm(data={"contact_phone": "hello"}, user=make_user("sales_rep"))
    form.is_valid()
    assert "contact_phone" in form.errors
    form = OrderForm(data={"contact_phone": "138 1234 5678"}, user=make_user("sales_rep"))
    form.is_valid()
    assert "contact_phone" not in form.errors and form.cleaned_data["contact_phone"] == "13812345678"


@pytest.mark.django_db
def test_duplicate_check_compares_normalised_numbers():
    existing = CustomerFactory(name="瑞安东方紧固件", phone="0577-88888888")
    for typed in ("(0577) 8888 8888", "+86 577 8888 8888", "0577-8888 8888 转 8001", "０５７７８８８８８８８８"):
        assert [d["customer"] for d in find_duplicates(name="别的名字", phones=[typed])] == [existing], typed
    assert find_duplicates(name="别的名字", phones=["0577-8888 8889"]) == []


@pytest.mark.django_db
def test_service_refuses_hello_where_no_form_checked_it(make_user):
    from crm import services
    from hardware_erp.core.errors import BusinessRuleError

    with pytest.raises(BusinessRuleError) as exc:
        services.create_customer(data={"name": "温州华丰五金", "phone": "hello"}, actor=make_user("sales_rep"))
    assert "phone" in exc.value.message_dict
