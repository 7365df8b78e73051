import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import ContactRecord, Customer, DeliveryAddress, FollowUpTask, Opportunity
from tests.factories.crm import ContactFactory, CustomerFactory, OpportunityFactory, RecordFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    owner = make_user("sales_rep", username="owner_rep")
    c = CustomerFactory(owner=owner, name="张三五金")
    contact = ContactFactory(customer=c, mobile="+8613812345678")
    address = DeliveryAddress.objects.create(customer=c, address="文三路 1 号")
    opp = OpportunityFactory(customer=c, owner=owner)
    task = TaskFactory(customer=c, assignee=owner)
    RecordFactory(customer=c, created_by=owner)
    return {"owner": owner, "customer": c, "contact": contact, "address": address, "opp": opp, "task": task}


def object_urls(w):
    c = w["customer"].pk
    return [
        ("get", reverse("crm:customer", args=[c])),
        ("get", reverse("crm:customer_edit", args=[c])),
        ("post", reverse("crm:customer_edit", args=[c])),
        ("get", reverse("crm:customer_share", args=[c])),
        ("post", reverse("crm:customer_share", args=[c])),
        ("get", reverse("crm:customer_reassign", args=[c])),
        ("get", reverse("crm:customer_merge", args=[c])),
        ("get", reverse("crm:contact_create", args=[c])),
        ("post", reverse("crm:contact_create", args=[c])),
        ("get", reverse("crm:contact_edit", args=[w["contact"].pk])),
        ("post", reverse("crm:contact_edit", args=[w["contact"].pk])),
        ("get", reverse("crm:address_create", args=[c])),
        ("get", reverse("crm:address_edit", args=[w["address"].pk])),
        ("post", reverse("crm:record_create", args=[c])),
        ("get", reverse("crm:opportunity", args=[w["opp"].pk])),
        ("get", reverse("crm:opportunity_edit", args=[w["opp"].pk])),
        ("post", reverse("crm:opportunity_move", args=[w["opp"].pk])),
        ("get", reverse("crm:task_close", args=[w["task"].pk])),
        ("post", reverse("crm:task_close", args=[w["task"].pk])),
    ]


def test_another_rep_gets_no_customer_data_by_url(client_as, world):
    client = client_as("sales_rep")
    for method, url in object_urls(world):
        response = getattr(client, method)(url, {"stage": "won", "outcome": "x", "summary": "x", "name": "x"})
        assert response.status_code in (403, 404), (method, url, response.status_code)
        assert "张三五金".encode() not in response.content, url
    # and the lists, search and lookup do not show it
    for name in ("crm:customer_list", "crm:opportunity_list", "crm:task_list", "crm:record_list",
                 "crm:opportunity_board"):
        response = client.get(reverse(name))
        assert response.status_code == 200 and "张三五金".encode() not in response.content, name
    assert client.get(reverse("crm:customer_lookup"), {"q": "zswj"}).json() == {"results": []}
    # nothing changed
    world["opp"].refresh_from_db()
    world["task"].refresh_from_db()
    assert world["opp"].stage == "lead" and world["task"].status == "open"
    assert ContactRecord.objects.count() == 1 and world["customer"].shared_with.count() == 0


def test_owner_and_shared_rep_see_it(client, client_as, world, make_user):
    owner = client_as(user=world["owner"])
    assert owner.get(reverse("crm:customer", args=[world["customer"].pk])).status_code == 200
    shared = make_user("sales_rep")
    world["customer"].shared_with.add(shared)
    client.force_login(shared)
    r = client.get(reverse("crm:customer", args=[world["customer"].pk]))
    assert r.status_code == 200 and "138****5678" not in r.content.decode()


def test_finance_sees_masked_mobile_and_cannot_edit(client_as, world):
    client = client_as("finance_clerk")
    r = client.get(reverse("crm:customer", args=[world["customer"].pk]))
    html = r.content.decode()
    assert r.status_code == 200 and "138****5678" in html and "13812345678" not in html
    assert client.get(reverse("crm:customer_edit", args=[world["customer"].pk])).status_code == 403
    assert client.post(reverse("crm:record_create", args=[world["customer"].pk]), {"summary": "x"}).status_code == 403


def test_customer_create_with_duplicate_confirm(client_as, make_user):
    other = make_user("sales_rep")
    CustomerFactory(owner=other, name="宏达建材有限公司", city="杭州市")
    client = client_as("sales_rep")
    data = {"kind": "company", "name": "宏达建材", "customer_type": "contractor", "level": "b", "source": "referral",
            "province": "浙江省", "city": "杭州市", "credit_limit": "0", "payment_terms_days": "30",
            "contact_name": "赵六", "contact_mobile": "13700001234"}
    r = client.post(reverse("crm:customer_create"), data)
    assert r.status_code == 200 and 'data-testid="duplicate-warning"' in r.content.decode()
    assert Customer.objects.count() == 1
    r = client.post(reverse("crm:customer_create"), {**data, "confirm": "1", "confirm_duplicates": "on"})
    assert r.status_code == 302
    c = Customer.objects.get(name="宏达建材")
    assert c.owner == client.user and c.contacts.get().mobile == "+8613700001234"


def test_customer_create_bad_input_shows_every_error(client_as):
    client = client_as("sales_rep")
    r = client.post(reverse("crm:customer_create"), {
        "kind": "company", "name": "", "customer_type": "retailer", "level": "b", "source": "walk_in",
        "credit_limit": "0", "payment_terms_days": "0", "credit_code": "91350100M000100Y44",
        "contact_name": "x", "contact_mobile": "12345"}, HTTP_ACCEPT_LANGUAGE="en")
    form = r.context["form"]
    assert {"name", "credit_code", "contact_mobile"} <= set(form.errors)
    assert Customer.objects.count() == 0


def test_quick_entry_by_htmx(client_as, world):
    client = client_as(user=world["owner"])
    url = reverse("crm:record_create", args=[world["customer"].pk])
    due = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(url, {"channel": "visit", "summary": "上门看样品", "next_step": "送样", "next_due_at": due},
                    HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and "上门看样品" in html and 'data-testid="record-saved"' in html
    assert "<html" not in html
    assert ContactRecord.objects.filter(customer=world["customer"], channel="visit").count() == 1
    assert FollowUpTask.objects.filter(customer=world["customer"], title="送样").count() == 1
    r = client.post(url, {"channel": "visit", "summary": ""}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "is-invalid" in r.content.decode()
    assert ContactRecord.objects.count() == 2


def test_kanban_move_by_htmx(client_as, world):
    client = client_as(user=world["owner"])
    url = reverse("crm:opportunity_move", args=[world["opp"].pk])
    r = client.post(url, {"stage": "quoted"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'data-stage="quoted"' in r.content.decode()
    r = client.post(url, {"stage": "lost"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422
    assert Opportunity.objects.get(pk=world["opp"].pk).stage == "quoted"


def test_pages_render_for_each_role(client_as, world):
    for role in ("sales_rep", "sales_manager", "finance_clerk", "general_manager"):
        client = client_as(role)
        for name in ("crm:index", "crm:customer_list", "crm:opportunity_list", "crm:opportunity_board",
                     "crm:task_list", "crm:record_list"):
            assert client.get(reverse(name)).status_code == 200, (role, name)
    client = client_as("sales_manager")
    for name, args in (("crm:customer", [world["customer"].pk]), ("crm:customer_merge", [world["customer"].pk]),
                       ("crm:opportunity", [world["opp"].pk]), ("crm:customer_reassign", [world["customer"].pk])):
        assert client.get(reverse(name, args=args)).status_code == 200, name
    assert client_as("warehouse_clerk").get(reverse("crm:customer_list")).status_code == 403


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_customer_list_search_and_query_count(client_as, django_assert_max_num_queries):
    client = client_as("sales_manager")
    owner = client.user
    CustomerFactory(owner=owner, name="张三五金")
    OpportunityFactory(customer=CustomerFactory(owner=owner))
    urls = [reverse(n) for n in ("crm:customer_list", "crm:opportunity_board", "crm:opportunity_list",
                                 "crm:task_list", "crm:record_list")]
    few = {url: count_queries(client, url) for url in urls}
    for i in range(40):
        c = CustomerFactory(owner=owner, name=f"客户{i}号五金")
        ContactFactory(customer=c)
        OpportunityFactory(customer=c, stage=["lead", "quoted", "won"][i % 3])
        TaskFactory(customer=c)
        RecordFactory(customer=c)
    for url in urls:  # more rows than a page, and not more queries than with two (no query per row)
        with django_assert_max_num_queries(few[url] + 5):  # + session save, slow-request log
            assert client.get(url).status_code == 200
        assert few[url] <= 30, (url, few[url])
    r = client.get(reverse("crm:customer_list"), {"q": "zswj"})
    assert list(r.context["table"].data) == [Customer.objects.get(name="张三五金")]
    r = client.get(reverse("crm:customer_list"), {"q": "没有这个"})
    assert 'data-testid="empty-state"' in r.content.decode()
    # managers may export the customer list; reps may not
    r = client.get(reverse("crm:customer_list"), {"_export": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    rep = client_as("sales_rep")
    assert rep.get(reverse("crm:customer_list"), {"_export": "xlsx"}).status_code == 302


def test_merge_view(client_as, world):
    client = client_as("sales_manager")
    dup = CustomerFactory(owner=world["owner"], name="张三五金店")
    r = client.post(reverse("crm:customer_merge", args=[world["customer"].pk]), {"other": dup.pk})
    assert r.status_code == 302
    dup.refresh_from_db()
    assert dup.merged_into == world["customer"]


def test_reports_page_and_excel_exports(client_as, world, django_assert_max_num_queries):
    from io import BytesIO

    from openpyxl import load_workbook

    from crm import services

    services.move_opportunity(world["opp"], stage="won", actor=world["owner"])
    for _i in range(30):
        OpportunityFactory(customer=CustomerFactory(owner=world["owner"], source="referral"), stage="lost")
    client = client_as("sales_manager")
    # 5 reports of 1-4 grouped queries each, the page's own, and an indexed EXISTS for each of the three revenue
    # figures read from a monthly rollup (whether the period cuts a month with sales): a bound, not growing with data
    with django_assert_max_num_queries(27):
        r = client.get(reverse("crm:reports"))
    assert r.status_code == 200
    reps = r.context["chart_data"]["reps"]
    row = next(x for x in reps if x["user_id"] == world["owner"].pk)
    assert row["won"] == 1 and row["new_customers"] == 31
    r = client.get(reverse("crm:report_export", args=["reps"]))
    ws = load_workbook(BytesIO(r.content)).active
    assert ws.cell(row=1, column=1).value == "sales rep"  # the kernel's export: headers on the first row
    won = [c.value for c in ws[1]].index("won") + 1
    assert any(ws.cell(row=i, column=won).value == 1 for i in range(2, ws.max_row + 1))
    for key in ("sources", "customers", "stages", "months", "regions"):
        assert client.get(reverse("crm:report_export", args=[key])).status_code == 200
    assert client.get(reverse("crm:report_export", args=["nope"])).status_code == 404
    assert client_as("sales_rep").get(reverse("crm:reports")).status_code == 403


def test_forms_create_through_services(client_as, world):
    client = client_as(user=world["owner"])
    c = world["customer"]
    r = client.get(reverse("crm:task_create"), {"customer": c.pk})
    assert r.status_code == 200 and world["opp"].title in r.content.decode()
    due = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(reverse("crm:task_create"), {"customer": c.pk, "opportunity": world["opp"].pk, "title": "送样",
                                                  "due_at": due, "assignee": world["owner"].pk})
    assert r.status_code == 302 and FollowUpTask.objects.filter(title="送样", opportunity=world["opp"]).exists()
    r = client.post(reverse("crm:opportunity_create"), {"customer": c.pk, "title": "新商机", "stage": "lost",
                                                         "amount": "100", "probability": "10"})
    assert r.status_code == 200 and "lost_reason" in r.context["form"].errors
    r = client.post(reverse("crm:opportunity_create"), {"customer": c.pk, "title": "新商机", "stage": "quoted",
                                                         "amount": "1200.5", "probability": "50"})
    assert r.status_code == 302 and Opportunity.objects.get(title="新商机").owner == world["owner"]
    r = client.post(reverse("crm:contact_create", args=[c.pk]), {"name": "李四", "mobile": "12345"})
    assert r.status_code == 200 and "mobile" in r.context["form"].errors
    r = client.post(reverse("crm:contact_create", args=[c.pk]), {"name": "李四", "mobile": "13700001111",
                                                                  "is_primary": "on"})
    assert r.status_code == 302
    assert c.contacts.get(is_primary=True).name == "李四" and c.contacts.count() == 2
    r = client.post(reverse("crm:task_close", args=[world["task"].pk]), {"outcome": "客户已下单"})
    world["task"].refresh_from_db()
    assert r.status_code == 302 and world["task"].status == "done"
    r = client.post(reverse("crm:customer_edit", args=[c.pk]), {
        "kind": "company", "name": c.name, "customer_type": "factory", "level": "a", "source": "referral",
        "credit_limit": "0", "payment_terms_days": "30"})
    c.refresh_from_db()
    # the type is applied; payment terms are key data and wait for a manager's approval
    assert r.status_code == 302 and c.customer_type == "factory" and c.payment_terms_days == 0
    from governance.models import ChangeRequest

    assert ChangeRequest.objects.filter(object_id=c.pk, field_names__contains="payment_terms_days").count() == 1


def test_customer_page_shows_the_field_history_with_sensitive_values_masked(client_as):
    client = client_as("sales_rep")
    customer = CustomerFactory(owner=client.user, city="南京市", bank_account="")
    customer.city, customer.bank_account = "苏州市", "6222020200112233445"
    customer._history_user = client.user
    customer.save()
    body = client.get(customer.get_absolute_url()).content.decode()
    history = body[body.index('data-testid="history"'):]
    assert "南京市" in history and "苏州市" in history
    assert "6222020200112233445" not in history and "3445" in history
