"""A sales rep logs a call on a customer's page (no reload) and drags an opportunity across the board."""

import pytest
from django.contrib.auth import get_user_model

from crm import services
from crm.models import ContactRecord, Opportunity

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_log_a_call_and_move_an_opportunity(page, demo_company):
    rep = get_user_model().objects.get(username="rep1")
    customer = services.create_customer(data={"name": "测试张三五金店", "province": "浙江省", "city": "杭州市"},
                                        contacts=[{"name": "张三", "mobile": "13812345678"}], actor=rep,
                                        confirm_duplicates=True)
    opp = services.save_opportunity(customer=customer, data={"title": "膨胀螺丝年度合同", "amount": 86000},
                                    actor=rep)
    login(page, "rep1")

    # search by pinyin initials from the customer list
    page.goto(page.base + "/crm/customers/")
    page.fill("[data-testid=customer-search]", "cszswj")
    page.press("[data-testid=customer-search]", "Enter")
    page.wait_for_selector("[data-testid=customer-table] >> text=测试张三五金店")
    shot(page, "crm-customer-list")
    page.click("[data-testid=customer-table] >> text=测试张三五金店")
    page.wait_for_selector("[data-testid=record-form]")

    page.evaluate("window.__noReload = true")
    page.select_option("[data-testid=record-form] select[name=channel]", "call")
    page.fill("[data-testid=record-form] textarea[name=summary]", "电话问了 M8 膨胀螺丝的价格，要 2000 套")
    page.fill("[data-testid=record-form] input[name=next_step]", "发报价单")
    page.click("[data-testid=record-submit]")
    page.wait_for_selector("[data-testid=record-saved]")
    assert page.evaluate("window.__noReload") is True  # the page was not reloaded
    assert "M8 膨胀螺丝" in page.inner_text("[data-testid=timeline-items]")
    assert ContactRecord.objects.filter(customer=customer, created_by=rep, channel="call").count() == 1
    shot(page, "crm-customer-page")

    page.goto(page.base + "/crm/opportunities/board/?mine=1")
    card = page.locator(f"[data-testid=opp-card-{opp.pk}]")
    assert card.get_attribute("data-stage") == "lead"
    # a new opportunity without an expected close date comes last in a long lead column (the demo's rep has
    # dozens): bring it on screen, then drag it across to the quoted column at its own height (a column's list
    # runs its full height). The mouse cannot press on a card that is below the window.
    card.scroll_into_view_if_needed()
    src = card.bounding_box()
    dst = page.locator("[data-testid=col-quoted] .kanban-list").bounding_box()
    y = src["y"] + src["height"] / 2
    assert dst["y"] < y < dst["y"] + dst["height"]
    page.mouse.move(src["x"] + src["width"] / 3, y)
    page.mouse.down()
    page.mouse.move(dst["x"] + dst["width"] / 2, y, steps=25)
    page.mouse.move(dst["x"] + dst["width"] / 2, y + 10, steps=5)
    page.mouse.up()
    page.wait_for_selector(f"[data-testid=col-quoted] [data-testid=opp-card-{opp.pk}][data-stage=quoted]")
    opp.refresh_from_db()
    assert opp.stage == "quoted" and opp.probability == 50
    shot(page, "crm-board")
    assert Opportunity.objects.get(pk=opp.pk).history.count() == 2

    # the same without a mouse: the card's "Move to" menu, by keyboard
    negotiating_before = int(page.inner_text("[data-testid=count-negotiating]"))
    page.focus(f"[data-testid=move-menu-{opp.pk}]")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"[data-testid=move-{opp.pk}-negotiating]", state="visible")
    for _ in range(6):
        page.keyboard.press("ArrowDown")
        if page.evaluate("document.activeElement.dataset.moveTo") == "negotiating":
            break
    shot(page, "crm-board-move-menu")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"[data-testid=col-negotiating] [data-testid=opp-card-{opp.pk}][data-stage=negotiating]")
    page.wait_for_function(f"document.querySelector('[data-testid=count-negotiating]').textContent.trim() === "
                           f"'{negotiating_before + 1}'")
    opp.refresh_from_db()
    assert opp.stage == "negotiating" and opp.probability == 75


def test_manager_sees_analytics_charts(new_page, demo_company):
    page = new_page(locale="zh-CN")
    login(page, "salesmgr")
    page.goto(page.base + "/crm/reports/")
    page.wait_for_selector("#chart-reps")
    page.wait_for_function("() => Chart.getChart('chart-reps') && Chart.getChart('chart-months')")
    shot(page, "crm-reports-zh")
    page.goto(page.base + "/crm/")
    shot(page, "crm-index-zh")
    page.goto(page.base + "/crm/customers/")
    shot(page, "crm-customers-zh")


@pytest.mark.parametrize("language", ["zh-CN", "en-US"])
def test_the_customer_picker_finds_by_initials_and_by_a_contacts_mobile(new_page, demo_company, language):
    """The pickers' lookup finds customers by what their labels do not show (initials, a contact's mobile), and the
    picker lists the server's answer as it is: its own filtering of the labels hid every pinyin match."""
    from crm.models import FollowUpTask
    from hardware_erp.core.tables import person_name

    rep = get_user_model().objects.get(username="rep1")
    customer = services.create_customer(data={"name": "测试张三五金店", "province": "浙江省", "city": "杭州市"},
                                        contacts=[{"name": "张三", "mobile": "13812345678"}], actor=rep,
                                        confirm_duplicates=True)
    page = new_page(locale=language)
    login(page, "rep1")
    page.goto(page.base + "/crm/tasks/new/")
    for typed in ("cszswj", "138 1234 5678"):
        page.locator("#id_customer-ts-control").fill(typed)
        option = page.locator(".ts-dropdown .option", has_text="测试张三五金店")
        option.wait_for()
        assert page.locator(".ts-dropdown .option").count() == 1
    option.click()
    assignee = page.locator("select[name=assignee] option:checked").inner_text()
    assert assignee == person_name(rep) and assignee != "rep1"  # the rep by name
    page.fill("input[name=title]", "E2E 选客户回访")
    page.fill("input[name=due_at]", "2030-01-15T10:00")
    shot(page, f"crm-task-picker-{language}")
    page.click("[data-testid=service-form] [data-testid=save]")
    page.wait_for_url(lambda url: "/tasks/new/" not in url)
    task = FollowUpTask.objects.get(title="E2E 选客户回访")
    assert task.customer == customer and task.assignee == rep
