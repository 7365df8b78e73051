import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse

from governance.models import SecurityEvent
from hardware_erp.core.models import Department
from hardware_erp.core.signals import data_exported
from tests.factories import UserFactory
from tests.factories.governance import DepartmentFactory, SecurityEventFactory

pytestmark = pytest.mark.django_db


def test_login_logout_and_failed_login_are_logged(client):
    user = UserFactory.with_role(None, username="li")
    client.post(reverse("login"), {"username": "li", "password": "wrong-password-1"}, REMOTE_ADDR="10.1.2.3")
    failed = SecurityEvent.objects.get(kind="login_failed")
    assert failed.username == "li" and failed.user is None and failed.ip_address == "10.1.2.3"
    client.post(reverse("login"), {"username": "li", "password": "correct-horse-battery"}, REMOTE_ADDR="10.1.2.3",
                HTTP_USER_AGENT="TestBrowser/1")
    login = SecurityEvent.objects.get(kind="login")
    assert login.user == user and login.user_agent == "TestBrowser/1"
    client.post(reverse("logout"))
    assert SecurityEvent.objects.filter(kind="logout", user=user).count() == 1


def test_permission_denied_is_logged(client_as):
    client = client_as("warehouse_clerk")
    assert client.get(reverse("governance:changerequest_list")).status_code == 403
    event = SecurityEvent.objects.get(kind="denied")
    assert event.user == client.user and event.path == "/governance/changes/"
    assert event.detail["view"] == "governance:changerequest_list"


def test_export_signal_is_logged(make_user):
    user = make_user("sales_manager")
    request = RequestFactory().get("/crm/customers/?_export=xlsx")
    request.user = user
    data_exported.send(sender=object, request=request, model=Department, rows=12, format="xlsx")
    event = SecurityEvent.objects.get(kind="export")
    assert event.user == user and event.detail == {"model": "core.department", "rows": 12, "format": "xlsx"}


def test_security_events_are_append_only():
    event = SecurityEventFactory()
    event.username = "changed"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        SecurityEvent.objects.all().delete()
    with pytest.raises(PermissionDenied):
        SecurityEvent.objects.update(username="x")
    assert SecurityEvent.objects.get(pk=event.pk).username != "changed"


def test_no_role_may_change_or_delete_the_logs(make_user):
    gm = make_user("general_manager")
    it = make_user("it_admin")
    for user in (gm, it):
        for perm in ("change_securityevent", "delete_securityevent", "change_changerequest",
                     "delete_changerequest", "change_historicaldepartment", "delete_historicaldepartment"):
            assert not user.has_perm(f"governance.{perm}") and not user.has_perm(f"core.{perm}")
    assert not any(g.permissions.filter(codename__startswith="delete_historical").exists()
                   for g in Group.objects.all())


def test_history_rows_are_append_only():
    dept = DepartmentFactory()
    dept.name_en = "changed"
    dept.save()
    row = dept.history.earliest()
    row.name_en = "rewritten"
    with pytest.raises(PermissionDenied):
        row.save()
    with pytest.raises(PermissionDenied), transaction.atomic():
        row.delete()
    with pytest.raises(PermissionDenied), transaction.atomic():
        dept.history.all().delete()
    assert dept.history.count() == 2


def test_deleting_a_user_keeps_their_events():
    user = UserFactory()
    kept = SecurityEventFactory(user=user, username=user.username)
    user.delete()  # other rows may exist (giving the user a role is logged too): read the one written here
    event = SecurityEvent.objects.get(pk=kept.pk)
    assert event.user is None and event.username == kept.username


def test_admin_is_read_only(client_as):
    client = client_as("general_manager", is_staff=True)
    event = SecurityEventFactory()
    assert client.get(reverse("admin:governance_securityevent_changelist")).status_code == 200
    assert client.get(reverse("admin:governance_securityevent_change", args=[event.pk])).status_code == 200
    assert client.post(reverse("admin:governance_securityevent_delete", args=[event.pk]),
                       {"post": "yes"}).status_code == 403
    assert SecurityEvent.objects.filter(pk=event.pk).exists()
