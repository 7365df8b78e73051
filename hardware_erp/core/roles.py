"""Roles are Django groups defined here, in code; `manage.py sync_roles` applies them.

Each role opens some modules (the `core.access_<module>` permissions) and holds the model
and action permissions that each app lists in its own `roles.py` as
`PERMISSIONS = {"<role key>": ["app_label.codename", ...]}`.
"""

import importlib
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

MODULE_KEYS = ("crm", "inventory", "orders", "governance", "training", "support", "performance")


@dataclass(frozen=True)
class Role:
    key: str
    group: str  # the Group's name (stable, English)
    label: object  # translated name
    modules: tuple
    description: object = ""
    admin: bool = False  # may open the Django admin (is_staff is set when the role is given)


ROLES = {r.key: r for r in [
    Role("sales_rep", "Sales Rep", _("Sales Rep"), ("crm", "orders", "training", "support", "performance"),
         _("Keeps own customers, follow-ups, quotations and orders.")),
    Role("sales_manager", "Sales Manager", _("Sales Manager"),
         ("crm", "orders", "governance", "training", "support", "performance"),
         _("Sees all customers, approves orders and key customer data, reviews the sales team."), admin=True),
    Role("warehouse_clerk", "Warehouse Clerk", _("Warehouse Clerk"),
         ("inventory", "orders", "training", "support", "performance"),
         _("Receives, issues, transfers and counts stock; picks, packs and ships orders.")),
    Role("warehouse_manager", "Warehouse Manager", _("Warehouse Manager"),
         ("inventory", "orders", "training", "support", "performance"),
         _("Runs the warehouse: approves stock counts and receipts, picks, packs and ships orders.")),
    Role("purchaser", "Purchaser", _("Purchaser"), ("inventory", "training", "support", "performance"),
         _("Works the purchase suggestions, suppliers and purchase orders.")),
    Role("finance_clerk", "Finance Clerk", _("Finance Clerk"), ("crm", "orders", "training", "support", "performance"),
         _("Records payments, watches receivables and credit.")),
    Role("it_admin", "IT Admin", _("IT Admin"), ("governance", "training", "support", "performance"),
         _("Runs the system: accounts, backups, helpdesk, incidents and status."), admin=True),
    Role("trainer", "Trainer", _("Trainer"), ("training", "support", "performance"),
         _("Writes courses and quizzes, runs sessions, follows progress.")),
    Role("general_manager", "General Manager", _("General Manager"), MODULE_KEYS,
         _("Sees and approves everything."), admin=True),
]}


def app_permissions() -> dict[str, set[str]]:
    """Permissions each role gets from the apps' roles.py files, merged."""
    merged = {key: set() for key in ROLES}
    for module in MODULE_KEYS:
        try:
            mod = importlib.import_module(f"{module}.roles")
        except ModuleNotFoundError as exc:
            if exc.name != f"{module}.roles":
                raise
            continue
        for role_key, perms in getattr(mod, "PERMISSIONS", {}).items():
            if role_key not in merged:
                raise KeyError(f"{module}/roles.py names an unknown role {role_key!r}")
            merged[role_key].update(perms)
    return merged


def role_permissions() -> dict[str, set[str]]:
    """Every permission of every role: module access plus the apps' permissions."""
    perms = app_permissions()
    for key, role in ROLES.items():
        perms[key].update(f"core.access_{m}" for m in role.modules)
    return perms


def roles_of(user) -> list[Role]:
    names = {g.name for g in user.groups.all()}
    return [r for r in ROLES.values() if r.group in names]
