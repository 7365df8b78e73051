"""Finding 1 of the outside audit (stored XSS through a ticket's page_url): user-supplied URLs are stored and shown
as links only when they are http(s) to this site or relative (hardware_erp/core/links.py)."""

import pytest
from django.test import override_settings
from django.urls import reverse

from hardware_erp.core.links import site_url, web_url
from support.models import Ticket
from tests.factories.support import TicketFactory

pytestmark = pytest.mark.django_db

HOSTILE_URLS = ["javascript:alert(document.domain)", "JavaScript:alert(1)", " javascript:alert(1)",
                "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
                "//evil.example/", "https://evil.example/login", "/\\evil.example", "http:evil.example"]


@pytest.mark.parametrize("value", HOSTILE_URLS)
def test_site_url_refuses_other_schemes_and_hosts(value):
    assert site_url(value) == ""


@override_settings(ALLOWED_HOSTS=["erp.example.cn"], SITE_URL="https://erp.example.cn")
def test_site_url_keeps_pages_of_this_site():
    for value in ("/inventory/products/?q=bolt", "orders/12/", "?page=2", "https://erp.example.cn/crm/"):
        assert site_url(value) == value
    assert web_url("https://v.qq.com/x/abc") == "https://v.qq.com/x/abc"
    assert web_url("javascript:alert(1)") == web_url("data:text/html,x") == web_url("ftp://x.example/") == ""


def test_a_ticket_form_refuses_a_javascript_page_url(client_as):
    client = client_as("sales_rep")
    r = client.post(reverse("support:ticket_create"), {
        "category": "crm", "priority": "normal", "subject": "x", "description": "Broken",
        "page_url": "javascript:alert(document.domain)"})
    assert r.status_code == 200 and "page_url" in r.context["form"].errors
    assert not Ticket.objects.exists()


def test_the_service_stores_no_javascript_page_url(make_user):
    from support.services import open_ticket

    rep = make_user("sales_rep")
    t = open_ticket(requester=rep, subject="x", description="Broken", category="crm",
                    page_url="javascript:alert(document.domain)")
    assert Ticket.objects.get(pk=t.pk).page_url == ""
    t = open_ticket(requester=rep, subject="y", description="Broken", category="crm", page_url="/crm/?q=a")
    assert Ticket.objects.get(pk=t.pk).page_url == "/crm/?q=a"


def test_a_stored_javascript_page_url_is_not_rendered_as_a_link(client_as):
    """A row stored before the fix (or written around the service) is shown as text, not as a link."""
    client = client_as("it_admin")
    ticket = TicketFactory(page_url="javascript:alert(document.domain)")
    body = client.get(ticket.get_absolute_url()).content.decode()
    assert "javascript:alert(document.domain)" in body  # shown as text
    assert 'href="javascript:' not in body
