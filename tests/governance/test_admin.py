"""The Django admin is not a second, ungoverned way to write: business models are read-only there for everyone but
a superuser, whose changes (like every admin change) are in the security log; managers still decide change
requests there through the same service; the user form with the employee section saves."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from governance.models import AgreementVersion, ChangeRequest, SecurityEvent
from hardware_erp.core.models import Employee

pytestmark = pytest.mark.django_db

BUSINESS_APPS = {"crm", "inventory", "orders", "governance", "training", "support", "performance"}
# configured in the admin on purpose (no page of their own, no service): the reason is the documentation
CONFIGURED_IN_ADMIN = {
    "governance.agreementversion": "drafts are written here; publishing goes through accounts.publish_agreement",
    "support.slapolicy": "IT sets response and resolution hours here",
    "support.assignmentrule": "IT sets who gets each ticket category here",
    "support.checklist": "IT sets the inspection checklists here",
}


@pytest.fixture
def staff_manager(make_user):
    """A salesmgr-like staff user who, to be sure, also holds every permission of every business app."""
    user = make_user("sales_manager", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=BUSINESS_APPS))
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


def test_no_business_model_is_editable_in_the_admin_by_a_non_superuser(staff_manager):
    request = RequestFactory().get("/admin/")
    request.user = staff_manager
    editable = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        if model._meta.app_label not in BUSINESS_APPS or label in CONFIGURED_IN_ADMIN:
            continue
        for what, allowed in (("add", model_admin.has_add_permission(request)),
                              ("change", model_admin.has_change_permission(request)),
                              ("delete", model_admin.has_delete_permission(request))):
            if allowed:
                editable.append(f"{label} {what}")
    assert editable == []


def test_salesmgr_cannot_change_an_order_in_the_admin(client, staff_manager, make_user):
    from tests.factories.orders import make_world

    world = make_world(make_user)
    order = world.order()
    client.force_login(staff_manager, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("admin:orders_salesorder_change", args=[order.pk])
    assert client.get(url).status_code == 200  # may look
    r = client.post(url, {"net_total": "1.00", "approved_by": staff_manager.pk})
    assert r.status_code == 403
    order.refresh_from_db()
    assert order.net_total != Decimal("1.00")


def test_superuser_admin_changes_are_in_the_security_log(admin_client):
    r = admin_client.post(reverse("admin:governance_agreementversion_add"), {
        "version": "2027-1", "title_zh": "保密协议", "title_en": "Confidentiality", "body_zh": "正文",
        "body_en": "Text"})
    assert r.status_code == 302, r.content
    version = AgreementVersion.objects.get(version="2027-1")
    event = SecurityEvent.objects.get(kind="admin_change")
    assert event.detail["action"] == "add" and event.detail["model"] == "governance.agreementversion"
    assert event.detail["object_id"] == str(version.pk) and event.user.is_superuser
    # a change keeps the names of the fields it touched, not the admin's sentence in the editor's language
    r = admin_client.post(reverse("admin:governance_agreementversion_change", args=[version.pk]), {
        "version": "2027-1", "title_zh": "保密协议（修订）", "title_en": "Confidentiality", "body_zh": "正文",
        "body_en": "Text"})
    assert r.status_code == 302, r.content
    change = SecurityEvent.objects.filter(kind="admin_change", detail__action="change").get()
    assert change.detail["change"] == ["Title (Chinese)"]  # the field label as Django keeps it: untranslated
    with translation.override("zh-hans"):
        assert "保密协议（修订）" in change.summary and "administration" not in change.summary


def test_managers_bulk_approve_change_requests_in_the_admin(client, make_user):
    from crm import services as crm_services

    rep = make_user("sales_rep")
    manager = make_user("sales_manager", is_staff=True)
    customer = crm_services.create_customer(data={"name": "批量审批五金", "credit_limit": Decimal("8000")}, actor=rep)
    cr = customer.pending_change
    client.force_login(manager, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("admin:governance_changerequest_changelist")).content.decode()
    assert "¥8,000.00" in page  # the readable diff
    r = client.post(reverse("admin:governance_changerequest_changelist"),
                    {"action": "approve_selected", "_selected_action": [cr.pk]})
    assert r.status_code == 302
    cr.refresh_from_db()
    customer.refresh_from_db()
    assert cr.status == ChangeRequest.Status.APPROVED and cr.reviewer == manager
    assert customer.credit_limit == Decimal("8000")


def test_admin_user_form_with_employee_section_saves(admin_client):
    from tests.factories import DepartmentFactory

    dept = DepartmentFactory(code="it9", name_zh="信息部九")
    data = {"username": "newhire", "password1": "Xq7!long-enough-pass", "password2": "Xq7!long-enough-pass",
            "usable_password": "true",
            "employee-TOTAL_FORMS": "1", "employee-INITIAL_FORMS": "0", "employee-MIN_NUM_FORMS": "0",
            "employee-MAX_NUM_FORMS": "1", "employee-0-department": dept.pk, "employee-0-job_title": "网管",
            "employee-0-work_phone": "0571-88886666", "employee-0-language": "zh-hans"}
    r = admin_client.post(reverse("admin:auth_user_add"), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    employee = Employee.objects.get(user__username="newhire")
    assert employee.department == dept and employee.job_title == "网管"
    assert Employee.objects.filter(user__username="newhire").count() == 1


def test_role_grants_and_removals_are_in_the_security_log(make_user):
    from django.contrib.auth.models import Group

    user = make_user(None, username="target1")
    group = Group.objects.get(name="Sales Rep")
    user.groups.add(group)
    user.groups.remove(group)
    group.user_set.add(user)
    user.groups.clear()
    kinds = list(SecurityEvent.objects.filter(detail__target="target1").order_by("pk").values_list("kind", flat=True))
    assert kinds == ["role_granted", "role_revoked", "role_granted", "role_revoked"]
    event = SecurityEvent.objects.filter(kind="role_granted").first()
    assert event.detail["role"] == "Sales Rep" and "Sales Rep" in event.summary
