"""The sidebar: one entry per module, shown to users whose role opens it.

Each app may list its pages in `<app>/nav.py` as
`ITEMS = [(label, "app:url_name", "app_label.perm_codename" or a tuple of them (any one opens it) or None), ...]`.
An entry is shown only to users the page lets in.
"""

import importlib
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Module:
    key: str
    label: object
    icon: str
    url_name: str


MODULES = [
    Module("crm", _("Customers"), "bi-people", "crm:index"),
    Module("inventory", _("Inventory"), "bi-box-seam", "inventory:index"),
    Module("orders", _("Sales orders"), "bi-receipt", "orders:index"),
    Module("governance", _("Data governance"), "bi-shield-check", "governance:index"),
    Module("training", _("Training"), "bi-mortarboard", "training:index"),
    Module("support", _("Support"), "bi-life-preserver", "support:index"),
    Module("performance", _("Performance"), "bi-graph-up-arrow", "performance:index"),
]


def _items(key):
    """The app's ITEMS; an app without a nav.py has none (an error inside one is raised, not hidden)."""
    try:
        return importlib.import_module(f"{key}.nav").ITEMS
    except ModuleNotFoundError as exc:
        if exc.name != f"{key}.nav":
            raise
        return []


def modules_for(user):
    """The modules and their page links this user may open, in sidebar order."""
    if not user.is_authenticated:
        return []
    perms = user.get_all_permissions()  # cached on the user object: one query per request
    out = []
    for m in MODULES:
        if f"core.access_{m.key}" not in perms:
            continue
        links = []
        for label, url_name, perm in _items(m.key):
            if perm and not (perms & set(perm) if isinstance(perm, tuple) else perm in perms):
                continue
            links.append({"label": label, "url": reverse(url_name), "url_name": url_name})
        out.append({"key": m.key, "label": m.label, "icon": m.icon, "url": reverse(m.url_name), "links": links})
    return out
