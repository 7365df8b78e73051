"""Every service names the acting user `actor` (issue: one name for the acting user in every service).

A keyword-only parameter called `user`, `author` or `requester` on a service function is the acting user under
another name; the few that name the *subject* of the work (whose ticket it is, whose security event) are listed
with the reason."""

import importlib
import inspect

import pytest

SERVICE_MODULES = ["crm.services", "inventory.services", "inventory.purchasing", "inventory.stocktakes",
                   "orders.services", "governance.services", "governance.accounts", "training.services",
                   "support.services", "performance.services", "hardware_erp.core.services"]
OTHER_NAMES = {"user", "author", "requester", "by", "acting_user"}
SUBJECTS = {
    ("support.services", "open_ticket", "requester"): "whose ticket it is; IT may file it for them as `actor`",
    ("governance.services", "log_event", "user"): "whose security event it is (a failed sign-in has no actor)",
}


@pytest.mark.parametrize("module_name", SERVICE_MODULES)
def test_services_call_the_acting_user_actor(module_name):
    module = importlib.import_module(module_name)
    wrong = []
    for name, fn in vars(module).items():
        if name.startswith("_") or not inspect.isfunction(fn):
            continue
        if fn.__module__ != module_name and not fn.__module__.startswith(module_name + "."):
            continue  # imported from elsewhere
        for param in inspect.signature(fn).parameters.values():
            if (param.kind == param.KEYWORD_ONLY and param.name in OTHER_NAMES
                    and (module_name, name, param.name) not in SUBJECTS):
                wrong.append(f"{fn.__module__}.{name}({param.name}=)")
    assert not wrong, "call the acting user `actor`: " + ", ".join(wrong)
