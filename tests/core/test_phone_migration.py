"""Phones stored before numbers were checked: the data migrations rewrite them as a save would today, leave what
is not a number as it is, and `manage.py normalize_phones` lists those."""

import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from crm.models import Contact, Customer
from hardware_erp.core.models import CompanyProfile
from hardware_erp.core.phones import PhoneField, normalize_stored_phones, phone_columns
from inventory.models import Supplier
from tests.factories.crm import ContactFactory, CustomerFactory
from tests.factories.inventory import SupplierFactory

pytestmark = pytest.mark.django_db

MIGRATIONS = ["crm.migrations.0013_normalize_stored_phones", "orders.migrations.0012_normalize_stored_phones",
              "inventory.migrations.0008_normalize_stored_phones",
              "hardware_erp.core.migrations.0010_normalize_stored_phones"]


def _raw(model, pk, **values):
    """Store values as an old row has them (an UPDATE, which skips the field's normalisation on save)."""
    model.objects.filter(pk=pk).update(**values)


def test_every_phone_column_has_a_migration():
    labels = {model._meta.app_label for model, _fields in phone_columns(apps)}
    assert labels == {"crm", "orders", "inventory", "core"}
    for name in MIGRATIONS:
        assert importlib.import_module(name).Migration.operations[0].code
    every = {(m._meta.label_lower, f.name) for m, fields in phone_columns(apps) for f in fields}
    assert {("crm.customer", "phone"), ("crm.customer", "invoice_phone"), ("crm.contact", "landline"),
            ("inventory.supplier", "phone"), ("orders.salesorder", "contact_phone"),
            ("core.companyprofile", "phone")} <= every
    assert all(isinstance(f, PhoneField) for _m, fields in phone_columns(apps) for f in fields)


def test_migrations_normalise_old_values_and_keep_what_is_not_a_number():
    customer = CustomerFactory()
    contact = ContactFactory(customer=customer)
    bad = CustomerFactory()
    supplier = SupplierFactory()
    profile = CompanyProfile.objects.create(name="温州华丰五金有限公司")
    _raw(Customer, customer.pk, phone="（0577）8888 8888 分机 8001", invoice_phone="138 1234 5678")
    _raw(Contact, contact.pk, landline="+86 577 8888 8888")
    _raw(Customer, bad.pk, phone="hello", invoice_phone="0577 6666 6666")
    _raw(Supplier, supplier.pk, phone="０２１－６２３４ ５６７８")
    _raw(CompanyProfile, profile.pk, phone="400 800 8888")

    found = normalize_stored_phones(write=False)  # a dry run changes nothing
    assert found.changed >= 6 and ("crm.customer", bad.pk, "phone", "hello") in found.unparseable
    assert Customer.objects.get(pk=customer.pk).invoice_phone == "138 1234 5678"

    for name in MIGRATIONS:
        importlib.import_module(name).Migration.operations[0].code(apps, None)

    customer.refresh_from_db()
    assert (customer.phone, customer.invoice_phone) == ("0577-88888888 转 8001", "13812345678")
    assert Contact.objects.get(pk=contact.pk).landline == "0577-88888888"
    bad.refresh_from_db()
    assert (bad.phone, bad.invoice_phone) == ("hello", "0577-66666666")  # kept as it is / rewritten
    assert Supplier.objects.get(pk=supplier.pk).phone == "021-62345678"
    assert CompanyProfile.objects.get(pk=profile.pk).phone == "400-800-8888"
    again = normalize_stored_phones(write=False)
    assert again.changed == 0  # nothing left to rewrite

    out = StringIO()
    call_command("normalize_phones", "--dry-run", stdout=out)
    text = out.getvalue()
    assert text.startswith("0 phone values would be rewritten") and f"crm.customer#{bad.pk} phone: 'hello'" in text
