import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.models import Contact, Customer, CustomerEvent
from tests.factories.crm import CustomerFactory, credit_code

pytestmark = pytest.mark.django_db

HEADERS = ["name", "kind", "customer_type", "level", "source", "province", "city", "phone", "owner", "credit_limit",
           "credit_code", "contact_name", "contact_mobile"]


def xlsx(rows, headers=HEADERS):
    data = tablib.Dataset(*rows, headers=headers)
    return SimpleUploadedFile("customers.xlsx", data.export("xlsx"))


def upload(client, f, kind="customers"):
    return client.post(reverse("crm:import"), {"kind": kind, "file": f, "action": "preview"})


def test_preview_shows_every_error_and_writes_nothing(client_as):
    client = client_as("sales_manager")
    r = upload(client, xlsx([
        ["张三五金店", "个人", "零售商", "B · regular", "转介绍", "浙江省", "杭州市", "", "", "5000", "", "张三",
         "13812345678"],
        ["", "company", "retailer", "b", "walk_in", "", "", "", "", "", "91350100M000100Y44", "", ""],
        ["宏达建材", "公司", "nonsense", "b", "walk_in", "", "", "", "nobody", "abc", "", "李四", "123"],
    ]))
    result = r.context["result"]
    assert [row["status"] for row in result["rows"]] == ["ok", "error", "error"]
    errors = " ".join(result["rows"][1]["errors"])
    assert "name" in errors and "credit_code" in errors
    errors = " ".join(result["rows"][2]["errors"])
    assert "nonsense" in errors and "nobody" in errors and "contact_mobile" in errors
    assert Customer.objects.count() == 0 and Contact.objects.count() == 0
    # confirm is refused while errors remain
    r = client.post(reverse("crm:import"), {"action": "confirm"})
    assert Customer.objects.count() == 0


def test_import_with_duplicate_warnings_then_confirm(client_as, make_user):
    client = client_as("sales_manager")
    rep = make_user("sales_rep", username="rep_imp")
    CustomerFactory(name="宏达建材有限公司", city="杭州市", credit_code=credit_code(9))
    r = upload(client, xlsx([
        ["张三五金店", "individual", "retailer", "b", "referral", "浙江省", "杭州市", "", "rep_imp", "5000", "", "张三",
         "138 1234 5678"],
        ["宏达建材", "company", "contractor", "a", "walk_in", "浙江省", "杭州市", "", "", "", "", "", ""],
        ["张三五金", "individual", "retailer", "b", "referral", "浙江省", "杭州市", "", "", "", "", "", ""],
    ]))
    result = r.context["result"]
    assert [row["status"] for row in result["rows"]] == ["ok", "warning", "warning"]
    assert "宏达建材有限公司" in result["rows"][1]["warnings"][0]
    assert "row 1" in " ".join(result["rows"][2]["warnings"])
    assert Customer.objects.count() == 1
    r = client.post(reverse("crm:import"), {"action": "confirm"})
    assert r.status_code == 302
    assert Customer.objects.count() == 2  # the possible duplicates were left out
    c = Customer.objects.get(name="张三五金店")
    assert c.owner == rep and c.name_initials == "zswjd" and c.created_by == client.user
    assert c.contacts.get().mobile == "+8613812345678" and c.contacts.get().mobile_bidx
    assert CustomerEvent.objects.filter(customer=c, kind="imported").count() == 1


def test_malformed_files(client_as):
    client = client_as("sales_manager")
    r = upload(client, SimpleUploadedFile("x.xlsx", b"not a spreadsheet"))
    assert r.context["form"].errors["file"]
    r = upload(client, xlsx([["a", "b"]], headers=["nom", "ville"]))
    assert "columns" in " ".join(r.context["form"].errors["file"])
    r = upload(client, SimpleUploadedFile("x.pdf", b"%PDF"))
    assert r.context["form"].errors["file"]
    csv = "name,city\n鑫源五金,宁波市\n".encode("gb18030")
    r = upload(client, SimpleUploadedFile("gbk.csv", csv))
    assert r.context["result"]["rows"][0]["status"] == "ok"
    assert Customer.objects.count() == 0


def test_contacts_import_and_export(client_as):
    client = client_as("sales_manager")
    c = CustomerFactory(name="张三五金店")
    f = xlsx([["张三五金店", "王五", "13900001111"], ["没有的客户", "赵六", "13900002222"]],
             headers=["customer", "name", "mobile"])
    result = upload(client, f, kind="contacts").context["result"]
    assert [row["status"] for row in result["rows"]] == ["ok", "error"]
    f = xlsx([["张三五金店", "王五", "13900001111"]], headers=["customer", "name", "mobile"])
    upload(client, f, kind="contacts")
    client.post(reverse("crm:import"), {"action": "confirm"})
    assert c.contacts.get().mobile == "+8613900001111"
    r = client.get(reverse("crm:contact_export"))
    data = tablib.Dataset().load(r.content, format="xlsx")
    assert data[0][0] == "张三五金店" and "139" in data[0][3]
    assert client.get(reverse("crm:import_template", args=["customers"])).status_code == 200
    assert client_as("sales_rep").get(reverse("crm:import")).status_code == 403
