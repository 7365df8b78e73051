"""Field-level history for record pages, read from django-simple-history's tables.

    {% include "governance/_history.html" with object=customer %}

shows who changed what and when, newest first, with readable values (a related record's name,
a choice's label); encrypted fields show only their last characters.
"""

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.utils import NotHistoricalModelError, get_history_manager_for_model

from . import keydata
from .fields import EncryptedTextField, mask_tail

SKIP_FIELDS = {"created_at", "updated_at"}
TYPE_LABELS = {"+": pgettext_lazy("governance", "Created"), "~": _("Changed"), "-": _("Deleted")}


def _value(field, raw) -> str:
    if field is None:
        return "—" if raw in (None, "") else str(raw)
    if isinstance(field, EncryptedTextField):
        return mask_tail(str(raw)) if raw else "—"
    return keydata.readable(field, keydata.to_json(raw))


def history_entries(obj, limit: int = 50) -> list[dict]:
    """[{"when", "user", "type", "type_label", "reason", "changes": [{"label", "old", "new"}]}], newest first."""
    if obj is None or getattr(obj, "pk", None) is None:
        return []
    try:
        manager = get_history_manager_for_model(type(obj))
    except NotHistoricalModelError:
        return []
    records = list(manager.filter(**{type(obj)._meta.pk.attname: obj.pk})
                   .select_related("history_user").order_by("-history_date", "-history_id")[:limit + 1])
    out = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        if len(out) >= limit:
            break
        changes = []
        if older is not None and newer.history_type == "~":
            delta = newer.diff_against(older, excluded_fields=SKIP_FIELDS)
            for change in delta.changes:
                try:
                    field = obj._meta.get_field(change.field)
                except FieldDoesNotExist:
                    field = None
                changes.append({"field": change.field,
                                "label": str(field.verbose_name) if field is not None else change.field,
                                "old": _value(field, change.old), "new": _value(field, change.new)})
            if not changes:
                continue  # a save that changed nothing visible
        user = newer.history_user
        out.append({"when": newer.history_date, "type": newer.history_type,
                    "type_label": TYPE_LABELS.get(newer.history_type, newer.history_type),
                    "user": (user.get_full_name() or user.get_username()) if user else _("system"),
                    "reason": newer.history_change_reason or "", "changes": changes})
    return out
