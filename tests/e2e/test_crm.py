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

    page.set_viewport_size({"width": 1366, "height": 1600})  # the card and the target column both on screen
    page.goto(page.base + "/crm/opportunities/board/?mine=1")  # (the lead column is long with the demo's data)
    card = page.locator(f"[data-testid=opp-card-{opp.pk}]")
    assert card.get_attribute("data-stage") == "lead"
    src = card.bounding_box()
    dst = page.locator("[data-testid=col-quoted] .kanban-list").bounding_box()
    page.mouse.move(src["x"] + src["width"] / 2, src["y"] + src["height"] / 2)
    page.mouse.down()
    page.mouse.move(dst["x"] + dst["width"] / 2, dst["y"] + 30, steps=25)
    page.mouse.move(dst["x"] + dst["width"] / 2, dst["y"] + 40, steps=5)
    page.mouse.up()
    page.wait_for_selector(f"[data-testid=col-quoted] [data-testid=opp-card-{opp.pk}][data-stage=quoted]")
    opp.refresh_from_db()
    assert opp.stage == "quoted" and opp.probability == 50
    shot(page, "crm-board")
    assert Opportunity.objects.get(pk=opp.pk).history.count() == 2


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
