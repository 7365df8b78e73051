"""Permissions as people read them: a training gate is chosen from a list of names, never typed as a code."""

from django.contrib.auth.models import Permission
from django.utils.translation import gettext, pgettext

PROJECT_APPS = ("core", "crm", "inventory", "orders", "governance", "training", "support", "performance")
ACTIONS = {"add": lambda: pgettext("permission", "Add"), "change": lambda: pgettext("permission", "Change"),
           "delete": lambda: pgettext("permission", "Delete"), "view": lambda: pgettext("permission", "View")}


def _label(p: Permission) -> str:
    model = p.content_type.model_class()
    action, _sep, rest = p.codename.partition("_")
    if model is not None and action in ACTIONS and rest == p.content_type.model:
        return f"{ACTIONS[action]()}: {model._meta.verbose_name}"
    return gettext(p.name)  # the app's own permissions are declared with gettext_lazy names


def _permissions():
    return (Permission.objects.filter(content_type__app_label__in=PROJECT_APPS)
            .exclude(content_type__model__startswith="historical").select_related("content_type"))


def permission_label(perm: str) -> str:
    """`app_label.codename` as its name in the reader's language (the code when it no longer exists)."""
    app_label, _sep, codename = perm.partition(".")
    p = _permissions().filter(content_type__app_label=app_label, codename=codename).first()
    return _label(p) if p else perm


def permission_choices() -> list:
    """[(module name, [(perm, name), ...]), ...] for a select with one group per module; the app's own action
    permissions first in each group."""
    from django.apps import apps

    groups = {}
    for p in _permissions():
        key = f"{p.content_type.app_label}.{p.codename}"
        default = p.codename.partition("_")[0] in ACTIONS
        groups.setdefault(p.content_type.app_label, []).append((default, _label(p), key))
    return [(str(apps.get_app_config(app).verbose_name),
             [(key, label) for _d, label, key in sorted(rows, key=lambda r: (r[0], str(r[1])))])
            for app, rows in sorted(groups.items())]
