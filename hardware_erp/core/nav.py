"""The sidebar: one entry per module, shown to users whose role opens it.

Each app may list its pages in `<app>/nav.py` as
`ITEMS = [(label, "app:url_name", "app_label.perm_codename" or None), ...]`.
"""

import importlib
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
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
    try:
        return importlib.import_module(f"{key}.nav").ITEMS
    except ModuleNotFoundError:
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
            if perm and perm not in perms:
                continue
            try:
                links.append({"label": label, "url": reverse(url_name), "url_name": url_name})
            except NoReverseMatch:
                continue
        out.append({"key": m.key, "label": m.label, "icon": m.icon, "url": reverse(m.url_name), "links": links})
    return out
