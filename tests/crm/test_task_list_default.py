"""The follow-up list opens on what is still to do, most overdue first (issue 17 item 5), not on old finished
tasks; a filter (or status= for all) shows what it asks for."""

import datetime

import pytest
from django.utils import timezone

from tests.factories.crm import CustomerFactory, TaskFactory

pytestmark = pytest.mark.django_db


def test_task_list_opens_on_open_tasks(client_as):
    client = client_as("sales_rep")
    customer = CustomerFactory(owner=client.user)
    now = timezone.now()
    done = TaskFactory(customer=customer, title="done long ago", status="done",
                       due_at=now - datetime.timedelta(days=90))
    late = TaskFactory(customer=customer, title="overdue call", due_at=now - datetime.timedelta(days=2))
    soon = TaskFactory(customer=customer, title="call tomorrow", due_at=now + datetime.timedelta(days=1))
    rows = list(client.get("/crm/tasks/").context["table"].data)
    assert rows == [late, soon]
    assert done in list(client.get("/crm/tasks/?status=").context["table"].data)
    assert list(client.get("/crm/tasks/?status=done").context["table"].data) == [done]
