"""The client's address: one function for the sign-in lock-out (django-axes), the security log and the session list.

Without a proxy (``TRUSTED_PROXY_COUNT=0``, the default) it is ``REMOTE_ADDR`` and ``X-Forwarded-For`` is ignored:
anyone can send that header. Behind N proxies that each append the address they saw to ``X-Forwarded-For``
(nginx: ``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;``, docs/deployment.md), the client is the
N-th address from the right: the ones before it were written by the client and are not believed."""

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    if request is None:
        return None
    meta = getattr(request, "META", {})
    remote = _valid(meta.get("REMOTE_ADDR") or "")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if h.strip()]
    if len(hops) < proxies:  # fewer hops than proxies: the request did not come through them
        return remote
    return _valid(hops[-proxies]) or remote
