"""Notifications, read side: a user's notifications grouped so that repeats do not pile up.

Notifications of one kind (the part of their key before the first ":", e.g. "stock-alert" or "crm.task") that
point to the same page are one group: the newest message is shown with the number of notifications in it. A
notification without a key is a group of one kind "" per link.
"""

from django.db.models import Case, CharField, Count, IntegerField, Max, Q, Value, When
from django.db.models.functions import StrIndex, Substr

from .models import Notification


def kind_of(key: str) -> str:
    return key.split(":", 1)[0]


def _kind_expression():
    """The key up to its first ":" (the whole key when it has none), in SQL on SQLite and PostgreSQL."""
    colon = StrIndex("key", Value(":"))
    return Case(When(Q(key__contains=":"), then=Substr("key", 1, colon - Value(1, output_field=IntegerField()))),
                default="key", output_field=CharField())


def grouped(user, *, unread_only=False):
    """A queryset of groups (dicts: kind, link, n, unread, latest) newest first; `attach_latest` adds the rows."""
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return (qs.annotate(kind=_kind_expression()).order_by().values("kind", "link")
            .annotate(n=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)), latest=Max("pk"))
            .order_by("-latest"))


def unread_count(user) -> int:
    """The number the bell shows: unread groups, as many as lines the bell's dropdown and the list show."""
    return grouped(user, unread_only=True).count()


def attach_latest(groups) -> list[dict]:
    """Each group of a page with its newest notification as `notification` (one query for the page)."""
    groups = list(groups)
    rows = Notification.objects.in_bulk([g["latest"] for g in groups])
    return [{**g, "notification": rows[g["latest"]]} for g in groups if g["latest"] in rows]


def same_group(user, notification):
    """The user's notifications in the group of `notification`."""
    kind = kind_of(notification.key)
    qs = Notification.objects.filter(recipient=user, link=notification.link)
    if not notification.key:
        return qs.filter(key="")
    return qs.filter(Q(key=kind) | Q(key__startswith=f"{kind}:"))
