import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from hardware_erp.core.models import Employee, Notification
from hardware_erp.core.roles import MODULE_KEYS, ROLES
from hardware_erp.core.services import create_employee, lazy_format, notify

pytestmark = pytest.mark.django_db


def test_sync_roles_is_idempotent_and_matches_code():
    call_command("sync_roles", verbosity=0)
    call_command("sync_roles", verbosity=0)
    assert Group.objects.filter(name__in=[r.group for r in ROLES.values()]).count() == len(ROLES)
    rep = Group.objects.get(name="Sales Rep")
    codes = set(rep.permissions.values_list("codename", flat=True))
    assert "access_crm" in codes and "access_inventory" not in codes


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_sees_exactly_its_modules(client_as, role):
    client = client_as(role)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    shown = {m["key"] for m in response.context["nav_modules"]}
    assert shown == set(ROLES[role].modules)
    for key in MODULE_KEYS:
        status = client.get(reverse(f"{key}:index")).status_code
        assert status == (200 if key in ROLES[role].modules else 403), (role, key, status)


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("crm:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_403_page_is_in_the_apps_look_and_language(client_as):
    client = client_as("warehouse_clerk")
    response = client.get(reverse("crm:index"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 403
    assert "您无权访问此页面" in response.content.decode()


def test_404_page(client_as):
    response = client_as("sales_rep").get("/no-such-page/")
    assert response.status_code == 404
    assert b'data-testid="error-404"' in response.content


def test_chinese_browser_gets_chinese(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert "登录" in response.content.decode()
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US")
    assert "Sign in" in response.content.decode()


def test_wrong_password_then_lockout(client, make_user):
    user = make_user("sales_rep", username="locky")
    for _ in range(4):
        r = client.post(reverse("login"), {"username": "locky", "password": "wrong-password!"},
                        HTTP_ACCEPT_LANGUAGE="en")
        assert r.status_code == 200
        assert "The user name or password is wrong" in r.content.decode()
    r = client.post(reverse("login"), {"username": "locky", "password": "wrong-password!"})
    assert r.status_code == 429 and b'data-testid="locked-out"' in r.content
    # even the right password is refused while locked
    r = client.post(reverse("login"), {"username": "locky", "password": "correct-horse-battery"})
    assert r.status_code == 429
    assert user.pk


def test_login_with_right_password(client, make_user):
    make_user("sales_rep", username="okuser")
    r = client.post(reverse("login"), {"username": "okuser", "password": "correct-horse-battery"})
    assert r.status_code == 302 and r["Location"] == reverse("core:home")


def test_notify_once_per_key_and_email_after_commit(make_user, django_capture_on_commit_callbacks):
    user = make_user("sales_rep")
    with django_capture_on_commit_callbacks(execute=True):
        notify([user], "Follow up with 张三五金", "/crm/", key="followup:1:due")
        notify([user], "Follow up with 张三五金", "/crm/", key="followup:1:due")
    assert Notification.objects.filter(recipient=user).count() == 1
    assert len(mail.outbox) == 1 and "张三五金" in mail.outbox[0].body
    assert Notification.objects.get(recipient=user).email_status == Notification.EmailStatus.SENT


def test_a_notification_speaks_each_recipients_language(make_user):
    """Whoever causes it, each recipient reads the message in their own language."""
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    zh, en = make_user("sales_rep", username="zh_rep"), make_user("sales_rep", username="en_rep")
    Employee.objects.filter(user=zh).update(language="zh-hans")
    Employee.objects.filter(user=en).update(language="en")
    zh.refresh_from_db()
    en.refresh_from_db()
    with translation.override("en"):
        notify([zh, en], lazy_format(gettext_lazy("Good day, %(name)s"), name="王五"), "/", email=False)
    assert Notification.objects.get(recipient=zh).message == "您好，王五"
    assert Notification.objects.get(recipient=en).message == "Good day, 王五"


def test_notification_centre(client_as):
    client = client_as("sales_rep")
    n = notify([client.user], "Stock alert", "/inventory/")[0]
    r = client.get(reverse("core:home"))
    assert r.context["unread_count"] == 1
    r = client.post(reverse("core:notification_read", args=[n.pk]))
    assert r.status_code == 302 and r["Location"] == "/inventory/"
    n.refresh_from_db()
    assert n.read_at is not None
    # someone else's notification cannot be marked
    other = client_as("sales_rep")
    assert other.post(reverse("core:notification_read", args=[n.pk])).status_code == 302


def test_create_employee_has_profile_roles_and_staff_flag(make_user):
    user = create_employee(username="newbie", password="a-long-password-1", roles=["it_admin"], job_title="IT")
    assert Employee.objects.get(user=user).job_title == "IT"
    assert user.is_staff and user.groups.filter(name="IT Admin").exists()


def test_seed_demo_is_idempotent():
    call_command("seed_demo", verbosity=0, only=[])
    call_command("seed_demo", verbosity=0, only=[])
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.filter(username__in=["gm", "rep1", "clerk"]).count() == 3


def test_healthz_reports_each_component(client):
    r = client.get("/healthz")
    body = r.json()
    assert set(body["checks"]) == {"database", "cache", "broker", "worker"}
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]
    # no worker has reported in this test database
    assert r.status_code == 503 and not body["checks"]["worker"]["ok"]


def test_money_rounding_half_up_and_split():
    from decimal import Decimal

    from hardware_erp.core.money import money, split_money

    assert money("2.675") == Decimal("2.68") and money("-2.675") == Decimal("-2.68")
    parts = split_money("100.00", [1, 1, 1])
    assert sum(parts) == Decimal("100.00") and sorted(parts) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


def test_people_directory_search_and_constant_queries(client_as, make_user):
    from tests.perf.querycount import steady_count

    client = client_as("warehouse_clerk")
    for i in range(30):  # more than a page, so both counts include the pagination
        make_user("sales_rep", username=f"early{i}")
    few, _ = steady_count(client, reverse("core:people"))
    for i in range(30):
        make_user("sales_rep", username=f"colleague{i}")
    many, r = steady_count(client, reverse("core:people"))
    assert many == few, "the directory's query count grows with the number of employees"
    assert r.status_code == 200 and r.context["table"].paginator.count >= 61
    r = client.get(reverse("core:people"), {"q": "colleague2"})
    names = [row.record.user.username for row in r.context["table"].page.object_list]
    assert "colleague2" in names and "colleague3" not in names
    r = client.get(reverse("core:people"), {"_export": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_session_expires_after_idle_time(client_as, settings):
    from django.conf import settings as live

    client = client_as("sales_rep")
    assert client.get(reverse("core:home")).status_code == 200
    session = client.session
    session.set_expiry(-1)  # as if the idle time had passed
    session.save()
    r = client.get(reverse("core:home"))
    assert r.status_code == 302 and reverse("login") in r["Location"]
    assert live.SESSION_SAVE_EVERY_REQUEST


def test_healthz_ok_with_a_fresh_heartbeat(client):
    from hardware_erp.core.tasks import record_heartbeat_task

    record_heartbeat_task()
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["ok"] is True


def test_language_switch_remembers_profile_language(client_as):
    client = client_as("sales_rep")
    r = client.post(reverse("core:set_language"), {"language": "zh-hans", "next": "/"})
    assert r.status_code == 302
    client.user.employee.refresh_from_db()
    assert client.user.employee.language == "zh-hans"
    assert "首页" in client.get("/").content.decode()


def test_password_reset_sends_mail(client, make_user):
    make_user(None, username="forgetful", email="forgetful@example.com")
    r = client.post(reverse("password_reset"), {"email": "forgetful@example.com"})
    assert r.status_code == 302
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body


def test_malformed_password_change_keeps_old_password(client_as):
    client = client_as("sales_rep")
    r = client.post(reverse("password_change"), {"old_password": "correct-horse-battery",
                                                 "new_password1": "short", "new_password2": "short"})
    assert r.status_code == 200 and r.context["form"].errors
    client.user.refresh_from_db()
    assert client.user.check_password("correct-horse-battery")


def test_check_integrity_records_each_run(monkeypatch):
    import sys
    import types

    from hardware_erp.core.integrity import run_checks
    from hardware_erp.core.models import IntegrityRun

    fake = types.ModuleType("support.integrity")
    fake.checks = lambda: [("always_true", []), ("broken", ["record 7 is inconsistent"])]
    monkeypatch.setitem(sys.modules, "support.integrity", fake)
    run = run_checks()
    assert not run.ok and run.problem_count == 1
    stored = IntegrityRun.objects.latest()
    assert [r["check"] for r in stored.results if r["app"] == "support"] == ["always_true", "broken"]
    import pytest as _pytest
    from django.core.management import CommandError

    with _pytest.raises(CommandError):
        call_command("check_integrity", verbosity=0)
