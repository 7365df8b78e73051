"""One home per Customer field (crm/customer_fields.py): the form, its layout, the services, the merge and the
import all follow the declaration; the key-field help text follows governance's table."""

import pytest
from django.urls import reverse

from crm import customer_fields, services
from crm.forms import CustomerForm
from crm.resources import CustomerResource
from tests.factories.crm import CustomerFactory

pytestmark = pytest.mark.django_db


def test_every_declared_field_is_on_the_form_in_the_layout_and_in_the_services():
    form = CustomerForm(creating=True)
    assert list(form._meta.fields) == list(customer_fields.FIELDS)
    layout_fields = [pointer.name for pointer in form.helper.layout.get_field_names()]
    for name in customer_fields.FIELDS:
        assert name in layout_fields, name
    assert "contact_name" in layout_fields and "reason" not in layout_fields
    assert set(services.CUSTOMER_FIELDS) == set(customer_fields.FIELDS)
    assert set(services.MERGE_FILL_FIELDS) <= set(customer_fields.FIELDS)
    imported = set(CustomerResource._meta.fields)
    assert set(customer_fields.FIELDS) - set(customer_fields.NOT_IMPORTED) <= imported


def test_customer_form_template_places_no_field_by_hand():
    from pathlib import Path

    from django.conf import settings

    text = (Path(settings.BASE_DIR) / "templates/crm/customer_form.html").read_text()
    assert "as_crispy_field" not in text and "form.name" not in text


def test_key_field_help_text_comes_from_governance(monkeypatch):
    from governance import keydata

    monkeypatch.setitem(keydata.KEY_FIELDS, "crm.customer", ("credit_limit", "wechat_id"))
    form = CustomerForm(instance=CustomerFactory())
    help_text = str(form.fields["reason"].help_text)
    assert "credit limit" in help_text and "shop WeChat ID" in help_text and "bank" not in help_text
    assert form.fields["credit_limit"].widget.attrs.get("data-key-field") == "1"


def test_wechat_id_end_to_end(client_as):
    client = client_as("sales_rep")
    r = client.post(reverse("crm:customer_create"), {
        "kind": "individual", "name": "王记五金", "customer_type": "retailer", "level": "c", "source": "walk_in",
        "city": "温州市", "wechat_id": "wangji-wujin", "credit_limit": "0", "payment_terms_days": "0"})
    assert r.status_code == 302
    from crm.models import Customer

    c = Customer.objects.get(name="王记五金")
    assert c.wechat_id == "wangji-wujin"
    assert 'data-testid="wechat-id"' in client.get(c.get_absolute_url()).content.decode()
    # the edit form shows it, a merge fills it, the import template has the column
    assert "wangji-wujin" in client.get(reverse("crm:customer_edit", args=[c.pk])).content.decode()
    survivor = CustomerFactory(owner=client.user)
    services.merge_customers(survivor=survivor, merged=c, actor=client.user)
    survivor.refresh_from_db()
    assert survivor.wechat_id == "wangji-wujin"
    assert "wechat_id" in CustomerResource._meta.fields


def test_a_customer_form_sent_twice_saves_once(client_as):
    from crm.models import Customer

    client = client_as("sales_rep")
    page = client.get(reverse("crm:customer_create"))
    token = page.context["once_token"]
    data = {"kind": "individual", "name": "双击五金", "customer_type": "retailer", "level": "c",
            "source": "walk_in", "credit_limit": "0", "payment_terms_days": "0", "_once": token}
    first = client.post(reverse("crm:customer_create"), data)
    second = client.post(reverse("crm:customer_create"), data)
    assert first.status_code == second.status_code == 302
    assert Customer.objects.filter(name="双击五金").count() == 1
    assert second["Location"] == first["Location"]
