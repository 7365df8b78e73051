"""The OpenAPI schema validates, and a property-based run of schemathesis against it (on PostgreSQL, as a sales
rep's token) finds no server error, no answer that breaks the schema, and no record outside the rep's scope.

Run alone with `pytest -m api_fuzz tests/api/test_schema.py` (a few examples per operation: about a minute or two).
"""

import json

import pytest
import schemathesis
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import connection
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import services
from api.models import SCOPES
from tests.factories import UserFactory
from tests.factories.crm import ContactFactory, CustomerFactory
from tests.factories.orders import make_world
from tests.factories.support import TicketFactory

OUTSIDE = "越权客户ZZQ"  # markers of records the rep must never see
OUTSIDE_TICKET = "越权工单ZZQ"


def test_the_schema_validates(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/orders/{id}/submit/" in out.read_text()


def _schema():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(generated)
    # the fuzzing phase only (a few examples per operation, as set below): the coverage phase's hundreds of
    # boundary cases per operation would take many minutes
    config = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(generated, default=str)), config=config)
    loaded.app = get_wsgi_application()
    return loaded


schema = _schema()


class World:
    raw = ""
    visible_customers: set = set()
    hidden_order_numbers: set = set()


WORLD = World()


@pytest.fixture
def keep_connection():
    """The WSGI handler closes the database connection after each request (the test's transaction with it);
    Django's own test client disconnects that for its requests, and so does this fixture."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def rep_world(db, make_user, settings, keep_connection):
    settings.ALLOWED_HOSTS = ["*"]
    w = make_world(make_user)
    ContactFactory(customer=w.customer)
    w.order()
    TicketFactory(requester=w.rep)
    other = UserFactory.with_role("sales_rep")
    hidden = CustomerFactory(owner=other, name=OUTSIDE)
    ContactFactory(customer=hidden, name="越权联系人")
    TicketFactory(requester=other, subject=OUTSIDE_TICKET)
    hidden_order = w.order(customer=hidden, actor=other)
    WORLD.raw = services.create_token(name="fuzz", scopes=SCOPES, actor=w.rep, rate_per_minute=6000)[1]
    WORLD.visible_customers = {w.customer.pk}
    WORLD.hidden_order_numbers = {hidden_order.number}
    return w


@schemathesis.check
def no_out_of_scope_data(ctx, response, case):
    """Nothing another rep owns reaches this rep: no customer outside their own, no other rep's order or ticket."""
    if response.status_code >= 300 or not response.content:
        return None
    text = response.content.decode("utf-8", "replace")
    if OUTSIDE in text or OUTSIDE_TICKET in text or "越权联系人" in text:
        raise AssertionError(f"{case.method} {case.formatted_path} answered another rep's record")
    if any(n in text for n in WORLD.hidden_order_numbers):
        raise AssertionError(f"{case.method} {case.formatted_path} answered another rep's order")
    body = json.loads(text) if text.startswith(("{", "[")) else None
    path = case.operation.path
    if path.startswith("/api/v1/customers/") and isinstance(body, dict):
        rows = body.get("results", [body])
        ids = {r.get("id") for r in rows if isinstance(r, dict)}
        if not ids <= WORLD.visible_customers | {None}:  # a customer the rep created during the run is theirs
            from crm.models import Customer

            mine = set(Customer.objects.for_user(WORLD.rep).values_list("pk", flat=True))
            if not ids <= mine | {None}:
                raise AssertionError(f"customers outside the rep's scope: {ids - mine}")
    return None


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          no_out_of_scope_data]


@pytest.mark.api_fuzz
@pytest.mark.skipif(connection.vendor != "postgresql", reason="run against PostgreSQL, as in production")
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_api_against_its_schema(case, rep_world):
    WORLD.rep = rep_world.rep
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {WORLD.raw}"}
    response = case.call()
    case.validate_response(response, checks=CHECKS)
