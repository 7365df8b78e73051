"""Every URL × every role → the expected status (rows in tests/access/<app>.py; same table in docs/roles.md)."""

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from hardware_erp.core.roles import ROLES
from tests.factories import UserFactory

from . import ANONYMOUS, ROLE_KEYS
from .doc import current_doc, render
from .registry import all_rows, url_patterns

ROWS = all_rows()


def test_every_url_pattern_has_a_row():
    patterns = url_patterns()
    named = {n for n in patterns if n}
    rows = {row.name for _app, row in ROWS}
    missing = sorted(named - rows)
    assert not missing, (f"URLs without a row in tests/access/<app>.py: {missing}. Add a Row for each "
                         "(expected status per role), then run `python -m tests.access.doc --write`.")
    assert None not in patterns, f"unnamed URL patterns cannot be checked: {patterns.get(None)}"
    stale = sorted(rows - named)
    assert not stale, f"rows for URLs that do not exist: {stale}"
    dupes = sorted({n for n in rows if sum(1 for _a, r in ROWS if r.name == n) > 1})
    assert not dupes, f"URLs with more than one row: {dupes}"


def test_roles_doc_shows_the_same_table():
    assert current_doc() == render(), ("docs/roles.md is out of date with tests/access: run "
                                       "`python -m tests.access.doc --write` and commit it.")


@pytest.fixture(scope="module")
def role_clients(django_db_setup, django_db_blocker):
    """A signed-in client per role (a user holding only that role; staff for admin roles), made once for the
    module: signing in for every row would be most of the matrix's time. Removed again afterwards."""
    backend = "django.contrib.auth.backends.ModelBackend"
    clients, users = {ANONYMOUS: Client()}, []
    with django_db_blocker.unblock():
        for role in ROLES:
            user = UserFactory.with_role(role, username=f"matrix_{role}", is_staff=ROLES[role].admin)
            users.append(user)
            session = SessionStore()
            session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend,
                            HASH_SESSION_KEY: user.get_session_auth_hash()})
            session.save()
            client = Client()
            client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
            clients[role] = client
    yield clients
    with django_db_blocker.unblock():
        Session.objects.all().delete()
        for user in users:
            user.delete()


@pytest.mark.django_db
@pytest.mark.parametrize("row", [r for _app, r in ROWS], ids=lambda r: r.name)
def test_access(role_clients, row):
    """One row, every role: the expected status for each, signed out included."""
    kwargs = row.kwargs() if callable(row.kwargs) else row.kwargs
    url = reverse(row.name, kwargs=kwargs or None)
    wrong = []
    for role in ROLE_KEYS:
        response = getattr(role_clients[role], row.method)(url, row.data)
        expected = row.expect[role]
        accepted = expected if isinstance(expected, tuple) else (expected,)
        if response.status_code not in accepted:
            wrong.append(f"{role}: {response.status_code} (expected {expected})")
    assert not wrong, f"{row.name} {url}: " + "; ".join(wrong)


def test_roles_groups_exist(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {r.group for r in ROLES.values()}
