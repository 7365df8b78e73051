"""Key values entered when a record is CREATED wait for approval like edits (a rep once created a customer with a
¥5,000,000 limit and 180-day terms, saved at once)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from crm import services as crm_services
from crm.models import Customer
from governance.models import ChangeRequest, SecurityEvent
from governance.services import approve_change

pytestmark = pytest.mark.django_db

DATA = {"kind": "company", "name": "大额授信五金", "customer_type": "contractor", "level": "a", "source": "referral",
        "province": "浙江省", "city": "杭州市", "credit_limit": "5000000", "payment_terms_days": "180",
        "contact_name": "钱七", "contact_mobile": "13700005678"}


def test_rep_creates_customer_with_safe_defaults_and_a_change_request(make_user):
    rep, manager = make_user("sales_rep"), make_user("sales_manager")
    customer = crm_services.create_customer(
        data={"name": "大额授信五金", "city": "杭州市", "credit_limit": Decimal("5000000"), "payment_terms_days": 180,
              "invoice_title": "大额授信五金有限公司"}, actor=rep)
    customer.refresh_from_db()
    assert customer.credit_limit == Decimal("0") and customer.payment_terms_days == 0
    assert customer.invoice_title == "大额授信五金有限公司"  # identity data typed in at creation is kept
    cr = ChangeRequest.objects.get()
    assert customer.pending_change == cr and cr.is_pending and cr.requester == rep
    assert cr.changes == {"credit_limit": {"old": "0.00", "new": "5000000.00"},
                          "payment_terms_days": {"old": 0, "new": 180}}
    assert SecurityEvent.objects.filter(kind="change_requested", user=rep).exists()
    approve_change(cr, actor=manager)
    customer.refresh_from_db()
    assert customer.credit_limit == Decimal("5000000") and customer.payment_terms_days == 180


def test_rep_with_safe_values_creates_no_request_and_approver_saves_at_once(make_user):
    rep, manager = make_user("sales_rep"), make_user("sales_manager")
    crm_services.create_customer(data={"name": "现款五金", "credit_limit": Decimal("0")}, actor=rep)
    c = crm_services.create_customer(data={"name": "经理授信五金", "credit_limit": Decimal("300000"),
                                           "payment_terms_days": 60}, actor=manager)
    c.refresh_from_db()
    assert c.credit_limit == Decimal("300000") and c.payment_terms_days == 60 and c.pending_change is None
    assert not ChangeRequest.objects.exists()


def test_new_customer_page_says_the_key_values_wait(client_as):
    client = client_as("sales_rep")
    r = client.post(reverse("crm:customer_create"), DATA, follow=True)
    assert r.status_code == 200, r.content
    assert r.redirect_chain, r.context["form"].errors
    customer = Customer.objects.get(name="大额授信五金")
    assert customer.credit_limit == 0 and customer.payment_terms_days == 0
    body = r.content.decode()
    assert 'data-testid="pending-approval"' in body
    assert "wait for a reviewer" in body
    assert ChangeRequest.objects.get().object_id == customer.pk


def test_import_by_non_approver_holds_key_values(make_user):
    import tablib

    from crm.resources import CustomerResource

    rep = make_user("sales_rep")
    data = tablib.Dataset(["导入五金", "杭州市", "200000", "90"],
                          headers=["name", "city", "credit_limit", "payment_terms_days"])
    result = CustomerResource(actor=rep).import_data(data, dry_run=False, raise_errors=True)
    assert not result.has_errors()
    customer = Customer.objects.get(name="导入五金")
    assert customer.credit_limit == 0 and customer.payment_terms_days == 0
    cr = ChangeRequest.objects.get()
    assert set(cr.changes) == {"credit_limit", "payment_terms_days"}
