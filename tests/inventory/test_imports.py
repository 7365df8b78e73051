"""Inventory's own import rules (ARCHITECTURE.md "Imports"): models import nothing above them, services never
import the tasks module (they enqueue tasks by name through the outbox), and no module queues a task by hand."""

import ast
from pathlib import Path

import inventory

APP = Path(inventory.__file__).parent
ABOVE_MODELS = {"services", "forecast", "tasks", "stocktakes", "purchasing", "alerts", "selectors", "views",
                "forms", "tables", "resources", "pdf", "bulk", "demo", "filtersets"}


def _imports(path):
    """Every module a file imports, top level or inside a function, relative names resolved to inventory's."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level:  # from .x / from ..x
                yield from (f"inventory.{mod}.{a.name}" if mod else f"inventory.{a.name}" for a in node.names) \
                    if node.level > 1 or path.parent == APP else (f"inventory.models.{mod}",)
            else:
                yield mod
                yield from (f"{mod}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names)


def test_models_import_nothing_above_them():
    bad = []
    for path in (APP / "models").glob("*.py"):
        for mod in _imports(path):
            parts = mod.split(".")
            if parts[0] == "inventory" and len(parts) > 1 and parts[1] in ABOVE_MODELS:
                bad.append(f"{path.name}: {mod}")
    assert not bad, bad


def test_no_module_but_celery_imports_tasks_and_none_queues_by_hand():
    bad = []
    for path in APP.glob("*.py"):
        if path.name == "tasks.py":
            continue
        text = path.read_text()
        if any(m.startswith("inventory.tasks") for m in _imports(path)):
            bad.append(f"{path.name} imports tasks")
        if ".delay(" in text or "apply_async(" in text or "on_commit(" in text:
            bad.append(f"{path.name} queues a task by hand")
    assert not bad, bad
