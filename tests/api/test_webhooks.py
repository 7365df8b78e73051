"""Webhooks and group robots: real HTTP to local servers, signed, after commit, retried, logged, turned off."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from api import services
from api.models import Delivery, Subscription
from crm import services as crm_services
from hardware_erp.core.models import Notification
from inventory import services as inventory_services
from inventory.alerts import check_thresholds
from support import services as support_services
from tests.factories.crm import CustomerFactory
from tests.factories.inventory import LocationFactory, ThresholdFactory

from .receivers import Server, WebhookReceiver, robot_query, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def it(make_user):
    return make_user("it_admin")


@pytest.fixture
def servers():
    made = []

    def make(cls=Server, *args, **kwargs):
        server = cls(*args, **kwargs)
        made.append(server)
        return server

    yield make
    for s in made:
        s.close()


def subscribe(it, url, events, kind="webhook", secret=""):
    return services.save_subscription(actor=it, name=f"{kind} test", kind=kind, url=url, events=events,
                                      secret=secret)


def test_each_event_arrives_once_signed_despite_a_failing_first_delivery(it, make_user, servers,
                                                                          django_capture_on_commit_callbacks):
    secret = "s3cret-for-the-test"
    receiver = servers(WebhookReceiver, secret, answers=[500])  # the first delivery fails
    sub = subscribe(it, receiver.url + "/hooks/erp", ["ticket.updated", "customer.changed"], secret=secret)
    rep = make_user("sales_rep")
    customer = CustomerFactory(owner=rep)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = support_services.open_ticket(requester=rep, subject="扫码枪", description="不能扫码",
                                              category="printer")
    with django_capture_on_commit_callbacks(execute=True):
        crm_services.update_customer(customer, {"city": "温州市"}, actor=rep)
    deliveries = list(Delivery.objects.filter(subscription=sub).order_by("pk"))
    assert [d.event for d in deliveries] == ["ticket.updated", "customer.changed"]
    first = deliveries[0]
    first.refresh_from_db()
    assert (first.status, first.attempts, first.response_code) == ("pending", 1, 500)
    assert first.next_attempt_at > timezone.now()
    assert services.retry_due() == 0  # not due yet
    assert services.retry_due(now=timezone.now() + timedelta(minutes=2)) == 1
    assert services.retry_due(now=timezone.now() + timedelta(hours=2)) == 0  # delivered: never sent again
    assert len(receiver.requests) == 3  # ticket (failed), customer, ticket again
    accepted = receiver.accepted()
    assert sorted(e["event"] for e in accepted) == ["customer.changed", "ticket.updated"]
    by_event = {e["event"]: e for e in accepted}
    assert by_event["ticket.updated"]["data"]["id"] == ticket.pk
    assert by_event["ticket.updated"]["data"]["number"] == ticket.number
    assert by_event["customer.changed"]["data"] == {
        "object": "customer", "id": customer.pk, "name": customer.name, "fields": ["city"],
        "pending_approval": False, "url": by_event["customer.changed"]["data"]["url"]}
    first.refresh_from_db()
    assert (first.status, first.attempts, first.response_code) == ("succeeded", 2, 200)
    # the signature is over the exact body: a changed body does not verify
    req = receiver.requests[0]
    h = req["headers"]
    assert verify(secret, h, req["body"]) and not verify(secret, h, req["body"] + b" ")
    assert not verify("another secret", h, req["body"])


def test_nothing_is_sent_when_the_change_rolls_back(it, make_user, servers, django_capture_on_commit_callbacks):
    receiver = servers(WebhookReceiver, "x")
    subscribe(it, receiver.url, ["customer.changed"], secret="x")
    rep = make_user("sales_rep")
    customer = CustomerFactory(owner=rep)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        from django.db import transaction
        with transaction.atomic():
            crm_services.update_customer(customer, {"city": "温州市"}, actor=rep)
            raise RuntimeError("rolled back")
    assert receiver.requests == [] and not Delivery.objects.exists()


def test_stock_below_minimum_is_sent(it, make_user, servers, django_capture_on_commit_callbacks):
    receiver = servers(WebhookReceiver, "k")
    subscribe(it, receiver.url, ["stock.below_minimum"], secret="k")
    th = ThresholdFactory(minimum=Decimal("10"))
    loc = LocationFactory(warehouse=th.warehouse)
    inventory_services.post_movement(product=th.product, quantity=5, to_location=loc, kind="receipt",
                                     actor=make_user("warehouse_clerk"))
    with django_capture_on_commit_callbacks(execute=True):
        check_thresholds([th.product_id])
    [event] = receiver.accepted()
    assert event["event"] == "stock.below_minimum"
    assert (event["data"]["sku"], event["data"]["available"], event["data"]["minimum"]) == (
        th.product.sku, "5.000", "10.000")


def test_repeated_failures_turn_the_subscription_off_and_tell_its_owner(it, make_user, servers, monkeypatch,
                                                                       django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "AUTO_DISABLE_AFTER", 3)
    receiver = servers(WebhookReceiver, "k", answers=[503] * 10)
    sub = subscribe(it, receiver.url, ["customer.changed"], secret="k")
    rep = make_user("sales_rep")
    customer = CustomerFactory(owner=rep)
    with django_capture_on_commit_callbacks(execute=True):
        crm_services.update_customer(customer, {"city": "温州市"}, actor=rep)
    later = timezone.now()
    for minutes in (2, 10):
        later += timedelta(minutes=minutes)
        services.retry_due(now=later)
    sub.refresh_from_db()
    assert not sub.active and sub.disabled_at is not None and sub.consecutive_failures == 3
    assert Notification.objects.filter(recipient=it, key__startswith=f"api:sub:{sub.pk}:off").exists()
    d = Delivery.objects.get(subscription=sub)
    assert (d.attempts, d.response_code, d.status) == (3, 503, "pending")
    assert services.retry_due(now=later + timedelta(days=1)) == 0  # a disabled subscription sends nothing
    assert len(receiver.requests) == 3


def test_resend_by_hand_from_the_delivery_log(it, servers, client, django_capture_on_commit_callbacks):
    receiver = servers(WebhookReceiver, "k", answers=[500])
    sub = subscribe(it, receiver.url, ["ticket.updated"], secret="k")
    with django_capture_on_commit_callbacks(execute=True):
        support_services.open_ticket(requester=it, subject="VPN", description="连不上", category="network")
    d = Delivery.objects.get(subscription=sub)
    assert d.response_code == 500
    client.force_login(it, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(f"/integrations/subscriptions/{sub.pk}/")
    assert page.status_code == 200 and str(d.event_id) in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/integrations/deliveries/{d.pk}/resend/")
    assert r.status_code == 302
    d.refresh_from_db()
    assert (d.status, d.response_code) == ("succeeded", 200)
    assert [e["id"] for e in receiver.accepted()] == [str(d.event_id)]


def test_wecom_and_dingtalk_robots_receive_markdown_messages(it, servers, make_user,
                                                            django_capture_on_commit_callbacks):
    wecom = servers(Server, body=b'{"errcode": 0, "errmsg": "ok"}')
    ding = servers(Server, body=b'{"errcode": 0, "errmsg": "ok"}')
    secret = "SECabc123"
    subscribe(it, wecom.url + "/cgi-bin/webhook/send?key=abc", ["ticket.updated"], kind="wecom")
    subscribe(it, ding.url + "/robot/send?access_token=tok", ["ticket.updated"], kind="dingtalk", secret=secret)
    rep = make_user("sales_rep")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = support_services.open_ticket(requester=rep, subject="打印机", description="卡纸",
                                              category="printer")
    [w] = wecom.requests
    body = json.loads(w["body"])
    assert w["path"] == "/cgi-bin/webhook/send?key=abc"
    assert body["msgtype"] == "markdown"
    assert f"工单 {ticket.number}" in body["markdown"]["content"] and "打印机" in body["markdown"]["content"]
    [d] = ding.requests
    q = robot_query(d)
    assert q["access_token"] == "tok"
    expected = base64.b64encode(hmac.new(secret.encode(), f"{q['timestamp']}\n{secret}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert q["sign"] == expected  # DingTalk's 加签: HMAC-SHA256 of "timestamp\nsecret", base64
    body = json.loads(d["body"])
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == "工单已更新"
    assert ticket.number in body["markdown"]["text"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"succeeded"}


def test_a_robot_refusal_is_a_failed_attempt(it, servers, make_user, django_capture_on_commit_callbacks):
    robot = servers(Server, body=b'{"errcode": 310000, "errmsg": "sign not match"}')
    sub = subscribe(it, robot.url + "/robot/send?access_token=t", ["ticket.updated"], kind="dingtalk", secret="S")
    with django_capture_on_commit_callbacks(execute=True):
        support_services.open_ticket(requester=make_user(), subject="x", description="y", category="other")
    d = Delivery.objects.get(subscription=sub)
    assert (d.status, d.response_code, d.error) == ("pending", 200, "errcode 310000")
    assert Subscription.objects.get(pk=sub.pk).consecutive_failures == 1


def test_order_events_through_the_api_each_once(it, make_user, servers, django_capture_on_commit_callbacks):
    """approved, shipped, delivered and paid: a shop's receiver hears each once, the first try failing."""
    from orders import services as order_services
    from tests.api.conftest import token_client_for
    from tests.factories.orders import make_world

    receiver = servers(WebhookReceiver, "shop", answers=[502])
    subscribe(it, receiver.url, ["order.approved", "order.shipped", "order.delivered", "order.paid"], secret="shop")
    w = make_world(make_user)
    rep = token_client_for(w.rep)
    with django_capture_on_commit_callbacks(execute=True):
        r = rep.post("/api/v1/orders/", {"customer": w.customer.pk, "warehouse": w.warehouse.pk,
                                         "lines": [{"product": w.products[0].pk, "quantity": "10"}]}, format="json")
        oid = r.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        assert rep.post(f"/api/v1/orders/{oid}/submit/", {}, format="json").json()["status"] == "approved"
    clerk = token_client_for(make_user("warehouse_clerk"))
    line = r.json()["lines"][0]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        s = clerk.post(f"/api/v1/orders/{oid}/ship/", {"lines": [{"line": line, "quantity": "10"}],
                                                       "tracking_number": "SF1234567890"},
                       format="json", HTTP_IDEMPOTENCY_KEY="ship-1")
    assert s.status_code == 201, s.json()
    assert s.json()["tracking_number"] == "SF1234567890"
    from orders.models import Shipment
    with django_capture_on_commit_callbacks(execute=True):
        order_services.mark_delivered(Shipment.objects.get(pk=s.json()["id"]), actor=clerk.user)
    finance = token_client_for(make_user("finance_clerk"))
    with django_capture_on_commit_callbacks(execute=True):
        p = finance.post("/api/v1/payments/", {"customer": w.customer.pk, "amount": "22.60", "method": "bank",
                                               "allocations": [{"order": oid, "amount": "22.60"}]},
                         format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    assert p.status_code == 201, p.json()
    services.retry_due(now=timezone.now() + timedelta(minutes=2))
    events = [e["event"] for e in receiver.accepted()]
    assert sorted(events) == ["order.approved", "order.delivered", "order.paid", "order.shipped"]
    assert all(e["data"]["id"] == oid for e in receiver.accepted())
    assert len(receiver.requests) == 5  # four events, the first of them twice
