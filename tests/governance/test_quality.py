"""The data quality page: missing fields, duplicates, stale records, change requests and imports per person."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from crm.models import Customer
from crm.selectors import find_duplicates, likely_duplicate_pairs
from governance import quality, selectors, services
from governance.models import ChangeRequest, ImportLog, SecurityEvent
from hardware_erp.core.models import Department
from inventory.models import Product
from tests.factories import DepartmentFactory
from tests.factories.crm import ContactFactory, CustomerFactory, credit_code
from tests.factories.inventory import CategoryFactory, ProductFactory
from tests.factories.orders import make_world
from tests.perf.querycount import steady_count

pytestmark = pytest.mark.django_db
URL = reverse("governance:data_quality")


def _list(key):
    return reverse("governance:data_quality_list", args=[key])


def _scope(**kwargs):
    now = timezone.now()
    return quality.Scope(start=now - datetime.timedelta(days=30), end=now + datetime.timedelta(days=1), **kwargs)


def _counts(scope=None):
    return {c["check"].key: c["count"] for c in quality.check_counts(scope or _scope())}


def _section(response, testid):
    html = response.content.decode()
    start = html.index(f'data-testid="{testid}"')
    end = html.find('data-testid="quality-', start + 10)
    return html[start:end if end > 0 else None]


def _complete_customer(n, **kwargs):
    c = CustomerFactory(credit_code=credit_code(n), **kwargs)
    ContactFactory(customer=c)
    return c


def test_missing_required_fields_are_counted_and_listed(client_as):
    _complete_customer(1)
    no_code = CustomerFactory(name="缺代码五金")
    ContactFactory(customer=no_code)
    CustomerFactory(name="个体户老王", kind="individual")  # individuals have no credit code: only the contact misses
    no_region = _complete_customer(2, name="无地区五金", province="", city="")
    no_owner = _complete_customer(3, name="无人跟进五金", owner=None)
    leaf = CategoryFactory(code="leaf")
    parent = CategoryFactory(code="fasteners")
    child = CategoryFactory(code="bolts")
    child.parent = parent
    child.save()
    ProductFactory(category=leaf, barcode="6901234567892")
    ProductFactory(sku="NOBAR-1", category=leaf)  # gets the internal HW code only
    ProductFactory(sku="NOCOST-1", category=leaf, standard_cost=Decimal("0"), barcode="C1")
    ProductFactory(sku="NOPRICE-1", category=leaf, list_price=Decimal("0"), barcode="P1")
    ProductFactory(sku="BROAD-1", category=parent, barcode="B1")
    ProductFactory(sku="OLD-1", category=leaf, standard_cost=Decimal("0"), active=False)  # inactive: ignored

    counts = _counts()
    assert counts["customer_no_credit_code"] == 1
    assert counts["customer_no_contact"] == 1
    assert counts["customer_no_region"] == 1
    assert counts["customer_no_owner"] == 1
    assert counts["product_no_barcode"] == 1
    assert counts["product_no_cost"] == 1
    assert counts["product_no_price"] == 1
    assert counts["product_broad_category"] == 1

    client = client_as("sales_manager")
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Missing required fields" in html and "Companies without a unified social credit code" in html
    rows = client.get(_list("customer_no_credit_code")).content.decode()
    assert no_code.get_absolute_url() in rows and "缺代码五金" in rows and "无地区五金" not in rows
    rows = client.get(_list("customer_no_region")).content.decode()
    assert no_region.get_absolute_url() in rows
    rows = client.get(_list("customer_no_owner")).content.decode()
    assert no_owner.get_absolute_url() in rows
    rows = client.get(_list("product_no_barcode")).content.decode()
    nobar = Product.objects.get(sku="NOBAR-1")
    assert nobar.get_absolute_url() in rows and nobar.barcode in rows  # the internal code is shown
    assert client.get(_list("no_such_check")).status_code == 404


def test_duplicates_follow_the_crm_rules():
    a = CustomerFactory(name="杭州永固五金有限公司", credit_code=credit_code(7))
    b = CustomerFactory(name="永固五金", credit_code=credit_code(7), city="宁波市")  # same code
    c = CustomerFactory(name="西湖紧固件商行", city="杭州市")
    d = CustomerFactory(name="西湖紧固件店", city="杭州市")  # very similar name, same city
    e = CustomerFactory(name="甲五金")
    f = CustomerFactory(name="乙建材")
    ContactFactory(customer=e, mobile="13912345678")
    ContactFactory(customer=f, mobile="139 1234 5678")  # the same mobile, written differently
    CustomerFactory(name="完全不同的公司", city="杭州市")
    merged = CustomerFactory(name="永固五金", credit_code=credit_code(7))
    merged.merged_into = a
    merged.save()  # merged customers are not duplicates any more

    pairs = {(p["a_id"], p["b_id"]): p["reasons"] for p in likely_duplicate_pairs()}
    assert set(pairs) == {(a.pk, b.pk), (c.pk, d.pk), (e.pk, f.pk)}
    assert "same unified social credit code" in pairs[(a.pk, b.pk)][0]
    assert "very similar name in 杭州市" in pairs[(c.pk, d.pk)][0]
    assert pairs[(e.pk, f.pk)][0] == "same phone number 139****5678"
    # the same customers find_duplicates warns about when one of them is entered again
    assert a in [x["customer"] for x in find_duplicates(name=b.name, credit_code=b.credit_code, exclude_pk=b.pk)]
    assert c in [x["customer"] for x in find_duplicates(name=d.name, city=d.city, exclude_pk=d.pk)]
    assert f in [x["customer"] for x in find_duplicates(phones=["13912345678"], exclude_pk=e.pk)]
    # narrowed to a rep: only the pairs with one of the rep's customers
    assert [(p["a_id"], p["b_id"]) for p in likely_duplicate_pairs(Customer.objects.filter(pk=d.pk))] == \
        [(c.pk, d.pk)]


def test_duplicate_list_links_both_and_offers_merge(client_as):
    a = CustomerFactory(name="永固五金", credit_code=credit_code(8))
    b = CustomerFactory(name="永固五金店", credit_code=credit_code(8))
    html = client_as("sales_manager").get(_list("duplicates")).content.decode()
    assert a.get_absolute_url() in html and b.get_absolute_url() in html
    assert reverse("crm:customer_merge", args=[a.pk]) in html


def test_stale_customers_and_products(make_user):
    world = make_world(make_user)  # a customer and two products with stock movements now
    long_ago = timezone.now() - datetime.timedelta(days=300)
    quiet = CustomerFactory(name="久未联系五金")
    recent_call = CustomerFactory(name="上周来电五金", last_contact_at=timezone.now() - datetime.timedelta(days=7))
    fresh = CustomerFactory(name="新客户五金")  # created recently: not stale yet
    Customer.objects.filter(pk__in=[quiet.pk, recent_call.pk, world.customer.pk]).update(created_at=long_ago)
    world.order()  # the world's customer ordered today
    idle = ProductFactory(sku="IDLE-1")
    Product.objects.filter(pk__in=[idle.pk, world.products[0].pk]).update(created_at=long_ago)

    scope = _scope(months=6)
    stale_customers = set(quality.CHECKS["customer_stale"].queryset(scope).values_list("pk", flat=True))
    assert stale_customers == {quiet.pk}
    assert fresh.pk not in stale_customers
    assert set(quality.CHECKS["product_stale"].queryset(scope).values_list("pk", flat=True)) == {idle.pk}
    # a longer threshold: the customer quiet since its creation 300 days ago is not stale after 12 months
    assert not quality.CHECKS["customer_stale"].queryset(_scope(months=12)).exists()


@pytest.fixture
def people(make_user):
    sales = DepartmentFactory(code="sales-q")
    east = DepartmentFactory(code="sales-q-east")
    east.parent = sales
    east.save()
    rep_a = make_user("sales_rep", username="rep_qa", first_name="Ann", last_name="Li")
    rep_b = make_user("sales_rep", username="rep_qb", first_name="Bo", last_name="Wu")
    manager = make_user("sales_manager", username="mgr_q")
    rep_a.employee.department = east
    rep_a.employee.save()
    rep_b.employee.department = DepartmentFactory(code="other-q")
    rep_b.employee.save()
    return rep_a, rep_b, manager, sales


def _request(requester, status, *, days_ago=3):
    dept = DepartmentFactory()
    return ChangeRequest.objects.create(
        content_type=ContentType.objects.get_for_model(Department), object_id=dept.pk, object_repr=str(dept),
        field_names="name_zh", changes_data=json.dumps({"name_zh": {"old": dept.name_zh, "new": "新"}}),
        base_fingerprint="x", requester=requester, status=status,
        created_at=timezone.now() - datetime.timedelta(days=days_ago),
        reviewed_at=None if status == "pending" else timezone.now() - datetime.timedelta(days=days_ago - 1))


def test_change_requests_and_imports_per_person_match_the_kpis(people, client_as):
    rep_a, rep_b, manager, sales = people
    for status in ("rejected", "rejected", "approved", "pending"):
        _request(rep_a, status)
    _request(rep_a, "rejected", days_ago=200)  # outside the period
    _request(rep_b, "approved")
    services.record_import(actor=rep_a, model_label="crm.customer", total_rows=50, error_rows=5, file_name="a.xlsx")
    services.record_import(actor=rep_a, model_label="crm.contact", total_rows=50, error_rows=0, file_name="b.csv")
    services.record_import(actor=rep_b, model_label="crm.customer", total_rows=10, error_rows=0, file_name="c.csv")

    scope = _scope()
    changes = {r["user_id"]: r for r in quality.change_requests_by_person(scope)}
    assert changes[rep_a.pk] | {} == {"user_id": rep_a.pk, "name": "Ann Li", "decided": 3, "approved": 1,
                                      "rejected": 2, "pending": 1, "rate": 66.7}
    assert changes[rep_b.pk]["rate"] == 0.0
    assert list(changes) == [rep_a.pk, rep_b.pk]  # most rejections first
    kpi = selectors.kpi_change_requests_rejected(rep_a, scope.start, scope.end)
    assert len(kpi) == changes[rep_a.pk]["decided"] and sum(not e["ok"] for e in kpi) == 2

    imports = {r["user_id"]: r for r in quality.imports_by_person(scope)}
    assert imports[rep_a.pk] == {"user_id": rep_a.pk, "name": "Ann Li", "imports": 2, "with_errors": 1,
                                 "rows": 100, "errors": 5, "rate": 5.0}
    kpi = selectors.kpi_import_errors(rep_a, scope.start, scope.end)
    assert [e["value"] for e in kpi] == [Decimal("10.00"), Decimal("0.00")]  # per cent of rows refused
    assert kpi[0]["url"].startswith(_list("imports"))
    assert f"person={rep_a.pk}" in kpi[0]["url"]

    client = client_as(user=manager)
    html = client.get(URL).content.decode()
    assert "Ann Li" in html and "66.7" in html
    assert f"?status=rejected&amp;requester={rep_a.pk}" in html  # drill-down into the change request list
    # the department (with its sub-departments) or a person narrows everything to those people
    html = _section(client.get(URL, {"department": sales.pk}), "quality-changes")
    assert "Ann Li" in html and "Bo Wu" not in html
    html = _section(client.get(URL, {"person": rep_b.pk}), "quality-imports")
    assert "Bo Wu" in html and "Ann Li" not in html
    html = client.get(_list("imports"), {"person": rep_a.pk}).content.decode()
    assert "a.xlsx" in html and "b.csv" in html and "c.csv" not in html


def test_person_filter_narrows_customers(people):
    rep_a, rep_b, manager, sales = people
    CustomerFactory(owner=rep_a)
    CustomerFactory(owner=rep_b)
    CustomerFactory(owner=None, created_by=rep_a)
    assert _counts(_scope(user_ids=[rep_a.pk]))["customer_no_credit_code"] == 2
    assert _counts(_scope(user_ids=[rep_a.pk]))["customer_no_owner"] == 1
    assert _counts(_scope(user_ids=quality.users_of(department=sales)))["customer_no_credit_code"] == 2
    assert _counts()["customer_no_credit_code"] == 3


def test_empty_states_and_bad_period(client_as):
    client = client_as("general_manager")
    html = client.get(URL).content.decode()
    assert "No record misses a required field" in html
    assert "Nobody asked to change key data in this period." in html
    assert "Nobody imported a spreadsheet in this period." in html
    assert "Nothing to fix here." in client.get(_list("customer_no_contact")).content.decode()
    page = client.get(URL, {"start": "2026-05-01", "end": "2026-04-01"})
    assert page.status_code == 200 and "The end of the period is before its start." in page.content.decode()


def test_export_of_the_page_and_of_a_list(client_as):
    CustomerFactory(name="缺代码五金")
    _request(client_as("sales_rep").user, "rejected")
    client = client_as("sales_manager")
    response = client.get(URL, {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["Companies without a unified social credit code", 1] in [v[:2] for v in values]
    response = client.get(_list("customer_no_credit_code"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=3, column=1).value == "缺代码五金"
    assert SecurityEvent.objects.filter(kind="export", user=client.user).count() == 2


def _populate(n):
    """n customers missing fields (half with a duplicate), n products, change requests and imports of n people."""
    for i in range(n):
        owner = CustomerFactory().owner
        CustomerFactory(name=f"重复五金{i}号店", credit_code=credit_code(1000 + i), owner=owner, province="")
        CustomerFactory(name=f"重复五金{i}号店", credit_code=credit_code(1000 + i), owner=owner)
        ProductFactory(standard_cost=Decimal("0"))
        _request(owner, "rejected")
        services.record_import(actor=owner, model_label="crm.customer", total_rows=10, error_rows=i % 3)


@pytest.mark.parametrize("key", ["", "customer_no_credit_code", "customer_stale", "product_no_cost",
                                 "duplicates", "imports"])
def test_query_count_does_not_grow_with_the_data(client_as, key):
    client = client_as("general_manager")
    url = _list(key) if key else URL
    _populate(3)
    small = steady_count(client, url)[0]
    _populate(60)  # more rows than a page of the lists
    assert steady_count(client, url)[0] == small <= 30


def test_forbidden_to_reps_and_clerks(client_as):
    assert client_as("sales_rep").get(URL).status_code == 403
    assert client_as("warehouse_clerk").get(URL).status_code == 403
    assert client_as("it_admin").get(URL).status_code == 403


def test_crm_import_check_records_rows_and_errors(client_as):
    client = client_as("sales_manager")
    csv = "name,city,credit_limit\n好运五金,杭州市,1000\n,杭州市,abc\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("crm:import"), {"kind": "customers", "action": "preview",
                                                   "file": SimpleUploadedFile("customers.csv", csv)})
    assert response.status_code == 200
    log = ImportLog.objects.get()
    assert (log.user, log.model_label, log.file_name, log.total_rows, log.error_rows) == \
        (client.user, "crm.customer", "customers.csv", 2, 1)


def test_inventory_import_check_records_rows_and_errors(client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as("general_manager")
    export = client.get(reverse("inventory:product_export"))
    assert export.status_code == 200
    ProductFactory(sku="KNOWN-1")
    csv = "sku,name_zh,name_en,category,base_unit,standard_cost,list_price\n" \
          "NEW-1,螺母,Nut,cat-x,pcs,abc,1\n"
    response = client.post(reverse("inventory:product_import"),
                           {"file": SimpleUploadedFile("products.csv", csv.encode())})
    assert response.status_code == 200
    log = ImportLog.objects.get()
    assert (log.user, log.model_label, log.total_rows, log.error_rows) == (client.user, "inventory.product", 1, 1)


def test_duplicate_scan_is_cached_until_customers_or_contacts_change(monkeypatch):
    import crm.selectors

    scans = []
    real = crm.selectors.likely_duplicate_pairs
    monkeypatch.setattr(crm.selectors, "likely_duplicate_pairs", lambda: scans.append(1) or real())
    a = CustomerFactory(name="永固五金", credit_code=credit_code(9))
    CustomerFactory(name="永固五金店", credit_code=credit_code(9))
    assert len(quality.duplicate_pairs(_scope())) == 1
    assert len(quality.duplicate_pairs(_scope())) == 1 and len(scans) == 1  # the second read came from the cache
    c = CustomerFactory(name="另一家", credit_code=credit_code(9))  # a new customer: scanned again
    assert len(quality.duplicate_pairs(_scope())) == 3 and len(scans) == 2
    ContactFactory(customer=c)  # a new contact: scanned again
    quality.duplicate_pairs(_scope())
    assert len(scans) == 3
    c.merged_into = a
    c.save()  # merged: no longer a duplicate
    assert len(quality.duplicate_pairs(_scope())) == 1 and len(scans) == 4


def test_duplicate_scan_without_a_cache(monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    CustomerFactory(name="永固五金", credit_code=credit_code(9))
    CustomerFactory(name="永固五金店", credit_code=credit_code(9))
    assert len(quality.duplicate_pairs(_scope())) == 1
