"""Carrier adapters behind one interface: `query(shipment)` returns tracking events, `subscribe(shipment)`
asks the carrier to push them, `parse_push(data)` checks and reads a push.

- ManualAdapter: staff type the events on the shipment page; nothing to ask.
- Kuaidi100Adapter: the Kuaidi100 enterprise API (快递100 企业版).
  Query: POST https://poll.kuaidi100.com/poll/query.do, form fields `customer`, `param` (JSON: com, num,
  phone, resultv2) and `sign` = MD5(param + key + customer), 32 upper-case hex digits.
  Subscribe: POST https://poll.kuaidi100.com/poll, form fields `schema=json` and `param` (JSON: company,
  number, key, parameters {callbackurl, salt, resultv2}).
  Push: the carrier POSTs form fields `param` (JSON with status, message, lastResult {state, ischeck, nu,
  com, data}) and `sign` = MD5(param + salt) upper-case; we answer {"result": true, "returnCode": "200"}.

Configuration: the settings KUAIDI100_CUSTOMER, KUAIDI100_KEY, KUAIDI100_SALT, KUAIDI100_QUERY_URL,
KUAIDI100_POLL_URL, KUAIDI100_TIMEOUT (seconds, default 10), read from the environment variables of the same
names in hardware_erp/settings.py; SITE_URL builds the callback URL.
"""

import hashlib
import hmac
import json
import logging
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import CarrierAdapter, ShipmentStatus

log = logging.getLogger(__name__)

# Kuaidi100 `state` → our shipment status. 0 在途, 1 揽收, 2 疑难, 3 签收, 4 退签, 5 派件, 6 退回, 7 转投,
# 8 清关, 10-13 customs, 14 拒签; with resultv2 sub-states such as 301 (signed by the addressee) appear.
KUAIDI100_STATES = {
    "0": ShipmentStatus.IN_TRANSIT, "1": ShipmentStatus.IN_TRANSIT, "2": ShipmentStatus.PROBLEM,
    "3": ShipmentStatus.DELIVERED, "4": ShipmentStatus.RETURNING, "5": ShipmentStatus.OUT_FOR_DELIVERY,
    "6": ShipmentStatus.RETURNING, "7": ShipmentStatus.IN_TRANSIT, "8": ShipmentStatus.IN_TRANSIT,
    "10": ShipmentStatus.IN_TRANSIT, "11": ShipmentStatus.IN_TRANSIT, "12": ShipmentStatus.IN_TRANSIT,
    "13": ShipmentStatus.PROBLEM, "14": ShipmentStatus.RETURNING,
}


def map_state(state) -> str:
    """A Kuaidi100 state (or resultv2 sub-state like 301, 501) as our shipment status."""
    s = str(state or "0").strip()
    if s in KUAIDI100_STATES:
        return KUAIDI100_STATES[s]
    if len(s) == 3 and s[0] in KUAIDI100_STATES:  # resultv2 sub-states: 101, 301, 501, ...
        return KUAIDI100_STATES[s[0]]
    if len(s) == 4 and s[:2] in KUAIDI100_STATES:
        return KUAIDI100_STATES[s[:2]]
    return ShipmentStatus.IN_TRANSIT


class CarrierError(Exception):
    """The carrier could not answer; `retry` says whether asking again later may help."""

    def __init__(self, message, *, retry=False, code=""):
        super().__init__(str(message))
        self.retry = retry
        self.code = code


class RateLimited(CarrierError):
    def __init__(self, message):
        super().__init__(message, retry=True, code="rate_limited")


@dataclass
class TrackingUpdate:
    number: str
    company: str
    state: str
    events: list  # [{"occurred_at", "status", "description", "location"}]


class ManualAdapter:
    key = CarrierAdapter.MANUAL
    can_query = False

    def query(self, shipment):
        return []

    def subscribe(self, shipment) -> bool:
        return False


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest().upper()  # the carrier signs with MD5


class Kuaidi100Adapter:
    key = CarrierAdapter.KUAIDI100
    can_query = True

    def __init__(self, *, customer=None, key=None, salt=None, query_url=None, poll_url=None, timeout=None):
        self.customer = customer if customer is not None else settings.KUAIDI100_CUSTOMER
        self.api_key = key if key is not None else settings.KUAIDI100_KEY
        self.salt = salt if salt is not None else settings.KUAIDI100_SALT
        self.query_url = query_url or settings.KUAIDI100_QUERY_URL
        self.poll_url = poll_url or settings.KUAIDI100_POLL_URL
        self.timeout = float(timeout or settings.KUAIDI100_TIMEOUT)

    # -- signing
    def sign(self, param: str) -> str:
        """MD5(param + key + customer), upper case, as the query API documents."""
        return md5_upper(param + self.api_key + self.customer)

    def push_sign(self, param: str) -> str:
        """MD5(param + salt), upper case: the signature of a push."""
        return md5_upper(param + self.salt)

    # -- transport
    def _post(self, url, fields: dict) -> dict:
        body = urllib.parse.urlencode(fields).encode()
        req = urllib.request.Request(url, data=body, method="POST",  # noqa: S310 - configured https URL
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310  # nosec B310 (configured URL)
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 429:
                raise RateLimited(_("The carrier asks us to slow down (HTTP 429); we try again later.")) from exc
            raise CarrierError(_("The carrier answered HTTP %(code)s.") % {"code": exc.code},
                               retry=exc.code >= 500, code=f"http_{exc.code}") from exc
        except TimeoutError as exc:
            raise CarrierError(_("The carrier did not answer within %(s)s seconds.") % {"s": self.timeout},
                               retry=True, code="timeout") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise CarrierError(_("The carrier did not answer within %(s)s seconds.") % {"s": self.timeout},
                                   retry=True, code="timeout") from exc
            raise CarrierError(_("The carrier cannot be reached: %(e)s") % {"e": exc.reason}, retry=True,
                               code="unreachable") from exc
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CarrierError(_("The carrier's answer is not JSON."), retry=True, code="bad_answer") from exc

    # -- API
    def query(self, shipment) -> list:
        """The shipment's events from the real-time query API."""
        if not (self.customer and self.api_key):
            raise CarrierError(_("Kuaidi100 is not configured (KUAIDI100_CUSTOMER and KUAIDI100_KEY)."),
                               code="not_configured")
        param = json.dumps({"com": shipment.carrier.code, "num": shipment.tracking_number,
                            "phone": (shipment.order.contact_phone or "")[-4:], "resultv2": "1"},
                           ensure_ascii=False, separators=(",", ":"))
        data = self._post(self.query_url, {"customer": self.customer, "sign": self.sign(param), "param": param})
        return self.parse_result(data).events

    def parse_result(self, data: dict) -> TrackingUpdate:
        """Read a query answer (or a push's lastResult); raise CarrierError for an error answer."""
        if data.get("result") is False or (data.get("returnCode") and str(data.get("returnCode")) != "200"):
            code = str(data.get("returnCode") or "")
            message = data.get("message") or ""
            if code == "500":  # 查询无结果: no events yet
                return TrackingUpdate(number="", company="", state="0", events=[])
            if code in ("502", "503") and "频" in message:
                raise RateLimited(_("Kuaidi100 says: %(m)s") % {"m": message})
            retry = code in ("501", "502")
            raise CarrierError(_("Kuaidi100 refused the query (%(code)s): %(m)s") % {"code": code, "m": message},
                               retry=retry, code=f"k100_{code}")
        state = str(data.get("state", "0"))
        events = []
        for row in data.get("data") or []:
            when = _parse_time(row.get("ftime") or row.get("time"))
            if when is None:
                continue
            code = row.get("statusCode") or row.get("status_code")
            events.append({"occurred_at": when, "status": map_state(code) if code else ShipmentStatus.IN_TRANSIT,
                           "description": (row.get("context") or "").strip() or "-",
                           "location": (row.get("location") or row.get("areaName") or "").strip()})
        if events:
            # the newest scan carries the waybill's overall state (delivered, out for delivery, ...)
            newest = max(events, key=lambda e: e["occurred_at"])
            newest["status"] = map_state(state)
        return TrackingUpdate(number=str(data.get("nu") or ""), company=str(data.get("com") or ""), state=state,
                              events=events)

    def subscribe(self, shipment) -> bool:
        """Ask Kuaidi100 to push this shipment's events to our callback. True when accepted."""
        if not (self.api_key and self.salt):
            return False
        callback = settings.SITE_URL.rstrip("/") + reverse("orders:kuaidi100_push")
        param = json.dumps({"company": shipment.carrier.code, "number": shipment.tracking_number,
                            "key": self.api_key, "parameters": {"callbackurl": callback, "salt": self.salt,
                                                                "resultv2": "1"}},
                           ensure_ascii=False, separators=(",", ":"))
        data = self._post(self.poll_url, {"schema": "json", "param": param})
        code = str(data.get("returnCode") or "")
        if data.get("result") is True or code in ("200", "501"):  # 501: already subscribed
            return True
        raise CarrierError(_("Kuaidi100 refused the subscription (%(code)s): %(m)s") % {
            "code": code, "m": data.get("message", "")}, retry=code in ("502",), code=f"k100_{code}")

    def parse_push(self, form) -> TrackingUpdate:
        """Check a push's signature and read it. Raises CarrierError(code="bad_signature") when wrong."""
        param = form.get("param") or ""
        sign = (form.get("sign") or "").upper()
        if not self.salt or not param or not hmac.compare_digest(sign, self.push_sign(param)):
            raise CarrierError(_("The push signature is wrong."), code="bad_signature")
        try:
            body = json.loads(param)
        except json.JSONDecodeError as exc:
            raise CarrierError(_("The push is not JSON."), code="bad_push") from exc
        last = body.get("lastResult") or {}
        update = self.parse_result({**last, "returnCode": "200", "result": True})
        update.number = str(last.get("nu") or update.number)
        update.company = str(last.get("com") or update.company)
        return update


def _parse_time(text):
    if not text:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return timezone.make_aware(datetime.strptime(str(text).strip(), fmt))
        except ValueError:
            continue
    return None


ADAPTERS = {CarrierAdapter.MANUAL: ManualAdapter, CarrierAdapter.KUAIDI100: Kuaidi100Adapter}


def adapter_for(carrier):
    """The adapter of a carrier (manual when it has none)."""
    if carrier is None:
        return ManualAdapter()
    return ADAPTERS.get(carrier.adapter, ManualAdapter)()
