from django import template

from ..models import ChangeRequest

register = template.Library()


@register.simple_tag
def pending_changes(obj):
    """{% pending_changes customer as pending %}: the record's pending change requests."""
    if obj is None or getattr(obj, "pk", None) is None:
        return []
    return list(ChangeRequest.objects.for_object(obj).pending().select_related("requester", "content_type"))


@register.simple_tag
def history_entries(obj, limit=50):
    """{% history_entries customer as entries %}: readable field history, newest first."""
    from ..audit import history_entries as entries

    return entries(obj, limit=limit)
