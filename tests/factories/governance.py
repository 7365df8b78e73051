"""Governance test helpers: a governed model for tests while the business apps are being built.

`governed(monkeypatch)` makes core.Department's `name_zh` and `head` key data, so change requests can be
tested on a real model with history; apps' own tests use their real key fields.
"""

import factory

from governance import keydata
from governance.models import SecurityEvent
from tests.factories import DepartmentFactory

DEPARTMENT_KEY_FIELDS = ("name_zh", "head")


def governed(monkeypatch, label="core.department", fields=DEPARTMENT_KEY_FIELDS):
    monkeypatch.setitem(keydata.KEY_FIELDS, label, fields)


class SecurityEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SecurityEvent

    kind = SecurityEvent.Kind.LOGIN
    username = factory.Sequence(lambda n: f"user{n}")
    ip_address = "10.0.0.8"


__all__ = ["DepartmentFactory", "SecurityEventFactory", "governed"]
