"""A problem reported from the page it happened on: the clerk files a ticket from the stock list (double-clicking
Send), IT finds it in the helpdesk queue and answers, the clerk is told and reads the answer."""

import re

import pytest

from . import data
from .conftest import shot, t


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_ticket_from_any_page_answered(as_role, lang):
    from support.models import Ticket

    subject = f"{'库存列表' if lang == 'zh' else 'Stock list'} {data.unique('JNY-T' + lang.upper())}"
    clerk = as_role("clerk", lang)
    clerk.goto(clerk.base + "/inventory/stock/")
    clerk.click("[data-testid=report-problem]")
    clerk.wait_for_url("**/support/tickets/new/**")
    assert clerk.input_value("input[name=page_url]") == "/inventory/stock/"  # the page it came from
    clerk.fill("input[name=subject]", subject)
    clerk.fill("textarea[name=description]", t(clerk, "The stock list shows no figures for SH since this morning.",
                                               "今天早上起库存列表里上海总仓没有数字。"))
    shot(clerk, f"j6-{lang}-01-new-ticket")
    clerk.dblclick("[data-testid=service-form] button[type=submit]")
    clerk.wait_for_url(re.compile(r".*/support/tickets/\d+/$"))
    ticket_url = clerk.url

    # ---- IT: the ticket is in the queue once, with the page it came from; IT answers and resolves
    it = as_role("itadmin", lang)
    it.goto(it.base + "/support/tickets/")
    assert it.locator("main table tbody tr", has_text=subject).count() == 1, "the ticket was filed twice"
    it.locator("main table tbody tr", has_text=subject).locator("a").first.click()
    assert it.inner_text("[data-testid=page-url]") == "/inventory/stock/"
    answer = t(it, "The stock cache was rebuilt; please reload the page.", "库存缓存已重建，请刷新页面。")
    it.fill("[data-testid=reply-form] textarea[name=body]", answer)
    it.click("[data-testid=reply-form] button[type=submit]")
    it.wait_for_selector(f"[data-testid=thread] >> text={answer}")
    it.click("[data-testid=to-resolved]")
    assert it.locator("[data-testid=ticket-status]").inner_text() == t(it, "Resolved", "已解决")
    shot(it, f"j6-{lang}-02-it-answered")

    # ---- the clerk is notified and reads the answer on the ticket
    ticket_no = Ticket.objects.get(subject=subject).number
    clerk.goto(clerk.base + "/notifications/")
    assert ticket_no in clerk.inner_text("main")  # the answer (grouped with the resolution) is notified
    clerk.goto(ticket_url)
    assert answer in clerk.inner_text("[data-testid=thread]")
    assert clerk.locator("[data-testid=ticket-status]").inner_text() == t(clerk, "Resolved", "已解决")
    shot(clerk, f"j6-{lang}-03-clerk-reads-answer")
