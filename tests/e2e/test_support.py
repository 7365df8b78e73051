"""An employee opens a ticket from the page they are on, IT answers, the employee sees the answer and rates it."""

import re

import pytest

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def sign_out(page):
    page.click("[data-testid=user-menu]")
    page.click("text=Sign out")
    page.wait_for_url("**/accounts/login/")


def test_ticket_from_a_page_answered_and_rated(page, demo_company):
    login(page, "rep1")
    page.goto(page.base + "/crm/")
    page.click("[data-testid=report-problem]")
    page.wait_for_url("**/support/tickets/new/**")
    assert page.input_value("input[name=page_url]") == "/crm/"
    page.select_option("select[name=category]", "crm")
    page.fill("input[name=subject]", "Customer list does not load")
    page.click("[data-testid=service-form] [data-testid=save]")  # no description: refused with a message
    assert "the description is required" in page.content()
    page.fill("textarea[name=description]", "The customer list shows an empty page since this morning.")
    page.set_input_files("input[name=attachments]", files=[
        {"name": "screen.png", "mimeType": "image/png", "buffer": PNG}])
    shot(page, "support-ticket-new")
    page.click("[data-testid=service-form] [data-testid=save]")
    page.wait_for_url(re.compile(r".*/support/tickets/\d+/$"))
    ticket_url = page.url
    assert page.locator("[data-testid=ticket-status]").inner_text() == "Assigned"  # by the demo category rule
    assert page.locator("[data-testid=attachment]").count() == 1
    sign_out(page)

    login(page, "itadmin")
    page.goto(ticket_url)
    page.fill("[data-testid=reply-form] textarea[name=body]", "Check the VPN first (internal)")
    page.check("[data-testid=reply-form] input[name=internal]")
    page.click("[data-testid=reply-form] button[type=submit]")
    page.fill("[data-testid=reply-form] textarea[name=body]", "The search index was rebuilt; please try again.")
    page.click("[data-testid=reply-form] button[type=submit]")
    page.click("[data-testid=to-resolved]")
    assert page.locator("[data-testid=ticket-status]").inner_text() == "Resolved"
    shot(page, "support-ticket-it")
    sign_out(page)

    login(page, "rep1")
    page.goto(ticket_url)
    thread = page.locator("[data-testid=thread]").inner_text()
    assert "The search index was rebuilt" in thread and "Check the VPN first" not in thread
    page.check("[data-testid=rating-card] input[name=rating][value='5']")
    page.fill("[data-testid=rating-card] input[name=comment]", "Quick help, thanks")
    page.click("[data-testid=rate]")
    assert page.locator("[data-testid=ticket-status]").inner_text() == "Closed"
    assert page.locator("[data-testid=rating]").inner_text().startswith("5 / 5")
    shot(page, "support-ticket-rated")


def test_incident_banner_in_chinese(new_page, demo_company):
    page = new_page(locale="zh-CN")
    login(page, "itadmin")
    page.goto(page.base + "/support/incidents/new/")
    page.fill("input[name=title]", "ERP 数据库故障")
    page.check("input[name=systems] >> nth=0")
    page.click("[data-testid=service-form] [data-testid=save]")
    page.wait_for_url(re.compile(r".*/support/incidents/\d+/$"))
    page.goto(page.base + "/")
    assert "ERP 数据库故障" in " ".join(page.locator("[data-testid=system-banner]").all_inner_texts())
    shot(page, "support-incident-banner-zh")
