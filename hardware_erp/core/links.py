"""User-supplied URLs: the one place that decides whether a URL a person typed (or a browser sent) may be stored
or shown as a link.

- `site_url(value)`: a path on this site (``/inventory/?q=bolt``, ``orders/12/``) or an ``http(s)`` URL whose host
  is one of this site's (``ALLOWED_HOSTS``, the host of ``SITE_URL``). Used for what a page says about this site:
  a ticket's "reported from" page, notification links, evidence links.
- `web_url(value)`: any ``http(s)`` URL. Used only where the field is meant to point elsewhere (a training video,
  an online session, a carrier's tracking page) and the link opens with ``rel="noopener noreferrer"``.

Anything else (``javascript:``, ``data:``, ``vbscript:``, ``//other.host``, a backslash, control characters or
spaces a browser would strip before reading the scheme) becomes ``""``: not stored, not rendered as a link.
Templates use the `site_link` and `web_link` filters of ``{% load erp %}``.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import validate_host

WEB_SCHEMES = ("http", "https")


def _clean(value) -> str | None:
    text = str(value or "").strip()
    if not text or "\\" in text or any(ord(ch) < 0x21 or 0x7f <= ord(ch) <= 0x9f for ch in text):
        return None
    return text


def site_hosts() -> list[str]:
    hosts = [h for h in settings.ALLOWED_HOSTS if h]
    site = urlsplit(getattr(settings, "SITE_URL", "") or "").hostname
    return hosts + ([site] if site else [])


def site_url(value) -> str:
    """`value` when it is a relative URL or an http(s) URL of this site, else ``""``."""
    text = _clean(value)
    if text is None:
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if not parts.scheme and not parts.netloc:
        return "" if text.startswith("//") or ":" in text.split("/", 1)[0].split("?", 1)[0] else text
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        return ""
    return text if validate_host(parts.hostname, site_hosts()) else ""


def web_url(value) -> str:
    """`value` when it is an http(s) URL with a host, else ``""``."""
    text = _clean(value)
    if text is None:
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    return text if parts.scheme.lower() in WEB_SCHEMES and parts.hostname else ""
