"""Finding 8 of the outside audit: a request body was read whole before the upload limit refused it. A request is
now refused by its Content-Length (REQUEST_MAX_BYTES) before anything reads it."""

import pytest
from django.urls import reverse

from support.models import Ticket

pytestmark = pytest.mark.django_db


class Unreadable:
    """A request body that fails the test if anything reads it."""

    read_at_all = False

    def read(self, *args, **kwargs):
        Unreadable.read_at_all = True
        raise AssertionError("the body was read")

    readline = read


def test_an_oversized_body_is_refused_unread(client_as, settings):
    client = client_as("sales_rep")
    size = settings.REQUEST_MAX_BYTES + 1
    r = client.generic("POST", reverse("support:ticket_create"), b"x", content_type="multipart/form-data; boundary=x",
                       CONTENT_LENGTH=str(size), **{"wsgi.input": Unreadable()})
    assert r.status_code == 413 and not Unreadable.read_at_all
    assert "too large" in r.content.decode()
    assert not Ticket.objects.exists()


def test_a_body_within_the_limit_is_served(client_as):
    r = client_as("sales_rep").post(reverse("support:ticket_create"), {
        "category": "crm", "priority": "normal", "subject": "x", "description": "Broken"})
    assert r.status_code == 302 and Ticket.objects.count() == 1
