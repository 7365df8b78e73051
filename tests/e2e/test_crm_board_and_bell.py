"""The pipeline board's counts and totals follow a drop, stale cards are marked; the bell groups repeats and marks
all read (browser behaviour of issue 14 item 17)."""

import datetime

import pytest
from django.utils import timezone

from crm.models import Opportunity
from hardware_erp.core.models import Notification
from hardware_erp.core.services import notify
from tests.factories.crm import CustomerFactory, OpportunityFactory

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def drag(page, card_selector, target_selector):
    src = page.locator(card_selector).bounding_box()
    dst = page.locator(target_selector).bounding_box()
    page.mouse.move(src["x"] + src["width"] / 2, src["y"] + src["height"] / 2)
    page.mouse.down()
    page.mouse.move(dst["x"] + dst["width"] / 2, dst["y"] + 30, steps=25)
    page.mouse.move(dst["x"] + dst["width"] / 2, dst["y"] + 40, steps=5)
    page.mouse.up()


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_board_counts_follow_a_drop_and_stale_cards_are_marked(new_page, make_user, settings, locale):
    rep = make_user("sales_rep", username="boardrep")
    customer = CustomerFactory(owner=rep, name="看板五金")
    moving = OpportunityFactory(customer=customer, stage="lead", amount=1000, title="拖动的商机")
    stale = OpportunityFactory(customer=customer, stage="lead", amount=250, title="很久没动的商机")
    Opportunity.objects.filter(pk=stale.pk).update(
        last_activity_at=timezone.now() - datetime.timedelta(days=settings.CRM_STALE_DAYS + 3))
    page = new_page(locale=locale)
    login(page, "boardrep", "correct-horse-battery")
    page.set_viewport_size({"width": 1366, "height": 1200})
    page.goto(page.base + "/crm/opportunities/board/")
    assert page.is_visible(f"[data-testid=stale-{stale.pk}]")
    assert not page.is_visible(f"[data-testid=stale-{moving.pk}]")
    assert page.inner_text("[data-testid=count-lead]") == "2"
    assert page.inner_text("[data-testid=count-quoted]") == "0"
    drag(page, f"[data-testid=opp-card-{moving.pk}]", "[data-testid=col-quoted] .kanban-list")
    page.wait_for_selector(f"[data-testid=col-quoted] [data-testid=opp-card-{moving.pk}][data-stage=quoted]")
    page.wait_for_function("() => document.querySelector('[data-testid=count-quoted]').textContent.trim() === '1'")
    assert page.inner_text("[data-testid=count-lead]") == "1"
    assert page.inner_text("[data-testid=total-lead]") == "¥250.00"
    assert page.inner_text("[data-testid=total-quoted]") == "¥1,000.00"
    shot(page, f"crm-board-counts-{locale}")
    # the figures agree with a fresh page
    page.reload()
    assert page.inner_text("[data-testid=count-lead]") == "1"
    assert page.inner_text("[data-testid=count-quoted]") == "1"


def test_bell_groups_repeats_and_marks_all_read(page, make_user):
    user = make_user("warehouse_clerk", username="bellclerk")
    for i in range(12):
        notify([user], f"Low stock {i}", f"/inventory/products/{i % 2}/", key=f"po-late:{i}", email=False)
    login(page, "bellclerk", "correct-horse-battery")
    assert page.inner_text("[data-testid=unread-count]") == "2"  # two groups of six: what the dropdown shows
    page.click("[aria-label=Notifications]")
    page.wait_for_selector("[data-testid=bell-item]")
    assert page.locator("[data-testid=bell-item]").count() == 2
    assert "×6" in page.inner_text("#bell-menu")
    shot(page, "bell-grouped")
    page.click("[data-testid=bell-mark-all]")
    page.wait_for_selector("[data-testid=unread-count].d-none", state="attached")
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_customer_form_from_its_layout_saves_in_the_browser(new_page, make_user, locale):
    make_user("sales_rep", username="formrep")
    page = new_page(locale=locale)
    login(page, "formrep", "correct-horse-battery")
    page.goto(page.base + "/crm/customers/new/")
    assert page.locator("form[data-testid=service-form] [data-testid=save]").count() == 1
    page.fill("input[name=name]", "浏览器五金店")
    page.fill("input[name=wechat_id]", "llq-wujin")
    page.select_option("select[name=kind]", "individual")
    shot(page, f"crm-customer-form-{locale}")
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=wechat-id]")
    assert page.inner_text("[data-testid=wechat-id]") == "llq-wujin"
    shot(page, f"crm-customer-page-{locale}")
