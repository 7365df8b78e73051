"""crm's create/edit pages run on the kernel's ServiceFormView: one form, a one-time token (sent twice, saved
once), the service's refusals on the form; the customer page's quick entry keeps answering htmx partials."""

import pytest
from django.urls import reverse

from crm.models import ContactRecord, FollowUpTask, Opportunity
from tests.factories.crm import CustomerFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def test_quick_entry_answers_the_timeline_and_a_double_click_logs_once(client_as):
    client = client_as("sales_rep")
    c = CustomerFactory(owner=client.user)
    page = client.get(c.get_absolute_url())
    token = page.context["once_token"]
    assert 'name="_once"' in page.content.decode()
    data = {"channel": "call", "summary": "问了膨胀螺丝价格", "_once": token}
    url = reverse("crm:record_create", args=[c.pk])
    first = client.post(url, data, HTTP_HX_REQUEST="true")
    second = client.post(url, data, HTTP_HX_REQUEST="true")
    assert first.status_code == second.status_code == 200
    assert first["HX-Trigger"] == "crm:recorded"
    assert "问了膨胀螺丝价格" in first.content.decode()
    assert ContactRecord.objects.filter(customer=c).count() == 1
    # an invalid entry answers the panel with the errors
    r = client.post(url, {"channel": "call", "summary": ""}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and r.context["saved"] is False and r.context["record_form"].errors


def test_opportunity_and_task_pages_save_once_through_their_services(client_as):
    client = client_as("sales_rep")
    c = CustomerFactory(owner=client.user)
    page = client.get(reverse("crm:opportunity_create"), {"customer": c.pk})
    assert page.templates[0].name == "generic/form.html"
    data = {"customer": c.pk, "title": "年度合同", "stage": "lead", "amount": "5000", "probability": "10",
            "owner": client.user.pk, "_once": page.context["once_token"]}
    client.post(reverse("crm:opportunity_create"), data)
    client.post(reverse("crm:opportunity_create"), data)
    assert Opportunity.objects.filter(customer=c, title="年度合同").count() == 1
    page = client.get(reverse("crm:task_create"), {"customer": c.pk})
    data = {"customer": c.pk, "title": "回访", "due_at": "2099-01-01T10:00", "assignee": client.user.pk,
            "_once": page.context["once_token"]}
    r = client.post(reverse("crm:task_create"), data)
    assert r.status_code == 302 and r["Location"] == c.get_absolute_url()
    client.post(reverse("crm:task_create"), data)
    assert FollowUpTask.objects.filter(customer=c, title="回访").count() == 1


def test_a_won_opportunity_refused_by_the_service_shows_on_the_form(client_as):
    client = client_as("sales_rep")
    opp = OpportunityFactory(customer=CustomerFactory(owner=client.user), stage="quoted")
    r = client.post(reverse("crm:opportunity_edit", args=[opp.pk]), {"title": "", "amount": "-1",
                                                                     "probability": "300"})
    assert r.status_code == 200 and r.context["form"].errors
