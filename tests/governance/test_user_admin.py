"""User accounts managed by IT and the general manager on the governance pages (no command line), every grant,
removal, deactivation and reset in the security log; and the lock-out page that lets IT unlock an account."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from governance.models import SecurityEvent
from hardware_erp.core.roles import roles_of
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def _kinds(username):
    return list(SecurityEvent.objects.filter(detail__target=username).order_by("pk").values_list("kind", flat=True))


def test_it_creates_a_user_gives_roles_resets_and_deactivates(client_as):
    client = client_as("it_admin")
    dept = DepartmentFactory(code="wh7", name_zh="仓储部七")
    r = client.post(reverse("governance:user_create"), {
        "username": "newclerk", "first_name": "小明", "last_name": "王", "email": "wang@example.com",
        "department": dept.pk, "job_title": "仓管员", "roles": ["warehouse_clerk"], "_once": "t1"})
    assert r.status_code == 302, r.content.decode()[:2000]
    user = User.objects.get(username="newclerk")
    assert [role.key for role in roles_of(user)] == ["warehouse_clerk"] and user.employee.department == dept
    assert not user.has_usable_password()

    r = client.post(reverse("governance:user_edit", args=[user.pk]), {
        "username": "newclerk", "first_name": "小明", "last_name": "王", "department": dept.pk,
        "roles": ["warehouse_manager"], "_once": "t2"})
    assert r.status_code == 302, r.context["form"].errors
    assert [role.key for role in roles_of(user)] == ["warehouse_manager"]

    r = client.post(reverse("governance:user_reset_password", args=[user.pk]))
    password = r.context["password"]
    assert r.status_code == 200 and password in r.content.decode() and r["Cache-Control"] == "no-store"
    user.refresh_from_db()
    assert user.check_password(password)

    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.post(reverse("governance:user_reset_otp", args=[user.pk]))
    assert not TOTPDevice.objects.filter(user=user).exists()

    client.post(reverse("governance:user_deactivate", args=[user.pk]))
    user.refresh_from_db()
    assert not user.is_active
    client.post(reverse("governance:user_reactivate", args=[user.pk]))
    user.refresh_from_db()
    assert user.is_active

    assert _kinds("newclerk") == ["role_granted", "user_created", "role_granted", "role_revoked", "user_changed",
                                  "password_reset", "otp_reset", "user_deactivated", "user_reactivated"]
    assert all(e.user == client.user for e in SecurityEvent.objects.filter(detail__target="newclerk"))
    grant = SecurityEvent.objects.filter(kind="role_granted", detail__target="newclerk").order_by("pk").last()
    assert grant.summary == "newclerk was given the role Warehouse Manager"
    assert password not in str(list(SecurityEvent.objects.values_list("detail", flat=True)))

    page = client.get(reverse("governance:user", args=[user.pk])).content.decode()
    assert "Warehouse Manager" in page and "newclerk was given the role" in page


def test_user_list_filters_by_role_department_and_active(client_as, make_user):
    client = client_as("general_manager")
    dept = DepartmentFactory(code="s8", name_zh="销售八部")
    rep = make_user("sales_rep", username="rep88")
    rep.employee.department = dept
    rep.employee.save()
    make_user("warehouse_clerk", username="clerk88", is_active=False)
    page = client.get(reverse("governance:user_list"), {"role": "sales_rep"}).content.decode()
    assert "rep88" in page and "clerk88" not in page
    page = client.get(reverse("governance:user_list"), {"department": dept.pk}).content.decode()
    assert "rep88" in page and "clerk88" not in page
    page = client.get(reverse("governance:user_list"), {"is_active": "false"}).content.decode()
    assert "clerk88" in page and "rep88" not in page


def test_nobody_deactivates_or_changes_roles_of_themselves(client_as):
    client = client_as("it_admin")
    me = client.user
    client.post(reverse("governance:user_deactivate", args=[me.pk]))
    me.refresh_from_db()
    assert me.is_active


def test_it_unlocks_a_locked_account(client_as, settings):
    from axes.models import AccessAttempt

    locked = AccessAttempt.objects.create(username="rep1", ip_address="10.0.0.8", user_agent="x", path_info="/login/",
                                          failures_since_start=settings.AXES_FAILURE_LIMIT,
                                          attempt_time=timezone.now())
    client = client_as("it_admin")
    page = client.get(reverse("governance:lockout_list")).content.decode()
    assert "rep1" in page and "10.0.0.8" in page
    r = client.post(reverse("governance:unlock", args=[locked.pk]))
    assert r.status_code == 302
    assert not AccessAttempt.objects.filter(username="rep1").exists()
    event = SecurityEvent.objects.get(kind="unlocked")
    assert event.user == client.user and event.detail == {"target": "rep1", "ip": "10.0.0.8"}


def test_sales_manager_cannot_manage_users(client_as):
    client = client_as("sales_manager")
    assert client.get(reverse("governance:user_list")).status_code == 403
    assert client.get(reverse("governance:lockout_list")).status_code == 403
