import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from crm import services
from crm.models import Contact, ContactRecord, Customer, CustomerEvent, DeliveryAddress, FollowUpTask, Opportunity
from crm.signals import customers_merged
from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.fields import PREFIX
from tests.factories.crm import ContactFactory, CustomerFactory, OpportunityFactory, TaskFactory, credit_code

pytestmark = pytest.mark.django_db


def test_create_customer_writes_customer_contact_and_event(make_user):
    rep = make_user("sales_rep")
    c = services.create_customer(
        data={"name": "张三五金店", "city": "杭州市", "province": "浙江省", "credit_code": credit_code(1),
              "bank_account": "6222 0212 3456 7890", "credit_limit": Decimal("50000")},
        contacts=[{"name": "张三", "mobile": "138 1234 5678"}], actor=rep)
    c.refresh_from_db()
    assert c.owner == rep and c.name_initials == "zswjd" and c.name_pinyin == "zhangsanwujindian"
    contact = Contact.objects.get(customer=c)
    assert contact.mobile == "+8613812345678" and contact.is_primary and contact.mobile_bidx
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT mobile FROM crm_contact WHERE id = %s", [contact.pk])
        raw = cur.fetchone()[0]
        cur.execute("SELECT bank_account FROM crm_customer WHERE id = %s", [c.pk])
        raw_bank = cur.fetchone()[0]
    assert raw.startswith(PREFIX) and "13812345678" not in raw
    assert raw_bank.startswith(PREFIX) and "7890" not in raw_bank
    assert CustomerEvent.objects.filter(customer=c, kind="created", actor=rep).count() == 1


def test_bad_input_saves_nothing(make_user):
    rep = make_user("sales_rep")
    with pytest.raises(BusinessRuleError) as exc:
        services.create_customer(data={"name": "坏数据", "credit_code": "91350100M000100Y44"},
                                 contacts=[{"name": "李四", "mobile": "123"}], actor=rep)
    assert "credit_code" in exc.value.message_dict
    with pytest.raises(BusinessRuleError) as exc:
        services.create_customer(data={"name": "坏数据"}, contacts=[{"name": "李四", "mobile": "123"}], actor=rep)
    assert "mobile" in exc.value.message_dict
    with pytest.raises(BusinessRuleError):
        services.create_customer(data={"name": ""}, actor=rep)
    assert not Customer.objects.exists() and not Contact.objects.exists() and not CustomerEvent.objects.exists()


def test_duplicate_detection_on_create(make_user):
    rep = make_user("sales_rep")
    other = make_user("sales_rep")
    first = services.create_customer(data={"name": "宏达建材有限公司", "city": "杭州市", "credit_code": credit_code(7),
                                           "phone": "0571-88886666"},
                                     contacts=[{"name": "王五", "mobile": "13900001111"}], actor=other)
    cases = [
        {"data": {"name": "别的名字", "credit_code": credit_code(7).lower()}},  # same credit code
        {"data": {"name": "另一家"}, "contacts": [{"name": "王", "mobile": "+86 139 0000 1111"}]},  # same mobile
        {"data": {"name": "新公司", "phone": "057188886666"}},  # same phone
        {"data": {"name": "宏达建材", "city": "杭州市"}},  # very similar name, same city
        {"data": {"name": "宏达建材有限责任公司", "city": "杭州市"}},
    ]
    for case in cases:
        with pytest.raises(services.DuplicateCustomerError) as exc:
            services.create_customer(actor=rep, **case)
        assert [d["customer"] for d in exc.value.duplicates] == [first], case
    # same name in another city is not a duplicate; a different name in the same city neither
    services.create_customer(data={"name": "宏达建材", "city": "宁波市"}, actor=rep)
    services.create_customer(data={"name": "鑫源五金", "city": "杭州市"}, actor=rep)
    # confirmed: saved despite the warning
    services.create_customer(data={"name": "宏达建材", "city": "杭州市"}, actor=rep, confirm_duplicates=True)
    assert Customer.objects.filter(name="宏达建材").count() == 2


def test_update_customer_validates_and_routes_key_fields_through_approval(make_user):
    rep = make_user("sales_rep")
    c = CustomerFactory(owner=rep)
    with pytest.raises(BusinessRuleError):
        services.update_customer(c, {"credit_code": "123"}, actor=rep)
    c.refresh_from_db()
    assert c.credit_code == ""
    # the level is applied at once; the name is key data and waits for a manager
    c, pending = services.update_customer(c, {"name": "张三五金", "level": "a"}, actor=rep, reason="改名")
    c.refresh_from_db()
    assert c.level == "a"
    assert pending is not None and "name" in pending.field_names and c.name != "张三五金"
    ev = CustomerEvent.objects.get(customer=c, kind="updated")
    assert ev.data["fields"] == ["level", "name"] and ev.data["pending"] == pending.pk
    # a manager's own change is applied, and the pinyin keys follow the new name
    mgr = make_user("sales_manager")
    c, pending = services.update_customer(c, {"name": "张三五金"}, actor=mgr)
    c.refresh_from_db()
    assert pending is None and c.name_initials == "zswj"


def test_reassign_moves_open_work_and_is_recorded(make_user):
    old, new, mgr = make_user("sales_rep"), make_user("sales_rep"), make_user("sales_manager")
    c = CustomerFactory(owner=old)
    opp = OpportunityFactory(customer=c, owner=old)
    won = OpportunityFactory(customer=c, owner=old, stage="won")
    task = TaskFactory(customer=c, assignee=old)
    services.reassign_customer(c, to_user=new, actor=mgr, note="离职交接")
    c.refresh_from_db()
    opp.refresh_from_db()
    won.refresh_from_db()
    task.refresh_from_db()
    assert c.owner == new and opp.owner == new and won.owner == old and task.assignee == new
    ev = CustomerEvent.objects.get(customer=c, kind="reassigned")
    assert (ev.from_user, ev.to_user, ev.actor, ev.note) == (old, new, mgr, "离职交接")
    assert new.notifications.count() == 1


def test_share_records_each_change(make_user):
    owner, a, b = make_user("sales_rep"), make_user("sales_rep"), make_user("sales_rep")
    c = CustomerFactory(owner=owner)
    services.share_customer(c, users=[a, b], actor=owner)
    services.share_customer(c, users=[b], actor=owner)
    assert set(c.shared_with.all()) == {b}
    kinds = list(CustomerEvent.objects.filter(customer=c).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["shared", "shared", "unshared"]
    assert c in Customer.objects.for_user(b) and c not in Customer.objects.for_user(a)


def test_log_contact_updates_customer_and_creates_task(make_user):
    rep = make_user("sales_rep")
    c = CustomerFactory(owner=rep)
    opp = OpportunityFactory(customer=c, last_activity_at=timezone.now() - datetime.timedelta(days=20))
    due = timezone.now() + datetime.timedelta(days=1)
    r = services.log_contact(customer=c, channel="call", summary="问了膨胀螺丝价格", opportunity=opp,
                             next_step="发报价单", next_due_at=due, actor=rep)
    c.refresh_from_db()
    opp.refresh_from_db()
    assert c.last_contact_at == r.occurred_at
    assert opp.last_activity_at > timezone.now() - datetime.timedelta(minutes=1)
    task = FollowUpTask.objects.get(customer=c)
    assert (task.title, task.due_at, task.assignee) == ("发报价单", due, rep)
    with pytest.raises(BusinessRuleError):
        services.log_contact(customer=c, channel="call", summary="  ", actor=rep)
    with pytest.raises(BusinessRuleError):
        services.log_contact(customer=c, channel="call", summary="x", contact=ContactFactory(), actor=rep)
    assert ContactRecord.objects.count() == 1


def test_move_opportunity_transitions(make_user):
    rep = make_user("sales_rep")
    opp = OpportunityFactory(owner=rep)
    opp = services.move_opportunity(opp, stage="quoted", actor=rep)
    assert opp.stage == "quoted" and opp.probability == 50 and opp.closed_at is None
    with pytest.raises(BusinessRuleError):
        services.move_opportunity(opp, stage="lost", actor=rep)
    opp = services.move_opportunity(opp, stage="lost", lost_reason="价格太高", actor=rep)
    assert opp.closed_at and opp.probability == 0 and opp.lost_reason == "价格太高"
    opp = services.move_opportunity(opp, stage="negotiating", actor=rep)
    assert opp.closed_at is None and opp.lost_reason == ""
    opp = services.move_opportunity(opp, stage="won", actor=rep)
    with pytest.raises(BusinessRuleError):
        services.move_opportunity(opp, stage="lead", actor=rep)
    assert list(opp.history.values_list("stage", flat=True).order_by("history_id")) == [
        "lead", "quoted", "lost", "negotiating", "won"]


def test_tasks_complete_and_cancel(make_user):
    rep = make_user("sales_rep")
    t = TaskFactory(assignee=rep, customer=CustomerFactory(owner=rep))
    with pytest.raises(BusinessRuleError):
        services.complete_task(t, outcome="", actor=rep)
    t = services.complete_task(t, outcome="已下单", actor=rep)
    assert t.status == "done" and t.done_at and t.done_on_time
    with pytest.raises(BusinessRuleError):
        services.cancel_task(t, actor=rep)


def test_merge_moves_everything_records_and_signals(make_user):
    mgr, rep_a, rep_b = make_user("sales_manager"), make_user("sales_rep"), make_user("sales_rep")
    survivor = CustomerFactory(owner=rep_a, name="宏达建材有限公司", credit_code="")
    merged = CustomerFactory(owner=rep_b, name="宏达建材", credit_code=credit_code(3), tags="工地, 老客户")
    ContactFactory(customer=merged, is_primary=True)
    services.log_contact(customer=merged, channel="visit", summary="拜访", actor=rep_b)
    OpportunityFactory(customer=merged)
    TaskFactory(customer=merged)
    DeliveryAddress.objects.create(customer=merged, address="工地二号门", is_default=True)
    received = []
    customers_merged.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="test-merge")
    try:
        services.merge_customers(survivor=survivor, merged=merged, actor=mgr)
    finally:
        customers_merged.disconnect(dispatch_uid="test-merge")
    survivor.refresh_from_db()
    merged.refresh_from_db()
    for model in (Contact, ContactRecord, Opportunity, FollowUpTask, DeliveryAddress):
        assert model.objects.filter(customer=merged).count() == 0
        assert model.objects.filter(customer=survivor).count() == 1
    assert merged.merged_into == survivor and survivor.credit_code == credit_code(3)
    assert survivor.tag_list == ["工地", "老客户"] and rep_b in survivor.shared_with.all()
    assert survivor.last_contact_at is not None
    ev = CustomerEvent.objects.get(customer=survivor, kind="merged")
    assert ev.actor == mgr and ev.other_customer == merged and ev.data["moved"]["contacts"] == 1
    assert CustomerEvent.objects.filter(customer=merged, kind="merged").count() == 1
    assert len(received) == 1 and received[0]["survivor"] == survivor and received[0]["merged"] == merged
    assert merged not in Customer.objects.for_user(mgr)
    with pytest.raises(BusinessRuleError):
        services.merge_customers(survivor=survivor, merged=merged, actor=mgr)
