"""Pickers and filters of people show them by their names (陈强), as the tables do, not by their user names (clerk):
a follow-up's assignee, an opportunity's and a customer's owner, the users a customer is shared with, the owner
filter of the customer list, the salesperson filter of the order list, the requester filter of key-data requests."""

import re

import pytest

from crm.forms import OpportunityForm, ReassignForm, ShareForm, TaskForm
from hardware_erp.core.forms import PersonChoiceField
from hardware_erp.core.tables import person_name

pytestmark = pytest.mark.django_db


def _labels(field):
    return [label for value, label in field.choices if value != ""]


def test_crm_forms_name_the_people(make_user):
    rep = make_user("sales_rep", username="rep77", first_name="强", last_name="陈")
    nameless = make_user("sales_rep", username="rep78", first_name="", last_name="")
    for form in (TaskForm(user=rep), OpportunityForm(user=rep), ReassignForm(), ShareForm()):
        field = form.fields.get("assignee") or form.fields.get("owner") or form.fields["users"]
        labels = _labels(field)
        assert "强 陈" in labels and "rep77" not in labels, (type(form).__name__, labels)
        assert "rep78" in labels  # no name: the user name
    assert person_name(nameless) == "rep78"
    assert PersonChoiceField(queryset=type(rep).objects.all()).label_from_instance(rep) == "强 陈"


@pytest.mark.parametrize("path, name", [("/crm/customers/", "owner"), ("/orders/list/", "salesperson")])
def test_list_filters_name_the_people(client_as, make_user, path, name):
    from tests.factories.orders import make_world

    world = make_world(make_user)
    world.rep.first_name, world.rep.last_name = "伟", "张"
    world.rep.save()
    world.order()
    html = client_as("sales_manager").get(path).content.decode()
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", select)
    assert "伟 张" in options and world.rep.username not in options, options


@pytest.mark.parametrize("language, label", [("en", "All"), ("zh-hans", "全部")])
def test_list_filters_empty_choice_reads_all(client_as, language, label):
    """A list filter's empty choice says "All" (全部), not django-filter's "---------"."""
    html = client_as("sales_manager").get("/crm/customers/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for name in ("owner", "customer_type", "level", "source", "province"):
        select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
        assert re.findall(r"<option[^>]*>([^<]*)</option>", select)[0] == label, name
    assert "---------" not in html
