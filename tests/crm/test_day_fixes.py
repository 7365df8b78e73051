"""The smaller CRM findings of the business-day review (issue 14 item 17), each through the real page and role."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from crm import services
from crm.models import Customer
from tests.factories.crm import CustomerFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def test_sales_analytics_date_box_shows_the_period_computed(client_as):
    client = client_as("sales_manager")
    r = client.get(reverse("crm:reports"))
    form = r.context["period_form"]
    assert form["start"].value() == r.context["start"]
    assert r.context["start"].day == 1
    assert form["end"].value() == r.context["end"] == timezone.localdate()
    # a period typed the wrong way round: the page computes the default and the boxes show it
    r = client.get(reverse("crm:reports"), {"start": "2026-05-01", "end": "2026-01-01"})
    assert r.context["period_form"]["start"].value() == r.context["start"]
    assert r.context["period_form"]["end"].value() == r.context["end"]


def test_report_number_tables_are_formatted(client_as, make_user):
    owner = make_user("sales_rep")
    OpportunityFactory(customer=CustomerFactory(owner=owner), amount="5125144.3", stage="quoted", probability=33)
    r = client_as("sales_manager").get(reverse("crm:reports"))
    body = r.content.decode()
    tables = body[:body.index('id="crm-chart-data"')]  # the chart's JSON carries raw numbers on purpose
    assert "¥5,125,144.30" in tables
    assert "5125144.3" not in tables


def test_merged_customers_old_address_opens_the_survivor(client_as):
    client = client_as("sales_manager")
    survivor = CustomerFactory(owner=client.user, name="甲五金")
    merged = CustomerFactory(owner=client.user, name="甲五金店")
    services.merge_customers(survivor=survivor, merged=merged, actor=client.user)
    r = client.get(reverse("crm:customer", args=[merged.pk]))
    assert r.status_code == 302 and r["Location"] == survivor.get_absolute_url()
    # another rep who may not see the survivor still gets a 404
    assert client_as("sales_rep").get(reverse("crm:customer", args=[merged.pk])).status_code == 404


def test_duplicate_warning_links_the_existing_customer(client_as):
    client = client_as("sales_rep")
    mine = CustomerFactory(owner=client.user, name="杭州永固五金", city="杭州市")
    CustomerFactory(name="杭州永固五金店", city="杭州市")  # a colleague's: named, not linked
    r = client.post(reverse("crm:customer_create"), {
        "kind": "individual", "name": "杭州永固五金", "customer_type": "retailer", "level": "c", "source": "walk_in",
        "city": "杭州市", "credit_limit": "0", "payment_terms_days": "0"})
    assert r.status_code == 200
    assert Customer.objects.filter(name="杭州永固五金").count() == 1
    body = r.content.decode()
    assert f'href="{mine.get_absolute_url()}"' in body
    assert "杭州永固五金店" in body


def test_open_opportunities_list_no_won_one(client_as):
    client = client_as("sales_rep")
    c = CustomerFactory(owner=client.user)
    OpportunityFactory(customer=c, title="开着的商机", stage="quoted")
    OpportunityFactory(customer=c, title="赢了的商机", stage="won", closed_at=timezone.now())
    r = client.get(reverse("crm:customer", args=[c.pk]))
    body = r.content.decode()
    open_list = body[body.index('data-testid="open-opportunities"'):]
    open_list = open_list[:open_list.index("</ul>")]
    assert "开着的商机" in open_list and "赢了的商机" not in open_list
    assert "赢了的商机" in body  # under "Recently closed"


def test_list_pages_hide_buttons_the_user_may_not_use(client_as):
    rep = client_as("sales_rep")
    r = rep.get(reverse("crm:customer_list"))
    assert r.context["export_formats"] == ()
    assert "bi-download" not in r.content.decode()
    assert r.context["create_url"] == reverse("crm:customer_create")
    mgr = client_as("sales_manager")
    assert mgr.get(reverse("crm:customer_list")).context["export_formats"]
    # finance sees customers but may not create one: no New button
    fin = client_as("finance_clerk")
    r = fin.get(reverse("crm:customer_list"))
    if r.status_code == 200:
        assert r.context["create_url"] == ""


def test_morning_digest_is_a_daily_crontab_at_eight():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["crm-morning-digest"]["schedule"]
    assert entry.hour == {8} and entry.minute == {0}
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def test_stale_opportunities_are_marked_on_the_board(client_as, settings):
    client = client_as("sales_rep")
    c = CustomerFactory(owner=client.user)
    stale = OpportunityFactory(customer=c, stage="qualified")
    fresh = OpportunityFactory(customer=c, stage="qualified")
    type(stale).objects.filter(pk=stale.pk).update(
        last_activity_at=timezone.now() - datetime.timedelta(days=settings.CRM_STALE_DAYS + 2))
    body = client.get(reverse("crm:opportunity_board")).content.decode()
    assert f'data-testid="stale-{stale.pk}"' in body
    assert f'data-testid="stale-{fresh.pk}"' not in body
