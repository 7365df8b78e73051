"""The business-day suite: one demo company for the whole package, each role in its own browser context.

Seeding the demo company takes most of a minute, so it is done once for the package (not once per test):
`_django_db_helper` (pytest-django's per-test database fixture, requested by `live_server` through
`transactional_db`) is replaced here by one that only opens database access, so no test empties the database
after itself. The journeys share the company and therefore never count on another journey's records: each one
creates its own customer, order, product or count and reads its "before" figures from the pages first.
When the package ends the database is emptied and the reference data put back, as after any transactional test.
"""

import contextlib
import io
import re
import time
from decimal import Decimal

import pytest

from tests.e2e.conftest import shot

DEMO_PASSWORD = "hardware-demo-2026"
LOCALES = {"en": "en-US", "zh": "zh-CN"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/journeys/" in str(item.fspath) and not item.get_closest_marker("django_db"):
            # the marker makes pytest-django create the test database; the helper below keeps it between tests
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(scope="package")
def demo_company_once(request, django_db_setup, django_db_blocker):
    """The demo company, seeded once. With --reuse-db (re-running the journeys while writing them) a company left
    by the previous run is used again and kept; otherwise the database is emptied when the journeys end."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from tests.conftest import seed_reference_data

    keep = request.config.getvalue("reuse_db")
    with django_db_blocker.unblock():
        if not (keep and get_user_model().objects.filter(username="gm").exists()):
            t0 = time.monotonic()
            call_command("seed_demo", verbosity=0, stdout=io.StringIO())
            print(f"\njourneys: demo company seeded in {time.monotonic() - t0:.0f} s")  # noqa: T201
        yield
        if not keep:
            call_command("flush", verbosity=0, interactive=False)
            seed_reference_data()


@pytest.fixture
def _django_db_helper(demo_company_once, django_db_blocker):
    """Database access for the test and the live server, without pytest-django's flush after each test."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def as_role(request, new_page):
    """as_role("clerk", lang="zh") -> a signed-in page in a browser context of its own."""
    request.node.journey_pages = pages = []

    def make(username, lang="en", password=DEMO_PASSWORD):
        page = new_page(locale=LOCALES.get(lang, lang))
        page.lang = lang
        pages.append((username, page))
        login(page, username, password)
        return page

    return make


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """When a journey fails, every role's page as it was: var/screenshots/FAILED-<test>-<user>.png."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        name = re.sub(r"[^\w-]+", "-", item.name)
        for username, page in getattr(item, "journey_pages", []):
            with contextlib.suppress(Exception):  # a closed page: nothing to show
                shot(page, f"FAILED-{name}-{username}")


def login(page, username, password=DEMO_PASSWORD, next_url="/notifications/"):
    """Sign in through the form; land on a light page rather than the dashboard (the journeys go on elsewhere)."""
    page.goto(page.base + f"/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if "/accounts/agreement/" in page.url:  # a demo user who has not yet accepted the published agreement
        page.check("input[name=accept]")
        page.click("[data-testid=accept-agreement]")
        page.wait_for_url(lambda url: "/accounts/agreement/" not in url)


def t(page, en, zh):
    """The label in the page's language."""
    return zh if getattr(page, "lang", "en") == "zh" else en


_NUMBER = re.compile(r"-?[\d,]+(?:\.\d+)?")


def number(text) -> Decimal:
    """The first number in a text as the pages print it: "¥1,234.50", "-20 个", "1,000.000" -> Decimal."""
    found = _NUMBER.search(text.replace("\u2212", "-").replace("¥", "").replace("￥", ""))
    assert found, f"no number in {text!r}"
    return Decimal(found.group(0).replace(",", ""))


def read_number(page, selector) -> Decimal:
    return number(page.locator(selector).first.inner_text())


def scan(page, selector, codes, *, burst=5, pause_ms=300):
    """Type codes the way a USB-wedge scanner does: each code at keyboard speed then Enter, in bursts with a pause
    between them (a clerk walking to the next shelf)."""
    box = page.locator(selector)
    for i, code in enumerate(codes):
        box.type(code, delay=0)
        box.press("Enter")
        if (i + 1) % burst == 0:
            page.wait_for_timeout(pause_ms)
