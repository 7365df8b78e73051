"""Local HTTP servers standing in for an integration's webhook receiver and for WeCom/DingTalk group robots."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def verify(secret: str, headers, body: bytes, tolerance=300) -> bool:
    """What a receiver does (docs/api.md): recompute the HMAC over "<timestamp>.<body>", compare in constant time,
    and refuse old timestamps (replays)."""
    headers = {k.lower(): v for k, v in headers.items()}
    ts = headers.get("x-hwerp-timestamp", "")
    sig = headers.get("x-hwerp-signature", "")
    if not ts.isdigit() or abs(time.time() - int(ts)) > tolerance or not sig.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, sig.removeprefix("sha256="))


class Server:
    """Records every request; `answers` is a list of status codes to give in turn (then `default`)."""

    def __init__(self, answers=(), default=200, body=b'{"ok": true}'):
        self.requests, self.answers, self.default, self.body = [], list(answers), default, body
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                code = outer.answers.pop(0) if outer.answers else outer.default
                outer.requests.append({"path": self.path, "headers": dict(self.headers), "body": raw, "code": code})
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class WebhookReceiver(Server):
    """An integration that verifies signatures and processes each event once (by its delivery id)."""

    def __init__(self, secret, answers=()):
        super().__init__(answers)
        self.secret = secret

    def accepted(self):
        """The events it processed: requests it answered 2xx with a valid signature, each event id once."""
        seen, out = set(), []
        for req in self.requests:
            h = {k.lower(): v for k, v in req["headers"].items()}
            if req["code"] < 300 and verify(self.secret, h, req["body"]) and h["x-hwerp-delivery"] not in seen:
                seen.add(h["x-hwerp-delivery"])
                out.append(json.loads(req["body"]))
        return out


def robot_query(req):
    q = parse_qs(urlparse(req["path"]).query)
    return {k: v[0] for k, v in q.items()}
