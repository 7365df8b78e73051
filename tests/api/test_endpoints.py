"""The API under the screens' rules: scoping, money as strings, key data through change requests, services."""

import uuid
from decimal import Decimal

import pytest

from crm.models import Customer
from governance.models import ChangeRequest
from inventory.models import StockLevel, StockMovement
from orders.models import Payment, SalesOrder
from support.models import Ticket
from tests.factories.crm import ContactFactory, CustomerFactory
from tests.factories.orders import make_world

pytestmark = pytest.mark.django_db


def key():
    return str(uuid.uuid4())


def test_a_reps_token_sees_only_the_reps_customers(token_client, make_user):
    rep = token_client("sales_rep")
    mine = CustomerFactory(owner=rep.user, name="张三五金店")
    other = CustomerFactory(owner=make_user("sales_rep"), name="李四五金店")
    r = rep.get("/api/v1/customers/")
    assert r.status_code == 200
    assert [c["id"] for c in r.json()["results"]] == [mine.pk]
    assert rep.get(f"/api/v1/customers/{other.pk}/").status_code == 404  # IDOR: another rep's customer by id
    assert rep.get(f"/api/v1/customers/{mine.pk}/").json()["name"] == "张三五金店"
    manager = token_client("sales_manager")
    ids = {c["id"] for c in manager.get("/api/v1/customers/").json()["results"]}
    assert {mine.pk, other.pk} <= ids


def test_customer_search_by_pinyin_initials_and_money_as_strings(token_client):
    rep = token_client("sales_rep")
    c = CustomerFactory(owner=rep.user, name="张三五金店", credit_limit=Decimal("12000"))
    c.refresh_search_fields()
    Customer.objects.filter(pk=c.pk).update(name_pinyin=c.name_pinyin, name_initials=c.name_initials)
    CustomerFactory(owner=rep.user, name="李四建材")
    found = rep.get("/api/v1/customers/", {"q": "zswj"}).json()["results"]
    assert [x["id"] for x in found] == [c.pk]
    assert found[0]["credit_limit"] == "12000.00"


def test_contacts_mask_mobiles_for_roles_without_the_permission(token_client, make_user):
    finance = token_client("finance_clerk")
    contact = ContactFactory(customer=CustomerFactory(owner=make_user("sales_rep")), mobile="13912345678")
    row = finance.get(f"/api/v1/contacts/{contact.pk}/").json()
    assert row["mobile"] == "139****5678"
    rep = token_client("sales_rep")
    mine = ContactFactory(customer=CustomerFactory(owner=rep.user), mobile="13912345679")
    assert rep.get(f"/api/v1/contacts/{mine.pk}/").json()["mobile"] == "13912345679"
    assert rep.get(f"/api/v1/contacts/{contact.pk}/").status_code == 404


def test_key_data_edit_becomes_a_change_request(token_client):
    rep = token_client("sales_rep")
    c = CustomerFactory(owner=rep.user, credit_limit=Decimal("1000"))
    r = rep.patch(f"/api/v1/customers/{c.pk}/", {"credit_limit": "50000.00", "city": "宁波市"}, format="json")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["city"] == "宁波市"  # a plain field is applied at once
    assert body["credit_limit"] == "1000.00"  # the key field waits for approval
    cr = ChangeRequest.objects.get(pk=body["pending_change_request"])
    assert cr.status == "pending"
    c.refresh_from_db()
    assert c.credit_limit == Decimal("1000") and c.city == "宁波市"


def test_stock_movement_twice_with_one_idempotency_key_posts_once(token_client, make_user):
    w = make_world(make_user)
    clerk = token_client("warehouse_clerk")
    p, loc = w.products[0], w.bins[0]
    before = StockLevel.objects.get(product=p, location=loc).on_hand
    body = {"kind": "receipt", "product": p.pk, "quantity": "10", "to_location": loc.pk, "reference": "PO-X"}
    k = key()
    first = clerk.post("/api/v1/movements/", body, format="json", HTTP_IDEMPOTENCY_KEY=k)
    second = clerk.post("/api/v1/movements/", body, format="json", HTTP_IDEMPOTENCY_KEY=k)
    assert first.status_code == 201, first.json()
    assert second.status_code == 201 and second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert StockMovement.objects.filter(reference="PO-X").count() == 1
    assert StockLevel.objects.get(product=p, location=loc).on_hand == before + 10
    other = clerk.post("/api/v1/movements/", {**body, "quantity": "11"}, format="json", HTTP_IDEMPOTENCY_KEY=k)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    missing = clerk.post("/api/v1/movements/", body, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "idempotency_key_required"
    assert StockMovement.objects.filter(reference="PO-X").count() == 1


def test_issue_beyond_stock_is_refused_by_the_service(token_client, make_user):
    w = make_world(make_user)
    clerk = token_client("warehouse_clerk")
    r = clerk.post("/api/v1/movements/", {"kind": "issue", "product": w.products[0].pk, "quantity": "100000",
                                          "from_location": w.bins[0].pk}, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert r.status_code == 400
    assert r.json()["code"] == "negative_stock"
    # a sales rep may look stock up but not move it
    rep = token_client("sales_rep")
    assert rep.get("/api/v1/stock-levels/").status_code == 200
    assert rep.post("/api/v1/movements/", {}, format="json", HTTP_IDEMPOTENCY_KEY=key()).status_code == 403


def test_order_create_submit_and_pay_once(token_client, make_user):
    w = make_world(make_user)
    rep = token_client(user=w.rep)
    r = rep.post("/api/v1/orders/", {"customer": w.customer.pk, "warehouse": w.warehouse.pk,
                                     "lines": [{"product": w.products[0].pk, "quantity": "10"}]}, format="json")
    assert r.status_code == 201, r.json()
    order = r.json()
    assert order["status"] == "draft" and order["total"] == "22.60"  # 10 × 2.00 less 0 % + 13 % VAT
    assert order["lines"][0]["unit_price"] == "2.0000"
    r = rep.post(f"/api/v1/orders/{order['id']}/submit/", {}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "approved"
    assert rep.post("/api/v1/payments/", {}, format="json", HTTP_IDEMPOTENCY_KEY=key()).status_code == 403
    finance = token_client("finance_clerk")
    pay = {"customer": w.customer.pk, "amount": "22.60", "method": "bank", "reference": "",
           "allocations": [{"order": order["id"], "amount": "22.60"}]}
    k = key()
    first = finance.post("/api/v1/payments/", pay, format="json", HTTP_IDEMPOTENCY_KEY=k)
    second = finance.post("/api/v1/payments/", pay, format="json", HTTP_IDEMPOTENCY_KEY=k)
    assert first.status_code == 201, first.json()
    assert second.json()["id"] == first.json()["id"]
    assert Payment.objects.filter(customer=w.customer).count() == 1
    assert SalesOrder.objects.get(pk=order["id"]).paid_amount == Decimal("22.60")


def test_another_reps_order_is_not_found_and_the_warehouse_sees_no_money(token_client, make_user):
    w = make_world(make_user)
    order = w.order()
    other = token_client("sales_rep")
    assert other.get(f"/api/v1/orders/{order.pk}/").status_code == 404
    assert other.post(f"/api/v1/orders/{order.pk}/submit/", {}, format="json").status_code == 404
    assert SalesOrder.objects.get(pk=order.pk).status == "draft"
    clerk = token_client("warehouse_clerk")
    row = clerk.get(f"/api/v1/orders/{order.pk}/").json()
    assert "total" not in row and "unit_price" not in row["lines"][0]
    assert row["lines"][0]["quantity"] == "100.000"


def test_the_approver_may_not_approve_own_order(token_client, make_user):
    """Segregation of duties through the service: a manager's own order waits for another approver."""
    w = make_world(make_user)
    manager = token_client("sales_manager")
    w.customer.owner = manager.user
    w.customer.save()
    r = manager.post("/api/v1/orders/", {"customer": w.customer.pk, "warehouse": w.warehouse.pk,
                                         "lines": [{"product": w.products[0].pk, "quantity": "10",
                                                    "discount_percent": "40"}]}, format="json")
    assert r.status_code == 201, r.json()
    oid = r.json()["id"]
    assert manager.post(f"/api/v1/orders/{oid}/submit/", {}, format="json").json()["status"] == "submitted"
    r = manager.post(f"/api/v1/orders/{oid}/approve/", {}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "permission"
    assert SalesOrder.objects.get(pk=oid).status == "submitted"
    other = token_client("sales_manager")
    assert other.post(f"/api/v1/orders/{oid}/approve/", {}, format="json").json()["status"] == "approved"


def test_tickets_are_opened_through_the_service_and_scoped(token_client):
    rep = token_client("sales_rep")
    r = rep.post("/api/v1/tickets/", {"subject": "打印机卡纸", "description": "二楼打印机", "category": "printer"},
                 format="json")
    assert r.status_code == 201, r.json()
    ticket = Ticket.objects.get(pk=r.json()["id"])
    assert ticket.requester == rep.user and ticket.events.filter(code="opened").exists()
    other = token_client("warehouse_clerk")
    assert other.get(f"/api/v1/tickets/{ticket.pk}/").status_code == 404
    it = token_client("it_admin")
    r = it.post(f"/api/v1/tickets/{ticket.pk}/transition/", {"status": "in_progress"}, format="json")
    assert r.status_code == 200, r.json()
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"


def test_error_format_for_invalid_input(token_client):
    rep = token_client("sales_rep")
    r = rep.post("/api/v1/tickets/", {"subject": "x"}, format="json")
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "invalid" and set(body["errors"]) == {"description", "category"}


def test_a_training_gate_holds_for_the_api_too(token_client, make_user):
    from tests.factories.training import CourseFactory, LessonFactory
    from training import services as training_services
    from training.models import TrainingGate

    w = make_world(make_user)
    course = CourseFactory(code="stock-posting")
    LessonFactory(course=course)
    TrainingGate.objects.create(permission="inventory.add_stockmovement", course=course)
    clerk = token_client("warehouse_clerk")
    body = {"kind": "receipt", "product": w.products[0].pk, "quantity": "5", "to_location": w.bins[0].pk,
            "reference": "GATE"}
    r = clerk.post("/api/v1/movements/", body, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert r.status_code == 403 and r.json()["code"] == "training_gate"
    assert not StockMovement.objects.filter(reference="GATE").exists()
    training_services.complete_lesson(actor=clerk.user, lesson=course.lessons.get())
    r = clerk.post("/api/v1/movements/", body, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert r.status_code == 201, r.json()
    assert StockMovement.objects.filter(reference="GATE").count() == 1


def test_a_quotation_becomes_an_order_once(token_client, make_user):
    w = make_world(make_user)
    rep = token_client(user=w.rep)
    q = rep.post("/api/v1/quotations/", {"customer": w.customer.pk, "warehouse": w.warehouse.pk,
                                         "lines": [{"product": w.products[1].pk, "quantity": "3"}]}, format="json")
    assert q.status_code == 201 and q.json()["kind"] == "quotation"
    first = rep.post(f"/api/v1/quotations/{q.json()['id']}/convert/", {}, format="json")
    again = rep.post(f"/api/v1/quotations/{q.json()['id']}/convert/", {}, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["kind"] == "order" and first.json()["id"] == again.json()["id"]
    assert SalesOrder.objects.filter(quotation_id=q.json()["id"]).count() == 1
    assert rep.get(f"/api/v1/orders/{first.json()['id']}/").json()["lines"][0]["quantity"] == "3.000"
