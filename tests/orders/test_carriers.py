"""The Kuaidi100 adapter against a local HTTP server speaking its documented format (query, subscribe, push)."""

import hashlib
import json
import threading
import time
import urllib.parse
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from orders import services, tracking
from orders.carriers import CarrierError, Kuaidi100Adapter, RateLimited, map_state
from orders.models import Shipment, TrackingEvent
from orders.tasks import poll_tracking_task, subscribe_tracking_task
from tests.factories.orders import CarrierFactory

CUSTOMER, KEY, SALT = "TESTCUSTOMER01", "testkey123", "saltsalt"
pytestmark = pytest.mark.django_db


def md5u(text):
    return hashlib.md5(text.encode()).hexdigest().upper()  # noqa: S324


WAYBILLS = {
    "SF1": {"state": "0", "data": [{"time": "2026-11-20 09:00:00", "context": "【杭州】快件已揽收"}]},
    "SF2": {"state": "3", "data": [{"time": "2026-11-21 18:30:00", "context": "【宁波】已签收，签收人：本人",
                                    "location": "宁波"},
                                   {"time": "2026-11-21 08:10:00", "context": "【宁波】派件中"},
                                   {"time": "2026-11-20 09:00:00", "context": "【杭州】快件已揽收"}]},
}


class Kuaidi100Stub(BaseHTTPRequestHandler):
    calls = []

    def log_message(self, *args):
        pass

    def reply(self, body, status=200):
        raw = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode()).items()}
        type(self).calls.append((self.path, form))
        if self.path == "/poll/query.do":
            if form.get("customer") != CUSTOMER or form.get("sign") != md5u(form.get("param", "") + KEY + CUSTOMER):
                return self.reply({"result": False, "returnCode": "503", "message": "验证签名失败"})
            param = json.loads(form["param"])
            num = param["num"]
            if num == "SLOW":
                time.sleep(1.5)
                return self.reply({"result": False, "returnCode": "500", "message": "查询无结果"})
            if num == "LIMIT":
                return self.reply({"result": False, "returnCode": "429", "message": "too many requests"}, status=429)
            if num == "BROKEN":
                return self.reply({"result": False, "returnCode": "400", "message": "找不到对应公司"})
            if num not in WAYBILLS:
                return self.reply({"result": False, "returnCode": "500", "message": "查询无结果，请隔段时间再查"})
            w = WAYBILLS[num]
            return self.reply({"message": "ok", "nu": num, "ischeck": "1" if w["state"] == "3" else "0",
                               "com": param["com"], "status": "200", "state": w["state"], "data": w["data"]})
        if self.path == "/poll":
            param = json.loads(form["param"])
            if param.get("key") != KEY:
                return self.reply({"result": False, "returnCode": "600", "message": "您不是合法的订阅者"})
            return self.reply({"result": True, "returnCode": "200", "message": "提交成功"})
        self.reply({"result": False, "returnCode": "404", "message": "not found"}, status=404)


@pytest.fixture
def stub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Kuaidi100Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Kuaidi100Stub.calls = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def k100(settings, stub):
    settings.KUAIDI100_CUSTOMER, settings.KUAIDI100_KEY, settings.KUAIDI100_SALT = CUSTOMER, KEY, SALT
    settings.KUAIDI100_QUERY_URL = stub + "/poll/query.do"
    settings.KUAIDI100_POLL_URL = stub + "/poll"
    settings.KUAIDI100_TIMEOUT = "0.5"
    return stub


@pytest.fixture
def shipped(world, manager):
    """Two shipped orders with Kuaidi100 tracking numbers (factory-made, no carrier call)."""
    carrier = CarrierFactory(name="顺丰", code="shunfeng", adapter="kuaidi100")

    def make(number, qty="10"):
        order = services.submit_order(world.order([{"product": world.products[0], "quantity": qty}]),
                                      actor=world.rep)
        return services.ship_order(order, quantities={order.lines.get().pk: qty}, actor=manager,
                                   carrier=carrier, tracking_number=number)
    return make


def test_state_mapping():
    assert map_state("3") == map_state("301") == "delivered"
    assert map_state("5") == "out_for_delivery" and map_state("2") == "problem" and map_state("14") == "returning"
    assert map_state("0") == map_state("1") == map_state("99") == "in_transit"


def test_query_is_signed_and_parsed(k100, shipped):
    shipment = shipped("SF2")
    events = Kuaidi100Adapter().query(shipment)
    path, form = Kuaidi100Stub.calls[-1]
    assert path == "/poll/query.do"
    assert form["sign"] == md5u(form["param"] + KEY + CUSTOMER) and form["sign"].isupper()
    assert json.loads(form["param"])["com"] == "shunfeng"
    assert [e["status"] for e in sorted(events, key=lambda e: e["occurred_at"])] == [
        "in_transit", "in_transit", "delivered"]


def test_bad_key_is_a_clear_error(k100, shipped, settings):
    shipment = shipped("SF1")
    with pytest.raises(CarrierError, match="503") as exc:
        Kuaidi100Adapter(key="wrong").query(shipment)
    assert exc.value.code == "k100_503" and not exc.value.retry
    with pytest.raises(CarrierError) as exc:
        Kuaidi100Adapter().query(Shipment(carrier=shipment.carrier, tracking_number="BROKEN", order=shipment.order))
    assert exc.value.code == "k100_400"


def test_timeout_and_rate_limit(k100, shipped):
    slow = shipped("SLOW")
    t0 = time.monotonic()
    with pytest.raises(CarrierError) as exc:
        tracking.poll_shipment(slow)
    assert exc.value.code == "timeout" and exc.value.retry
    assert time.monotonic() - t0 < 1.4
    slow.refresh_from_db()
    assert "did not answer" in slow.last_error and slow.last_polled_at is not None
    with pytest.raises(RateLimited):
        Kuaidi100Adapter().query(shipped("LIMIT"))


def test_poll_stores_events_once_and_delivery_follows(k100, shipped):
    shipment = shipped("SF2")
    order = shipment.order
    assert tracking.poll_shipment(shipment) == 3
    assert tracking.poll_shipment(shipment) == 0
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 3
    shipment.refresh_from_db()
    order.refresh_from_db()
    assert shipment.status == "delivered" and shipment.delivered_at.hour in (18, 10)  # local 18:30
    assert order.status == "delivered"


def test_poll_task_skips_recent_and_stops_at_rate_limit(k100, shipped):
    first = shipped("LIMIT")
    second = shipped("SF1")
    stats = poll_tracking_task()
    assert stats["rate_limited"] is True and stats["polled"] == 0
    second.refresh_from_db()
    assert second.last_polled_at is None  # not asked after the rate limit
    Shipment.objects.filter(pk=first.pk).update(tracking_number="SF1-X")
    stats = poll_tracking_task()
    assert stats["polled"] >= 1
    second.refresh_from_db()
    assert second.tracking_events.count() == 1 and second.status == "in_transit"
    assert poll_tracking_task()["polled"] == 0  # both were asked within the last two hours


def test_subscription_then_push(k100, shipped, client):
    shipment = shipped("SF9")
    assert subscribe_tracking_task(shipment.pk) is True
    shipment.refresh_from_db()
    assert shipment.push_subscribed and shipment not in tracking.shipments_to_poll()
    _path, form = [c for c in Kuaidi100Stub.calls if c[0] == "/poll"][-1]
    sub = json.loads(form["param"])
    assert sub["number"] == "SF9" and sub["parameters"]["callbackurl"].endswith(reverse("orders:kuaidi100_push"))

    param = json.dumps({"status": "polling", "message": "", "lastResult": {
        "message": "ok", "state": "5", "ischeck": "0", "com": "shunfeng", "nu": "SF9",
        "data": [{"time": "2026-11-22 08:00:00", "context": "派件员正在派件"},
                 {"time": "2026-11-21 09:00:00", "context": "已揽收"}]}}, ensure_ascii=False)
    url = reverse("orders:kuaidi100_push")
    bad = client.post(url, {"param": param, "sign": md5u(param + "wrong")})
    assert bad.status_code == 400 and bad.json()["result"] is False
    assert not TrackingEvent.objects.filter(shipment=shipment).exists()
    ok = client.post(url, {"param": param, "sign": md5u(param + SALT)})
    assert ok.status_code == 200 and ok.json()["returnCode"] == "200" and ok.json()["new"] == 2
    again = client.post(url, {"param": param, "sign": md5u(param + SALT)})
    assert again.json()["new"] == 0
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 2
    shipment.refresh_from_db()
    assert shipment.status == "out_for_delivery"


def test_manual_tracking_and_delivery(world, manager):
    order = services.submit_order(world.order([{"product": world.products[0], "quantity": "5"}]), actor=world.rep)
    sh = services.ship_order(order, quantities={order.lines.get().pk: Decimal("5")}, actor=manager)
    from django.utils import timezone
    n = services.record_tracking(sh, [{"occurred_at": timezone.now(), "status": "delivered",
                                       "description": "客户已签收"}], actor=manager)
    assert n == 1
    order.refresh_from_db()
    assert order.status == "delivered"


def test_adapter_settings_come_from_the_environment():
    """KUAIDI100_* are declared in settings from environment variables (see .env.example)."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    code = ("import django; django.setup(); from orders.carriers import Kuaidi100Adapter as K; a = K(); "
            "print(a.customer, a.api_key, a.salt, a.query_url, a.poll_url, a.timeout)")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hardware_erp.settings", "KUAIDI100_CUSTOMER": "CUST9",
           "KUAIDI100_KEY": "k9", "KUAIDI100_SALT": "s9", "KUAIDI100_QUERY_URL": "http://127.0.0.1:1/q",
           "KUAIDI100_POLL_URL": "http://127.0.0.1:1/p", "KUAIDI100_TIMEOUT": "2.5"}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True,
                         text=True, timeout=120, check=True).stdout.split()
    assert out == ["CUST9", "k9", "s9", "http://127.0.0.1:1/q", "http://127.0.0.1:1/p", "2.5"]
    env = {k: v for k, v in env.items() if not k.startswith("KUAIDI100_")}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True,
                         text=True, timeout=120, check=True).stdout.split()
    assert out == ["https://poll.kuaidi100.com/poll/query.do", "https://poll.kuaidi100.com/poll", "10.0"]
