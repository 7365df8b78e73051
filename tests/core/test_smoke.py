"""Every page without URL arguments answers every role without a server error.

A cheap net under the access matrix: a template that names a missing URL, a filter that breaks
on an empty database, a view that assumes data exists — each shows up here as a 500.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from hardware_erp.core.roles import ROLES

pytestmark = pytest.mark.django_db

SKIP_PREFIXES = ("admin/", "accounts/logout", "accounts/reset/", "media/", "language/", "static/")


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            if p.pattern.regex.groups or "<" in route:
                continue  # needs arguments: the app's own tests and the access matrix cover it
            yield "/" + route.lstrip("^").rstrip("$")


def paths_without_arguments():
    return sorted({p for p in _walk(get_resolver().url_patterns) if not p.lstrip("/").startswith(SKIP_PREFIXES)})


@pytest.mark.parametrize("role", [None, *ROLES])
def test_no_page_errors_for_any_role(client, make_user, role):
    if role:
        client.force_login(make_user(role), backend="django.contrib.auth.backends.ModelBackend")
    failures = []
    for path in paths_without_arguments():
        response = client.get(path)
        if response.status_code >= 500 and path != "/healthz":
            failures.append(f"{path}: {response.status_code}")
    assert not failures, failures
