"""Notifications, read side: a user's notifications grouped so that repeats do not pile up.

Notifications of one kind (the part of their key before the first ":", e.g. "stock-alert" or "crm.task") that
point to the same page are one group: the newest message is shown with the number of notifications in it. A
notification without a key is a group of one kind "" per link.

Some kinds are one group whatever their links (`summarise`): twelve stock alerts are one line, "12 stock alerts",
that opens the alerts list, instead of twelve lines that each open a product.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, F, IntegerField, Max, Q, Value, When
from django.db.models.functions import StrIndex, Substr
from django.urls import reverse

from .models import Notification


@dataclass(frozen=True)
class Summary:
    text: Callable[[int], str]  # the group's line for n notifications, in the reader's language (ngettext)
    url_name: str  # the page that lists what the notifications are about


_SUMMARIES: dict[str, Summary] = {}


def summarise(kind: str, text: Callable[[int], str], url_name: str) -> None:
    """Notifications of `kind` form one group whatever their links; the group reads `text(n)` and opens `url_name`.

    Called by the app that sends them, at import time (e.g. inventory's alerts module)."""
    _SUMMARIES[kind] = Summary(text, url_name)


def kind_of(key: str) -> str:
    return key.split(":", 1)[0]


def _kind_expression():
    """The key up to its first ":" (the whole key when it has none), in SQL on SQLite and PostgreSQL."""
    colon = StrIndex("key", Value(":"))
    return Case(When(Q(key__contains=":"), then=Substr("key", 1, colon - Value(1, output_field=IntegerField()))),
                default="key", output_field=CharField())


def _group_link_expression():
    """The link a notification is grouped by: none for a summarised kind, its own link otherwise."""
    if not _SUMMARIES:
        return F("link")
    return Case(When(kind__in=sorted(_SUMMARIES), then=Value("")), default=F("link"), output_field=CharField())


def grouped(user, *, unread_only=False):
    """A queryset of groups (dicts: kind, group_link, n, unread, latest) newest first; `attach_latest` adds the
    rows."""
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return (qs.annotate(kind=_kind_expression()).annotate(group_link=_group_link_expression())
            .order_by().values("kind", "group_link")
            .annotate(n=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)), latest=Max("pk"))
            .order_by("-latest"))


def unread_count(user) -> int:
    """The number the bell shows: unread groups, as many as lines the bell's dropdown and the list show."""
    return grouped(user, unread_only=True).count()


def attach_latest(groups) -> list[dict]:
    """Each group of a page with its newest notification as `notification` (one query for the page)."""
    groups = list(groups)
    rows = Notification.objects.in_bulk([g["latest"] for g in groups])
    out = []
    for g in groups:
        if g["latest"] not in rows:
            continue
        n = rows[g["latest"]]
        summary = _SUMMARIES.get(g["kind"])
        if summary is not None and g["n"] > 1:
            # the line says how many, in the reader's language; the newest message is its detail
            g = {**g, "text": summary.text(g["n"]), "link": reverse(summary.url_name), "summary": True}
        else:
            g = {**g, "text": n.text, "link": n.link, "summary": False}
        out.append({**g, "notification": n})
    return out


def same_group(user, notification):
    """The user's notifications in the group of `notification`."""
    kind = kind_of(notification.key)
    qs = Notification.objects.filter(recipient=user)
    if not notification.key:
        return qs.filter(key="", link=notification.link)
    if kind not in _SUMMARIES:
        qs = qs.filter(link=notification.link)
    return qs.filter(Q(key=kind) | Q(key__startswith=f"{kind}:"))


def group_link(notification) -> str:
    """Where opening a notification's group leads: a summarised kind's list when the group holds several."""
    summary = _SUMMARIES.get(kind_of(notification.key)) if notification.key else None
    return reverse(summary.url_name) if summary is not None else notification.link
