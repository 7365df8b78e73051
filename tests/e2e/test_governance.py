"""Governance in the browser: the confidentiality agreement gate; key data through approval (a rep edits a
customer's credit code, sees it pending with the old value still in force, a manager approves it in the Django
admin, the rep sees the new value); the manager's data quality page."""

import pytest
from django.contrib.auth import get_user_model

from crm.models import Customer
from crm.validators import make_credit_code
from governance.models import ChangeRequest

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_agreement_gate_after_sign_in(page):
    """A user who has not accepted the published agreement lands on it after signing in, cannot open another
    page by typing its address, and reaches the dashboard after accepting."""
    from governance import accounts
    from governance.models import AgreementAcceptance, AgreementVersion
    from hardware_erp.core.services import create_employee

    create_employee(username="newhire", password="gate-test-password-7", roles=["sales_rep"],  # noqa: S106
                    first_name="新员工", last_name="", email="newhire@example.com", department=None,
                    job_title="销售代表", language="en", hire_date=None)
    version = AgreementVersion.objects.create(
        version="e2e-1", title_zh="员工保密协议", title_en="Employee confidentiality agreement",
        body_zh="员工应当保守公司商业秘密。", body_en="Employees keep the company's trade secrets.")
    accounts.publish_agreement(version, actor=None)

    login(page, "newhire", "gate-test-password-7")
    assert "/accounts/agreement/" in page.url
    assert page.locator("[data-testid=agreement]").get_by_text("Employees keep the company's trade secrets.")\
        .is_visible()
    assert page.locator("[data-testid=sidebar]").count() == 0
    shot(page, "agreement-gate")

    page.goto(page.base + "/crm/customers/")  # skipping the agreement by typing an address
    assert "/accounts/agreement/?next=%2Fcrm%2Fcustomers%2F" in page.url

    page.goto(page.base + "/")  # the dashboard sends to the agreement as well
    assert page.url == page.base + "/accounts/agreement/"
    page.click("[data-testid=accept-agreement]")  # without ticking the box: the form is not sent
    assert page.url == page.base + "/accounts/agreement/" and not AgreementAcceptance.objects.exists()
    page.check("input[name=accept]")
    page.click("[data-testid=accept-agreement]")
    page.wait_for_url(page.base + "/")
    assert page.locator("[data-testid=sidebar]").is_visible()
    assert page.get_by_text("your acceptance of version e2e-1 is recorded").is_visible()
    shot(page, "agreement-accepted-home")
    acceptance = AgreementAcceptance.objects.get(user__username="newhire")
    assert acceptance.version == version and acceptance.ip_address == "127.0.0.1"


def test_rep_credit_code_change_is_approved_in_the_admin(new_page, demo_company):
    rep = get_user_model().objects.get(username="rep1")
    customer = Customer.objects.active().filter(owner=rep, kind="company").exclude(credit_code="") \
        .exclude(pk__in=ChangeRequest.objects.filter(status="pending").values("object_id")).order_by("pk").first()
    old_code = customer.credit_code
    new_code = make_credit_code("9", "1", old_code[2:8], "MA7QW3K2")
    assert new_code != old_code

    rep_page = new_page()
    login(rep_page, "rep1")
    rep_page.goto(rep_page.base + customer.get_absolute_url())
    rep_page.click("[data-testid=edit-customer]")
    rep_page.fill("input[name=credit_code]", new_code)
    rep_page.fill("input[name=reason]", "客户换发了新营业执照")
    rep_page.click("[data-testid=save]")
    rep_page.wait_for_selector("[data-testid=pending-approval]")
    pending = rep_page.inner_text("[data-testid=pending-approval]")
    assert old_code in pending and new_code in pending
    assert rep_page.inner_text("[data-testid=credit-code]") == old_code  # the old code is still in force
    assert new_code not in rep_page.inner_text("[data-testid=profile]")
    shot(rep_page, "governance-pending-credit-code")
    cr = ChangeRequest.objects.get(object_id=customer.pk, status="pending", requester=rep)
    customer.refresh_from_db()
    assert customer.credit_code == old_code

    manager = new_page()
    login(manager, "salesmgr")
    manager.goto(manager.base + "/admin/governance/changerequest/?status__exact=pending")
    row = manager.locator("#result_list tbody tr", has_text=customer.name)
    assert new_code in row.inner_text() and old_code in row.inner_text()  # the readable diff
    shot(manager, "governance-admin-diff")
    row.locator("input.action-select").check()
    manager.select_option("select[name=action]", "approve_selected")
    manager.click("button[name=index]")
    manager.wait_for_selector(".messagelist .success")
    assert "1 change request approved" in manager.inner_text(".messagelist")
    cr.refresh_from_db()
    assert cr.status == "approved" and cr.reviewer.username == "salesmgr"

    rep_page.reload()
    assert rep_page.inner_text("[data-testid=credit-code]") == new_code
    assert rep_page.locator("[data-testid=pending-approval]").count() == 0
    shot(rep_page, "governance-approved-credit-code")


def test_manager_reads_the_data_quality_page(new_page, demo_company):
    page = new_page(locale="zh-CN")
    login(page, "salesmgr")
    page.goto(page.base + "/governance/quality/")
    page.wait_for_selector("[data-testid=quality-missing]")
    assert "数据质量" in page.inner_text("h1")
    assert page.locator("[data-testid=quality-changes] tbody tr").count() >= 2  # rep1 and rep2 (demo requests)
    assert page.locator("[data-testid=quality-imports] tbody tr").count() >= 2
    shot(page, "governance-data-quality")
    page.click("[data-testid=check-product_no_barcode]")
    page.wait_for_selector("[data-testid=quality-rows]")
    first = page.locator("[data-testid=quality-rows] tbody tr").first
    assert first.locator("a").get_attribute("href").startswith("/inventory/products/")
    shot(page, "governance-data-quality-list")
    page.goto(page.base + "/governance/quality/customer_stale/?months=2")
    assert page.locator("[data-testid=quality-rows], [data-testid=quality-empty]").count() == 1
