from django import template

from ..models import ChangeRequest

register = template.Library()


@register.simple_tag
def pending_changes(obj):
    """{% pending_changes customer as pending %}: the record's pending change requests."""
    if obj is None or getattr(obj, "pk", None) is None:
        return []
    return list(ChangeRequest.objects.for_object(obj).pending().select_related("requester", "content_type"))


@register.simple_tag(takes_context=True)
def history_entries(context, obj, limit=50):
    """{% history_entries customer as entries %}: readable field history, newest first, with only the fields the
    signed-in reader may see."""
    from ..audit import history_entries as entries

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return entries(obj, limit=limit, user=user)
