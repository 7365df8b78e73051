from django import template

from ..models import ChangeRequest

register = template.Library()


@register.simple_tag
def pending_changes(obj):
    """{% pending_changes customer as pending %}: the record's pending change requests."""
    if obj is None or getattr(obj, "pk", None) is None:
        return []
    return list(ChangeRequest.objects.for_object(obj).pending().select_related("requester", "content_type"))
