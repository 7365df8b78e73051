import pytest
from django.contrib.auth.models import Group
from django.db import connection

from governance import services
from governance.models import ChangeRequest, SecurityEvent
from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.models import Department, Notification
from tests.factories.governance import DepartmentFactory, governed

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(monkeypatch, make_user):
    governed(monkeypatch)
    rep = make_user("sales_rep", username="rep_a")
    manager = make_user("sales_manager", username="mgr_a")
    rep.employee.manager = manager
    rep.employee.save()
    dept = DepartmentFactory(code="east", name_zh="华东销售部", name_en="East")
    return rep, manager, dept


def test_non_key_fields_apply_at_once(setup):
    rep, manager, dept = setup
    assert services.submit_change(dept, {"name_en": "East China"}, actor=rep) is None
    dept.refresh_from_db()
    assert dept.name_en == "East China"
    assert not ChangeRequest.objects.exists()
    assert dept.history.latest().history_user == rep


def test_key_field_is_queued_and_record_keeps_old_value(setup):
    rep, manager, dept = setup
    dept.name_zh = "已被表单改动"  # a ModelForm changes the instance in memory before the service is called
    cr = services.submit_change(dept, {"name_zh": "华东大区", "name_en": "East region"}, actor=rep, reason="renamed")
    assert cr is not None and cr.status == ChangeRequest.Status.PENDING
    assert cr.changes == {"name_zh": {"old": "华东销售部", "new": "华东大区"}}
    assert cr.requester == rep and cr.reason == "renamed" and cr.field_names == "name_zh"
    stored = Department.objects.get(pk=dept.pk)
    assert stored.name_zh == "华东销售部" and stored.name_en == "East region"
    assert dept.name_zh == "华东销售部"  # the caller's instance shows what is stored
    n = Notification.objects.get(recipient=manager)
    assert cr.object_repr in n.message and n.link == f"/governance/changes/{cr.pk}/"
    assert SecurityEvent.objects.filter(kind="change_requested", user=rep).count() == 1


def test_unchanged_values_queue_nothing(setup):
    rep, manager, dept = setup
    assert services.submit_change(dept, {"name_zh": "华东销售部", "head": None}, actor=rep) is None
    assert not ChangeRequest.objects.exists()


def test_approver_changes_key_fields_directly(setup):
    rep, manager, dept = setup
    assert services.submit_change(dept, {"name_zh": "华东", "head": rep}, actor=manager) is None
    dept.refresh_from_db()
    assert dept.name_zh == "华东" and dept.head == rep


def test_approve_applies_atomically_and_notifies(setup):
    rep, manager, dept = setup
    cr = services.submit_change(dept, {"name_zh": "华东大区", "head": manager}, actor=rep)
    services.approve_change(cr, actor=manager, comment="ok")
    dept.refresh_from_db()
    assert dept.name_zh == "华东大区" and dept.head == manager
    cr.refresh_from_db()
    assert cr.status == "approved" and cr.reviewer == manager and cr.comment == "ok" and cr.reviewed_at
    last = dept.history.latest()
    assert last.history_user == manager and last.history_change_reason == f"change request #{cr.pk}"
    assert Notification.objects.filter(recipient=rep, level="success").count() == 1
    assert SecurityEvent.objects.filter(kind="change_approved", user=manager).count() == 1
    with pytest.raises(BusinessRuleError, match="already approved"):
        services.approve_change(cr, actor=manager)


def test_stale_request_is_refused_and_nothing_changes(setup):
    rep, manager, dept = setup
    cr = services.submit_change(dept, {"name_zh": "华东大区"}, actor=rep)
    Department.objects.filter(pk=dept.pk).update(name_zh="别人改了")
    with pytest.raises(BusinessRuleError, match="changed after this request"):
        services.approve_change(cr, actor=manager)
    dept.refresh_from_db()
    cr.refresh_from_db()
    assert dept.name_zh == "别人改了" and cr.status == "pending" and cr.reviewer is None
    assert not Notification.objects.filter(recipient=rep).exists()
    services.reject_change(cr, actor=manager, comment="stale")
    cr.refresh_from_db()
    assert cr.status == "rejected"


def test_own_request_cannot_be_approved_or_rejected(setup):
    rep, manager, dept = setup
    cr = services.submit_change(dept, {"name_zh": "华东大区"}, actor=rep)
    rep.groups.add(Group.objects.get(name="Sales Manager"))  # promoted, still not their own approver
    rep = type(rep).objects.get(pk=rep.pk)
    for decide in (services.approve_change, services.reject_change):
        with pytest.raises(BusinessRuleError, match="own change request"):
            decide(cr, actor=rep)
    cr.refresh_from_db()
    assert cr.status == "pending"


def test_without_permission_refused(setup, make_user):
    rep, manager, dept = setup
    cr = services.submit_change(dept, {"name_zh": "华东大区"}, actor=rep)
    with pytest.raises(BusinessRuleError, match="may not approve"):
        services.approve_change(cr, actor=make_user("warehouse_clerk"))


def test_reject_keeps_record_and_tells_requester(setup):
    rep, manager, dept = setup
    cr = services.submit_change(dept, {"name_zh": "华东大区"}, actor=rep)
    services.reject_change(cr, actor=manager, comment="营业执照不符")
    dept.refresh_from_db()
    assert dept.name_zh == "华东销售部"
    n = Notification.objects.get(recipient=rep)
    assert "营业执照不符" in n.message


def test_deleted_record_refused(setup):
    rep, manager, dept = setup
    cr = services.submit_change(dept, {"name_zh": "华东大区"}, actor=rep)
    Department.objects.filter(pk=dept.pk).delete()
    with pytest.raises(BusinessRuleError, match="no longer exists"):
        services.approve_change(cr, actor=manager)


def test_invalid_key_value_refused_before_queueing(setup):
    rep, manager, dept = setup
    with pytest.raises(BusinessRuleError):
        services.submit_change(dept, {"name_zh": "长" * 300, "name_en": "x"}, actor=rep)
    assert not ChangeRequest.objects.exists()
    assert Department.objects.get(pk=dept.pk).name_en == "East"  # nothing half-applied


def test_unknown_field_is_a_programming_error(setup):
    rep, manager, dept = setup
    from django.core.exceptions import FieldDoesNotExist

    with pytest.raises(FieldDoesNotExist):
        services.submit_change(dept, {"nope": 1}, actor=rep)


def test_missing_models_and_fields_are_tolerated(monkeypatch):
    from governance import keydata

    monkeypatch.setitem(keydata.KEY_FIELDS, "nosuchapp.thing", ("x",))
    monkeypatch.setitem(keydata.KEY_FIELDS, "core.department", ("name_zh", "no_such_field"))
    assert keydata.key_fields_for(Department) == ["name_zh"]
    assert Department in keydata.governed_models()


def test_changes_are_stored_encrypted(setup):
    rep, manager, dept = setup
    cr = services.submit_change(dept, {"name_zh": "六二二二银行账号"}, actor=rep)
    with connection.cursor() as cursor:
        cursor.execute("SELECT changes_data FROM governance_changerequest WHERE id = %s", [cr.pk])
        raw = cursor.fetchone()[0]
    assert "六二二二" not in raw and raw.startswith("enc1:")


def test_decide_many_reports_each_failure(setup):
    rep, manager, dept = setup
    other = DepartmentFactory(code="west", name_zh="华西")
    ok = services.submit_change(dept, {"name_zh": "华东大区"}, actor=rep)
    stale = services.submit_change(other, {"name_zh": "西部"}, actor=rep)
    Department.objects.filter(pk=other.pk).update(name_zh="变了")
    done, failed = services.decide_many([ok, stale], actor=manager, approve=True)
    assert [c.pk for c in done] == [ok.pk] and [c.pk for c, _m in failed] == [stale.pk]


def test_ensure_not_creator(make_user):
    a, b = make_user("sales_rep"), make_user("sales_manager")

    class Doc:
        created_by_id = a.pk

    with pytest.raises(BusinessRuleError, match="segregation of duties"):
        services.ensure_not_creator(Doc(), a)
    services.ensure_not_creator(Doc(), b)
    with pytest.raises(BusinessRuleError):
        services.ensure_not_creator(a, a)
    services.ensure_not_creator(Doc(), None)  # an automatic rule has no human actor
