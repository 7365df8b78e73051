"""Every orders form page saves through the test client, through its service, once (issue 14 item 1)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from orders import services
from orders.models import Carrier, InvoiceRequest, PriceRule, ReviewSettings
from tests.factories.crm import credit_code

D = Decimal
pytestmark = pytest.mark.django_db


def _page(client, url):
    body = client.get(url).content.decode()
    assert body.count('data-testid="save"') == 1 and 'name="_once"' in body
    # the Save button sits inside the one form of the page
    form = body[body.index('data-testid="service-form"'):]
    assert form.index('data-testid="save"') < form.index("</form>")
    assert "<form" not in form[1:form.index("</form>")]
    return body


def test_price_rule_new_and_edit(world, client_as):
    c = client_as("sales_manager")
    url = reverse("orders:pricerule_create")
    _page(c, url)
    data = {"level": "a", "product": world.products[0].pk, "min_quantity": "100", "discount_percent": "7.5",
            "active": "on", "_once": "t-rule-1"}
    resp = c.post(url, data)
    assert resp.status_code == 302 and resp["Location"] == reverse("orders:pricerule_list")
    rule = PriceRule.objects.get()
    assert (rule.level, rule.product, rule.min_quantity, rule.discount_percent) == ("a", world.products[0], D("100"),
                                                                                     D("7.5"))
    assert c.post(url, data).status_code == 302 and PriceRule.objects.count() == 1  # sent twice: saved once
    edit = reverse("orders:pricerule_edit", args=[rule.pk])
    assert "7.5" in _page(c, edit)
    resp = c.post(edit, {**data, "discount_percent": "9", "_once": "t-rule-2"})
    assert resp.status_code == 302
    rule.refresh_from_db()
    assert rule.discount_percent == D("9")
    # the service's rule lands on the form; nothing is saved
    resp = c.post(url, {**data, "category": world.products[0].category_id, "_once": "t-rule-3"})
    assert resp.status_code == 200 and "a product or a category, not both" in resp.content.decode()
    assert PriceRule.objects.count() == 1


def test_carrier_new_and_edit(client_as):
    c = client_as("sales_manager")
    url = reverse("orders:carrier_create")
    _page(c, url)
    resp = c.post(url, {"name": "顺丰速运", "code": "", "adapter": "kuaidi100", "tracking_url": "", "active": "on",
                        "_once": "t-car-0"})
    body = resp.content.decode()
    assert resp.status_code == 200 and "Kuaidi100 needs the company code" in body and not Carrier.objects.exists()
    resp = c.post(url, {"name": "顺丰速运", "code": "shunfeng", "adapter": "kuaidi100", "tracking_url": "",
                        "active": "on", "_once": "t-car-1"})
    assert resp.status_code == 302 and resp["Location"] == reverse("orders:carrier_list")
    carrier = Carrier.objects.get()
    assert carrier.code == "shunfeng" and carrier.adapter == "kuaidi100"
    edit = reverse("orders:carrier_edit", args=[carrier.pk])
    assert "shunfeng" in _page(c, edit)
    c.post(edit, {"name": "顺丰", "code": "shunfeng", "adapter": "manual", "tracking_url": "https://x/{number}",
                  "_once": "t-car-2"})
    carrier.refresh_from_db()
    assert (carrier.name, carrier.adapter, carrier.active) == ("顺丰", "manual", False)


def test_review_thresholds_saved(client_as):
    c = client_as("sales_manager")
    url = reverse("orders:review_settings")
    _page(c, url)
    resp = c.post(url, {"default_tax_rate": "9", "min_margin_percent": "12", "max_discount_percent": "20",
                        "check_credit": "on", "overdue_grace_days": "5", "_once": "t-rs-1"})
    assert resp.status_code == 302 and resp["Location"] == url
    row = ReviewSettings.current()
    assert (row.default_tax_rate, row.min_margin_percent, row.max_discount_percent, row.check_credit,
            row.check_stock, row.overdue_grace_days) == (D("9"), D("12"), D("20"), True, False, 5)
    assert row.updated_by == c.user
    resp = c.post(url, {"default_tax_rate": "101", "min_margin_percent": "12", "max_discount_percent": "20",
                        "overdue_grace_days": "5", "_once": "t-rs-2"})
    assert resp.status_code == 200 and ReviewSettings.current().default_tax_rate == D("9")


def test_vat_invoice_request_saved_once(world, client_as, manager):
    code = credit_code(11)
    world.customer.credit_code = code  # no tax number: the credit code is the taxpayer ID
    world.customer.save()
    order = services.submit_order(world.order(), actor=world.rep)
    c = client_as(user=world.rep)
    url = reverse("orders:invoice_request", args=[order.pk])
    assert code in _page(c, url)
    data = {"invoice_type": "special", "title": "上海五金有限公司", "tax_number": code,
            "buyer_address": "上海市浦东新区", "buyer_phone": "021-1234 5678", "buyer_bank": "工商银行浦东支行",
            "buyer_account": "6222 0000 1234",
            "deliver_email": "fin@example.com", "deliver_phone": "", "remarks": "", "_once": "t-inv-1"}
    resp = c.post(url, {**data, "buyer_account": "", "_once": "t-inv-0"})  # a special invoice needs the account
    assert resp.status_code == 200 and not InvoiceRequest.objects.exists()
    assert "special VAT invoice needs the buyer" in resp.content.decode()
    resp = c.post(url, data)
    assert resp.status_code == 302 and resp["Location"] == order.get_absolute_url()
    req = InvoiceRequest.objects.get()
    assert (req.title, req.special, req.requested_by) == ("上海五金有限公司", True, world.rep)
    assert (req.buyer_account, req.buyer_bank, req.deliver_email) == ("622200001234", "工商银行浦东支行",
                                                                      "fin@example.com")
    assert c.post(url, data).status_code == 302 and InvoiceRequest.objects.count() == 1
    resp = c.post(url, {**data, "_once": "t-inv-2"})  # a second request: the service refuses it on the form
    assert resp.status_code == 200 and "already requested" in resp.content.decode()
    assert InvoiceRequest.objects.count() == 1


def test_finance_issues_the_requested_invoice_through_its_button(world, client_as):
    world.customer.tax_number = credit_code(12)
    world.customer.save()
    order = services.submit_order(world.order(), actor=world.rep)
    req = services.request_invoice(order, actor=world.rep, deliver_phone="13800138000")
    c = client_as("finance_clerk")
    queue = c.get(reverse("orders:invoice_queue")).content.decode()
    url = reverse("orders:invoice_issue", args=[req.pk])
    assert f'action="{url}"' in queue
    resp = c.post(url, {"invoice_number": "  "}, follow=True)
    assert "Enter the invoice number." in resp.content.decode()
    req.refresh_from_db()
    assert req.status == "requested"
    number = "25332000000012345678"
    resp = c.post(url, {"invoice_number": "2533 2000 0000 1234 5678", "issued_on": "2026-12-01"})
    assert resp.status_code == 302 and resp["Location"] == reverse("orders:invoice_queue")
    req.refresh_from_db()
    assert (req.status, req.invoice_number, f"{req.issued_on}") == ("issued", number, "2026-12-01")
    page = client_as(user=world.rep).get(order.get_absolute_url()).content.decode()
    assert number in page and "2026-12-01" in page
    assert client_as(user=world.rep).post(url, {"invoice_number": "X"}).status_code == 403
