"""Sending a delivery: a signed webhook POST, or a message to a WeCom (企业微信) or DingTalk (钉钉) group robot.

Webhook: the JSON payload, with headers X-HWERP-Event, X-HWERP-Delivery (the event id: receivers drop repeats),
X-HWERP-Timestamp (Unix seconds) and X-HWERP-Signature: "sha256=" + hex HMAC-SHA256 of "<timestamp>.<body>".

WeCom group robot (https://developer.work.weixin.qq.com/document/path/91770): POST to the robot's webhook URL
(its key is in the URL) `{"msgtype": "markdown", "markdown": {"content": "..."}}`; answers `{"errcode": 0}`.
DingTalk custom robot (https://open.dingtalk.com/document/robots/custom-robot-access): with "加签" the URL gains
`&timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256(secret, "<ms>\\n<secret>")>`; body
`{"msgtype": "markdown", "markdown": {"title": "...", "text": "..."}}`; answers `{"errcode": 0}`.
"""

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import quote_plus

import requests
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.translation import gettext as _

from orders.choices import OrderStatus
from support.choices import TicketStatus

from .models import Event, Subscription

STATUS_LABELS = {"order": OrderStatus, "ticket": TicketStatus}

TIMEOUT = 10  # seconds


def _post(url, body: bytes, headers: dict):
    try:
        r = requests.post(url, data=body, headers={"Content-Type": "application/json", **headers}, timeout=TIMEOUT,
                          allow_redirects=False)
    except requests.RequestException as exc:
        return None, "", type(exc).__name__
    return r.status_code, r.text[:500], ""


def send(sub: Subscription, delivery) -> tuple[int | None, str, str]:
    """(response code, response text, error) for one attempt; error is "" when the receiver took it."""
    if sub.kind == Subscription.Kind.WEBHOOK:
        body = json.dumps(delivery.payload, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
        ts = str(int(time.time()))
        return _post(sub.url, body, {
            "X-HWERP-Event": delivery.event, "X-HWERP-Delivery": str(delivery.event_id), "X-HWERP-Timestamp": ts,
            "X-HWERP-Signature": "sha256=" + sign(sub.secret, ts, body), "User-Agent": "HardwareERP-Webhook/1"})
    with translation.override(sub.language or "zh-hans"):
        title, text = message(delivery.event, delivery.payload.get("data", {}))
    if sub.kind == Subscription.Kind.WECOM:
        body = {"msgtype": "markdown", "markdown": {"content": f"**{title}**\n{text}"}}
        url = sub.url
    else:
        body = {"msgtype": "markdown", "markdown": {"title": title, "text": f"#### {title}\n{text}"}}
        url = dingtalk_url(sub.url, sub.secret) if sub.secret else sub.url
    code, text, error = _post(url, json.dumps(body, ensure_ascii=False).encode(), {})
    if not error and code == 200:
        try:
            errcode = json.loads(text).get("errcode", 0)
        except (ValueError, AttributeError):
            errcode = None
        if errcode != 0:  # the robots answer 200 with an error code when they refuse a message
            error = f"errcode {errcode}"
    return code, text, error


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The webhook signature: hex HMAC-SHA256 over "<timestamp>.<body>" with the subscription's secret."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def dingtalk_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    ts = str(timestamp_ms or int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}timestamp={ts}&sign={quote_plus(base64.b64encode(digest).decode())}"


def message(event: str, data: dict) -> tuple[str, str]:
    """The robot message of an event in the active language: a title and markdown lines."""
    title = str(Event(event).label)
    params = {k: data.get(k, "") for k in ("number", "status", "customer", "sku", "warehouse", "available",
                                           "minimum", "name", "subject")}
    lines = {
        "order": _("Order %(number)s for %(customer)s: %(status)s"),
        "stock": _("%(sku)s in %(warehouse)s: %(available)s available, minimum %(minimum)s"),
        "customer": _("Customer %(name)s was changed"),
        "ticket": _("Ticket %(number)s %(subject)s: %(status)s"),
    }
    kind = event.split(".")[0]
    if kind in STATUS_LABELS and params["status"] in STATUS_LABELS[kind].values:
        params["status"] = STATUS_LABELS[kind](params["status"]).label
    text = lines[kind] % params
    link = data.get("url", "")
    open_label = str(_("Open"))
    return title, f"{text}\n\n[{open_label}]({link})" if link else text
