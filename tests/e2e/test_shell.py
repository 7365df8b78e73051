"""Every demo role signs in and sees its own modules in the sidebar, and no others."""

import pytest

from hardware_erp.core.management.commands.seed_demo import DEMO_USERS
from hardware_erp.core.roles import ROLES

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_role_sees_its_modules(page, demo_company):
    for username, role, *_ in DEMO_USERS:
        login(page, username)
        shown = page.locator("[data-testid=sidebar] [data-module]").evaluate_all(
            "els => els.map(e => e.dataset.module)")
        assert set(shown) == set(ROLES[role].modules), (username, shown)
        if username in ("gm", "rep1"):
            shot(page, f"home-{username}")
        page.click("[data-testid=user-menu]")
        page.click("text=Sign out")
        page.wait_for_url("**/accounts/login/")


def test_chinese_browser_gets_chinese_login(new_page, demo_company):
    page = new_page(locale="zh-CN")
    page.goto(page.base + "/accounts/login/")
    assert "登录" in page.content()
    login(page, "clerk")
    assert page.locator("[data-module=inventory]").inner_text().strip() == "库存"
    shot(page, "home-clerk-zh")
