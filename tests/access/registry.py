"""Collects the rows of every `tests/access/<app>.py` and the URL names of the project."""

import importlib
import pkgutil
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

# Whole namespaces left out of the matrix, with the reason (shown in docs/roles.md).
EXCLUDED = {
    "admin": "Django admin pages per model: guarded by model permissions (Django's own tests); "
             "only admin:index is in the matrix",
}
INCLUDED_ANYWAY = {"admin:index"}
NOT_ROW_MODULES = {"registry", "doc", "test_matrix"}


def row_modules():
    here = Path(__file__).parent
    for info in sorted(pkgutil.iter_modules([str(here)]), key=lambda i: i.name):
        if info.name in NOT_ROW_MODULES or info.name.startswith("test_"):
            continue
        yield info.name, importlib.import_module(f"tests.access.{info.name}")


def all_rows():
    rows = []
    for app, mod in row_modules():
        for row in getattr(mod, "ROWS", []):
            rows.append((app, row))
    return rows


def _walk(patterns, namespace=None, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(p.url_patterns, full, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield namespace, name, prefix + str(p.pattern)


def url_patterns() -> dict:
    """{url name (None for an unnamed pattern): route} of every pattern the matrix must cover."""
    out = {}
    for namespace, name, route in _walk(get_resolver().url_patterns):
        top = namespace.split(":")[0] if namespace else None
        if top in EXCLUDED and name not in INCLUDED_ANYWAY:
            continue
        out.setdefault(name, route)
    return out
