"""Governance in the browser."""

import pytest

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
