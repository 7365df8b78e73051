"""Browser tests: Playwright for Python driving Debian's Chromium against Django's live server.

Never a downloaded browser: the executable is /usr/bin/chromium (CHROMIUM env overrides).
Screenshots go to var/screenshots/ so that people can look at the pages.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-dev-shm-usage"]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page(locale="zh-CN") -> a page in a fresh browser context (no cookies)."""
    contexts = []

    def make(locale="en-US", **kwargs):
        kwargs.setdefault("viewport", {"width": 1366, "height": 860})  # a handheld test passes 360×640
        ctx = browser.new_context(locale=locale, **kwargs)
        ctx.set_default_timeout(30000)  # a session's first page on a loaded machine took over 15 s
        # a post that writes stock runs its (eager) follow-up tasks inside the request: on a loaded CI machine the
        # page after it took over 30 s to load once
        ctx.set_default_navigation_timeout(60000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.base = live_server.url
        return page

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def demo_company(transactional_db):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)


def login(page, username, password="hardware-demo-2026"):  # noqa: S107
    page.goto(page.base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
