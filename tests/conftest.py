"""Shared fixtures: role users, signed-in clients, eager Celery for unit tests, fast hashing."""

import os

import pytest
from django.conf import settings

from tests.factories import UserFactory


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    # each xdist worker gets its own cache keys on a shared Redis, and every test starts with an empty cache
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    settings.CACHES["default"]["KEY_PREFIX"] = f"{settings.CACHES['default'].get('KEY_PREFIX', '')}-test-{worker}"
    if settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"):  # the embedded default: a folder per worker
        settings.CACHES["default"]["LOCATION"] = f"{settings.CACHES['default']['LOCATION']}-test-{worker}"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from hardware_erp.celery import app

    # Unit tests run tasks in-process; tests marked `worker` start a real worker instead.
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _same_data_every_run(request):
    """Factories draw their random values from a seed of the test's own id: a test builds the same records
    whichever xdist worker runs it and whatever ran before (query counts depend on which relations are empty)."""
    import factory.random

    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture(autouse=True)
def _not_inside_a_task():
    """Celery's eager mode marks "inside a task" in one process-wide flag while an eager task runs
    (`denied_join_result`) and then restores the value it found. Two threads of a concurrency test that run eager
    tasks at once (after-commit sends of stock postings) can restore each other's True and leave it set; every
    later `.delay().get()` in that process then fails with "Never call result.get() within a task!". A worker runs
    no eager tasks, so this is the test harness's state only: each test starts with it cleared."""
    from celery.result import _set_task_join_will_block

    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language. A request in Chinese through the test client leaves Chinese
    active in the thread (LocaleMiddleware activates a language and nothing deactivates it), and a later test of
    the same worker then saw its English message in Chinese."""
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # only this worker's keys: FLUSHDB would also empty the other xdist worker's cache (in the middle of its
        # query-count tests) and the broker's queues on the same database
        client = backend._cache.get_client(write=True)
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
        if keys:
            client.delete(*keys)
    else:
        backend.clear()
    yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The roles exist in every test database, as `make run` and migrate+sync_roles make them."""
    with django_db_blocker.unblock():
        seed_reference_data()


def seed_reference_data():
    """What migrate and sync_roles put into every database: roles, and the rows of the data migrations (the
    built-in KPIs and bonus tiers, the default SLA policies)."""
    import importlib

    from django.apps import apps

    from hardware_erp.core.management.commands.sync_roles import sync_roles

    sync_roles()
    importlib.import_module("performance.migrations.0002_builtin_kpis").seed(apps, None)
    importlib.import_module("support.migrations.0002_default_sla_policies").create(apps, None)


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))) or \
        "transactional_db" in names or "live_server" in names


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test empties every table when it ends; put the reference data back for the tests after it."""
    yield
    if nextitem is not None and _transactional(item):  # after the last test the test database is gone
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            seed_reference_data()


@pytest.fixture
def make_user(db):
    """make_user("sales_rep", username="rep9") -> a user with that role and an employee profile."""

    def make(role=None, **kwargs):
        return UserFactory.with_role(role, **kwargs)

    return make


@pytest.fixture
def client_as(client, make_user):
    """client_as("sales_manager") -> a test client signed in as a new user with that role."""

    def login(role=None, user=None, **kwargs):
        user = user or make_user(role, **kwargs)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        client.user = user
        return client

    return login
