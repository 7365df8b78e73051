"""Field-level history for record pages, read from django-simple-history's tables.

    {% include "governance/_history.html" with object=customer %}

shows who changed what and when (local time), newest first, with readable values (a related record's name,
a choice's label, money as ¥1,234.50, JSON lists as text); encrypted fields show only their last characters,
and fields the reader may not see (cost and margin without the permission that shows them) are left out.
"""

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.utils import NotHistoricalModelError, get_history_manager_for_model

from . import keydata
from .fields import EncryptedTextField, mask_tail

SKIP_FIELDS = {"created_at", "updated_at"}

# Cost (and what reveals it: margin) is shown only to those who may see it. A field whose name holds one of these
# words is hidden unless the reader holds the permission named for the record's app (the order page shows margin
# with orders.view_order_analytics; cost of stock is for those who see stock movements and their unit costs).
COST_WORDS = ("cost", "margin")
COST_PERMISSIONS = {"orders": "orders.view_order_analytics", "inventory": "inventory.view_stockmovement"}
DEFAULT_COST_PERMISSION = "orders.view_order_analytics"


# Money of an app is shown only to those who see its money: the warehouse ships orders without their prices.
MONEY_PERMISSIONS = {"orders": "orders.view_payment"}
MONEY_WORDS = ("price", "amount", "total", "discount", "tax", "balance", "credit")


def _is_money(model, field_name):
    from django.core.exceptions import FieldDoesNotExist

    from hardware_erp.core.money import MoneyField

    try:
        field = model._meta.get_field(field_name)
    except FieldDoesNotExist:  # a history-only field
        return any(word in field_name for word in MONEY_WORDS)
    return isinstance(field, MoneyField) or any(word in field_name for word in MONEY_WORDS)


def may_see(user, model, field_name: str) -> bool:
    """False for a cost or margin field of `model` when `user` lacks the permission that shows cost, and for a
    money field of an app whose money the user may not see."""
    if user is None:
        return True
    money_perm = MONEY_PERMISSIONS.get(model._meta.app_label)
    if money_perm and _is_money(model, field_name) and not user.has_perm(money_perm):
        return False
    if not any(word in field_name for word in COST_WORDS):
        return True
    perm = COST_PERMISSIONS.get(model._meta.app_label, DEFAULT_COST_PERMISSION)
    return user.has_perm(perm)


TYPE_LABELS = {"+": pgettext_lazy("governance", "Created"), "~": _("Changed"), "-": _("Deleted")}


def _value(field, raw) -> str:
    if field is None:
        return "—" if raw in (None, "") else str(raw)
    if isinstance(field, EncryptedTextField):
        return mask_tail(str(raw)) if raw else "—"
    return keydata.readable(field, keydata.to_json(raw))


def history_entries(obj, limit: int = 50, *, user=None) -> list[dict]:
    """[{"when", "user", "type", "type_label", "reason", "changes": [{"label", "old", "new"}]}], newest first;
    "when" in the local time zone. With `user`, only the fields that user may see (`may_see`)."""
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
                if not may_see(user, type(obj), change.field):
                    continue
                try:
                    field = obj._meta.get_field(change.field)
                except FieldDoesNotExist:
                    field = None
                changes.append({"field": change.field,
                                "label": str(field.verbose_name) if field is not None else change.field,
                                "old": _value(field, change.old), "new": _value(field, change.new)})
            if not changes:
                continue  # a save that changed nothing visible
        who = newer.history_user
        out.append({"when": timezone.localtime(newer.history_date), "type": newer.history_type,
                    "type_label": TYPE_LABELS.get(newer.history_type, newer.history_type),
                    "user": (who.get_full_name() or who.get_username()) if who else _("system"),
                    "reason": newer.history_change_reason or "", "changes": changes})
    return out
