import pytest
from django.template import Context, Template
from django.urls import reverse

from governance import services
from governance.models import ChangeRequest, SecurityEvent
from hardware_erp.core.models import Department
from tests.factories.governance import DepartmentFactory, SecurityEventFactory, governed

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(monkeypatch, make_user):
    governed(monkeypatch)
    rep = make_user("sales_rep", username="rep_v")
    depts = [DepartmentFactory(code=f"d{i}", name_zh=f"部门{i}") for i in range(30)]
    crs = [services.submit_change(d, {"name_zh": f"新部门{i}"}, actor=rep, reason="rename")
           for i, d in enumerate(depts)]
    return rep, crs


def test_queue_lists_pending_with_readable_diff(client_as, pending, django_assert_max_num_queries):
    rep, crs = pending
    client = client_as("sales_manager")
    services.reject_change(crs[0], actor=client.user, comment="no")
    with django_assert_max_num_queries(20):
        response = client.get(reverse("governance:changerequest_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "新部门1" in html and "部门1" in html and 'data-testid="changerequest-table"' in html
    assert "新部门0" not in html  # decided requests leave the default queue
    response = client.get(reverse("governance:changerequest_list"), {"status": "rejected"})
    assert "新部门0" in response.content.decode()


def test_queue_is_forbidden_to_reps(client_as, pending):
    assert client_as("sales_rep").get(reverse("governance:changerequest_list")).status_code == 403


def test_approve_from_the_page(client_as, pending):
    rep, crs = pending
    client = client_as("sales_manager")
    url = reverse("governance:changerequest", args=[crs[1].pk])
    page = client.get(url)
    assert page.status_code == 200 and "Approve" in page.content.decode()
    response = client.post(url, {"decision": "approve", "comment": "ok"})
    assert response.status_code == 302
    assert Department.objects.get(pk=crs[1].object_id).name_zh == "新部门1"
    assert ChangeRequest.objects.get(pk=crs[1].pk).status == "approved"


def test_reject_needs_a_comment(client_as, pending):
    rep, crs = pending
    client = client_as("sales_manager")
    url = reverse("governance:changerequest", args=[crs[2].pk])
    response = client.post(url, {"decision": "reject", "comment": "  "})
    assert response.status_code == 400
    assert "Say why the change is rejected" in response.content.decode()
    assert ChangeRequest.objects.get(pk=crs[2].pk).status == "pending"


def test_stale_approval_shows_the_reason(client_as, pending):
    rep, crs = pending
    Department.objects.filter(pk=crs[3].object_id).update(name_zh="改过")
    client = client_as("sales_manager")
    url = reverse("governance:changerequest", args=[crs[3].pk])
    response = client.post(url, {"decision": "approve"}, follow=True)
    assert "changed after this request" in response.content.decode()
    assert Department.objects.get(pk=crs[3].object_id).name_zh == "改过"


def test_admin_bulk_approve_and_reject(client_as, pending):
    rep, crs = pending
    client = client_as("sales_manager", is_staff=True)
    url = reverse("admin:governance_changerequest_changelist")
    page = client.get(url)
    assert page.status_code == 200 and "新部门5" in page.content.decode()
    Department.objects.filter(pk=crs[6].object_id).update(name_zh="改过")
    response = client.post(url, {"action": "approve_selected", "_selected_action": [crs[5].pk, crs[6].pk]},
                           follow=True)
    html = response.content.decode()
    assert "1 change request approved." in html and "changed after this request" in html
    assert Department.objects.get(pk=crs[5].object_id).name_zh == "新部门5"
    client.post(url, {"action": "reject_selected", "_selected_action": [crs[6].pk, crs[7].pk]})
    assert set(ChangeRequest.objects.filter(pk__in=[crs[6].pk, crs[7].pk]).values_list("status", flat=True)) == {
        "rejected"}
    assert SecurityEvent.objects.filter(kind="change_rejected").count() == 2


def test_admin_actions_hidden_without_approve_permission(client_as, pending):
    client = client_as("it_admin", is_staff=True)
    # IT may not even see change requests
    assert client.get(reverse("admin:governance_changerequest_changelist")).status_code == 403


def test_pending_include_shows_on_the_record(pending, rf):
    rep, crs = pending
    dept = Department.objects.get(pk=crs[4].object_id)
    html = Template('{% include "governance/_pending.html" with object=dept %}').render(
        Context({"dept": dept, "perms": {}}))
    assert 'data-testid="pending-approval"' in html and "新部门4" in html
    other = DepartmentFactory(code="none")
    assert "pending-approval" not in Template('{% include "governance/_pending.html" with object=o %}').render(
        Context({"o": other}))


def test_security_log_page_filters(client_as):
    SecurityEventFactory(kind="login_failed", username="zhang", ip_address="10.9.9.9")
    SecurityEventFactory(kind="login", username="wang")
    client = client_as("it_admin")
    response = client.get(reverse("governance:securityevent_list"), {"kind": "login_failed"})
    html = response.content.decode()
    assert response.status_code == 200 and "zhang" in html and "wang" not in html
    response = client.get(reverse("governance:securityevent_list"), {"q": "10.9."})
    assert "zhang" in response.content.decode()
    assert client_as("sales_rep").get(reverse("governance:securityevent_list")).status_code == 403


def test_history_include_shows_who_changed_what(make_user):
    user = make_user("sales_manager", first_name="丽", last_name="李")
    head = make_user("sales_rep", username="newhead")
    dept = DepartmentFactory(code="hist", name_zh="旧名")
    dept.name_zh, dept.head = "新名", head
    dept._history_user = user
    dept.save()
    dept.save()  # a save that changes nothing is not listed
    html = Template('{% include "governance/_history.html" with object=d %}').render(Context({"d": dept}))
    assert 'data-testid="history"' in html
    assert "旧名" in html and "新名" in html and (head.get_full_name() or head.username) in html and "李" in html
    assert html.count("list-group-item") == 2  # created + changed


def test_own_request_is_refused_on_the_page_and_in_the_admin(client_as, pending):
    from django.contrib.auth.models import Group

    from hardware_erp.core.models import Notification

    rep, crs = pending
    rep.groups.add(Group.objects.get(name="Sales Manager"))  # promoted: an approver now, still not of their own
    rep.is_staff = True
    rep.save()
    client = client_as(user=type(rep).objects.get(pk=rep.pk))
    page = client.get(reverse("governance:changerequest", args=[crs[8].pk]))
    assert page.status_code == 200 and 'value="approve"' not in page.content.decode()  # no buttons offered
    response = client.post(reverse("governance:changerequest", args=[crs[8].pk]), {"decision": "approve"},
                           follow=True)
    assert "You cannot approve or reject your own change request" in response.content.decode()
    response = client.post(reverse("admin:governance_changerequest_changelist"),
                           {"action": "approve_selected", "_selected_action": [crs[9].pk]}, follow=True)
    assert "You cannot approve or reject your own change request" in response.content.decode()
    assert set(ChangeRequest.objects.filter(pk__in=[crs[8].pk, crs[9].pk]).values_list("status", flat=True)) == {
        "pending"}
    assert list(Department.objects.filter(pk__in=[crs[8].object_id, crs[9].object_id])
                .values_list("name_zh", flat=True)) == ["部门8", "部门9"]
    assert not SecurityEvent.objects.filter(kind="change_approved").exists()
    assert not Notification.objects.filter(recipient=rep, level="success").exists()


def test_stale_bulk_approval_in_the_admin_applies_nothing(client_as, pending):
    rep, crs = pending
    Department.objects.filter(pk=crs[10].object_id).update(name_zh="经理直接改过")
    client = client_as("sales_manager", is_staff=True)
    response = client.post(reverse("admin:governance_changerequest_changelist"),
                           {"action": "approve_selected", "_selected_action": [crs[10].pk]}, follow=True)
    html = response.content.decode()
    assert "changed after this request" in html and "approved." not in html
    assert Department.objects.get(pk=crs[10].object_id).name_zh == "经理直接改过"
    cr = ChangeRequest.objects.get(pk=crs[10].pk)
    assert cr.status == "pending" and cr.reviewer is None and cr.reviewed_at is None
