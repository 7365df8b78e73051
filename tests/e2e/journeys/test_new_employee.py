"""A new employee's first day: IT creates the account with a role on the user-management screen of the governance
module, the new rep signs in, accepts the confidentiality agreement, finds the onboarding plan, works through the
orders course (lesson, practice task, quiz) and holds its certificate."""

import re

import pytest

from . import data
from .conftest import shot, t

NEW_PASSWORD = "First-day-2026-hw"  # if a first sign-in asks for a new password


def open_user_management(it):
    """The user-management screen, found as a person would: the governance module's menu entry."""
    it.click("[data-testid=sidebar] [data-module=governance] > a")
    names = t(it, r"^\s*(Users|User accounts|Accounts)\s*$", r"^\s*(用户|用户管理|账号|账号管理|用户账号)\s*$")
    entry = it.locator("[data-testid=sidebar] a").filter(has_text=re.compile(names))
    assert entry.count(), "no user-management entry in the governance menu"
    entry.first.click()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_it_creates_an_employee_who_onboards(as_role, new_page, lang):
    from training.models import Course

    username = data.unique(f"new{lang}").replace("-", "").lower()
    course = Course.objects.get(code="onboarding-orders")

    # ---- IT creates the account and gives it the Sales Rep role
    it = as_role("itadmin", lang)
    open_user_management(it)
    it.locator("main a, main button").filter(has_text=re.compile(t(it, r"New|Add|Create", r"新建|新增|添加|创建"))) \
        .first.click()
    it.fill("input[name=username]", username)
    it.fill("input[name=first_name]", "晓明")
    it.fill("input[name=last_name]", "孙")
    it.fill("input[name=email]", f"{username}@example.com")
    it.get_by_label(t(it, "Sales Rep", "销售代表"), exact=True).check()
    shot(it, f"j5-{lang}-01-new-user")
    it.click("[data-testid=service-form] [data-testid=save]")
    it.wait_for_url(re.compile(r".*/governance/users/\d+/$"))
    assert username in it.inner_text("main")
    assert t(it, "Sales Rep", "销售代表") in it.inner_text("[data-testid=roles]")
    shot(it, f"j5-{lang}-02-user-created")
    # a new account has no password: IT hands over a one-time password from the account's page
    it.on("dialog", lambda d: d.accept())
    it.click("[data-testid=reset-password]")
    it.wait_for_url(re.compile(r".*/reset-password/$"))
    password = it.locator("[data-testid=temporary-password]").inner_text().strip()
    assert len(password) >= 10
    shot(it, f"j5-{lang}-02b-temporary-password")

    # the grant is in the security log
    it.goto(it.base + "/governance/security-log/")
    assert username in it.inner_text("main")

    # ---- the new employee signs in and accepts the confidentiality agreement first
    me = new_page(locale="zh-CN" if lang == "zh" else "en-US")
    me.lang = lang
    me.goto(me.base + "/accounts/login/")
    me.fill("input[name=username]", username)
    me.fill("input[name=password]", password)
    me.click("button[type=submit]")
    me.wait_for_url(lambda url: "/accounts/login/" not in url)
    if re.search(r"/accounts/(password|otp)", me.url):  # a first sign-in may ask for a new password
        for field in me.locator("main input[type=password]").all():
            field.fill(NEW_PASSWORD + "!")
        me.locator("main form button[type=submit]").first.click()
        me.wait_for_load_state()
    assert "/accounts/agreement/" in me.url
    shot(me, f"j5-{lang}-03-agreement")
    me.check("input[name=accept]")
    me.click("[data-testid=accept-agreement]")
    me.wait_for_url(me.base + "/")
    assert me.locator("[data-module=orders]").count() == 1  # the role's modules are in the menu

    # ---- onboarding: the plan lists the orders course; lesson, practice task, quiz
    me.goto(me.base + "/training/my/")
    plan = me.locator("[data-testid=onboarding-plan]")
    assert t(me, course.title_en, course.title_zh) in plan.inner_text()
    shot(me, f"j5-{lang}-04-my-learning")
    me.goto(me.base + f"/training/courses/{course.pk}/")
    for lesson in course.lessons.order_by("order", "pk"):
        me.goto(me.base + f"/training/lessons/{lesson.pk}/")
        if lesson.kind == "quiz":
            me.click("[data-testid=start-quiz]")
            me.wait_for_selector("[data-testid=quiz-form]")
            for question in lesson.quiz.questions.prefetch_related("choices"):
                for choice in question.choices.all():
                    if choice.is_correct:
                        me.check(f"input[name=q{question.pk}][value='{choice.pk}']")
            shot(me, f"j5-{lang}-05-quiz")
            me.click("[data-testid=submit-quiz]")
            result = me.locator("[data-testid=attempt-result]").inner_text()
            assert t(me, "Passed", "通过") in result and "100" in result
        else:
            me.click("[data-testid=complete-lesson]")
            me.wait_for_load_state()

    # ---- the certificate
    me.goto(me.base + f"/training/courses/{course.pk}/")
    link = me.locator("[data-testid=certificate-link]")
    assert link.count() == 1
    shot(me, f"j5-{lang}-06-certificate")
    pdf = me.request.get(me.base + link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"

