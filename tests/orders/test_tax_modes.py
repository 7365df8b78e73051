"""VAT-inclusive and -exclusive orders through the services, invoice requests with their checks, red-letter
requests for returns of invoiced orders, and the export in the tax bureau's batch-issue layout."""

import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from orders import invoice_template, services
from orders.models import InvoiceRequest
from tests.factories.crm import credit_code

pytestmark = pytest.mark.django_db


def _inclusive(world):
    world.customer.prices_include_tax = True
    world.customer.save()
    return world


def test_inclusive_order_prices_and_totals(world):
    _inclusive(world)
    order = services.create_order(customer=world.customer, actor=world.rep, warehouse=world.warehouse,
                                  lines=[{"product": world.products[0], "quantity": "3"},
                                         {"product": world.products[1], "quantity": "1000", "unit_price": "2.0392"}])
    assert order.prices_include_tax
    a, b = order.lines.order_by("position")
    # list price ¥2.00 before VAT → ¥2.26 including it; 3 × 2.26 = 6.78; VAT = round(6.78 / 1.13 × 0.13) = 0.78
    assert (a.list_price, a.unit_price, a.amount, a.tax_amount, a.net_amount) == (
        D("2.2600"), D("2.2600"), D("6.78"), D("0.78"), D("6.00"))
    # a 4-place price stays: 1000 × 2.0392 = 2039.20; VAT = round(2039.20 / 1.13 × 0.13) = 234.60
    assert (b.unit_price, b.amount, b.tax_amount, b.net_amount) == (D("2.0392"), D("2039.20"), D("234.60"),
                                                                    D("1804.60"))
    order.refresh_from_db()
    assert (order.total, order.tax_total, order.net_total) == (D("2045.98"), D("235.38"), D("1810.60"))
    assert order.net_total + order.tax_total == order.total
    assert order.subtotal == D("2266.78") and order.discount_total == D("220.80")  # 1000 × (2.26 − 2.0392)


def test_floor_is_the_cost_before_vat(world):
    _inclusive(world)  # cost ¥1.00 per piece before VAT = ¥1.13 including it
    with pytest.raises(ValidationError, match="below the floor of ¥1.13"):
        services.create_order(customer=world.customer, actor=world.rep, warehouse=world.warehouse,
                              lines=[{"product": world.products[0], "quantity": "1", "unit_price": "1.10"}])
    order = services.create_order(customer=world.customer, actor=world.rep, warehouse=world.warehouse,
                                  lines=[{"product": world.products[0], "quantity": "1", "unit_price": "1.13"}])
    assert order.lines.get().net_amount == D("1.00")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.tuples(st.integers(1, 120), st.decimals(D("1.1300"), D("9.9999"), places=4)),
                      min_size=1, max_size=4), inclusive=st.booleans())
def test_every_line_and_order_adds_up(world, lines, inclusive):
    world.customer.prices_include_tax = inclusive
    world.customer.save()
    order = services.create_order(customer=world.customer, actor=world.rep, warehouse=world.warehouse,
                                  lines=[{"product": world.products[i % 2], "quantity": str(q), "unit_price": str(p)}
                                         for i, (q, p) in enumerate(lines)])
    order.refresh_from_db()
    for ln in order.lines.all():
        assert ln.net_amount + ln.tax_amount == ln.amount
    assert order.net_total + order.tax_total == order.total
    assert order.total == sum(ln.amount for ln in order.lines.all())


def _shipped_inclusive(world, manager):
    _inclusive(world)
    world.customer.tax_number = ""
    world.customer.credit_code = credit_code(21)  # the credit code is the taxpayer ID
    world.customer.save()
    order = services.create_order(customer=world.customer, actor=world.rep, warehouse=world.warehouse,
                                  customer_email="buyer@example.com",
                                  lines=[{"product": world.products[0], "quantity": "100", "unit_price": "2.0392"}])
    order = services.submit_order(order, actor=world.rep)
    services.ship_order(order, quantities={order.lines.get().pk: "100"}, actor=manager)
    order.refresh_from_db()
    return order


def test_request_takes_the_credit_code_and_needs_tax_codes(world, manager):
    order = _shipped_inclusive(world, manager)
    p = world.products[0]
    p.tax_category_code = ""
    p.save()
    with pytest.raises(ValidationError, match=p.sku):
        services.request_invoice(order, actor=world.rep)
    p.tax_category_code = "1080413990000000000"
    p.save()
    with pytest.raises(ValidationError) as exc:
        services.request_invoice(order, actor=world.rep, invoice_type="special")
    assert {"buyer_address", "buyer_phone", "buyer_bank", "buyer_account"} <= set(exc.value.message_dict)
    req = services.request_invoice(order, actor=world.rep)
    assert req.tax_number == world.customer.credit_code and req.deliver_email == "buyer@example.com"
    assert (req.amount, req.tax_amount, req.net_amount) == (D("203.92"), D("23.46"), D("180.46"))
    assert order.events.filter(code="invoice.requested").exists()


def test_return_of_an_invoiced_order_raises_a_red_letter_request(world, manager, finance):
    order = _shipped_inclusive(world, manager)
    blue = services.request_invoice(order, actor=world.rep)
    line = order.lines.get()
    services.create_return(order, quantities={line.pk: "10"}, actor=manager, reason="规格不符")  # before issue
    assert not InvoiceRequest.objects.filter(kind="red").exists()
    blue = services.issue_invoice(blue, actor=finance, invoice_number="25332000000000000001")
    ret = services.create_return(order, quantities={line.pk: "20"}, actor=manager, reason="破损")
    red = InvoiceRequest.objects.get(kind="red")
    assert (red.original, red.order_return, red.red_reason) == (blue, ret, "return")
    assert red.amount == -ret.credit_amount == D("-40.78")
    assert red.net_amount + red.tax_amount == red.amount and red.tax_amount == D("-4.69")
    assert order.events.filter(code="invoice.red_requested").exists()
    red = services.issue_invoice(red, actor=finance, invoice_number="25332000000000000002")
    assert red.status == "issued"


def test_batch_issue_export_layout(world, manager, client_as):
    order = _shipped_inclusive(world, manager)
    req = services.request_invoice(order, actor=world.rep, invoice_type="special", buyer_address="温州市鹿城区",
                                   buyer_phone="0577-8888 8888", buyer_bank="工商银行", buyer_account="0012 3456 7890")
    resp = client_as("finance_clerk").get(reverse("orders:invoice_export"))
    assert resp.status_code == 200
    book = load_workbook(io.BytesIO(resp.content))
    # the platform's workbook: its four sheets and the version sheet; the red-letter list last, not imported
    assert book.sheetnames == ["1-发票基本信息", "2-发票明细信息", "3-特定业务信息", "4-附加要素信息", "excelVersion",
                               invoice_template.RED_SHEET]
    assert book["excelVersion"]["A4"].value == invoice_template.TEMPLATE_VERSION
    basic, items = book["1-发票基本信息"], book["2-发票明细信息"]
    assert basic["A1"].value.startswith("填表说明") and basic["A2"].value == "必填 (限20字符)"
    head = [c.value for c in basic[3]]  # headers on row 3, data from row 4, as the template has them
    assert head == [h for h, _hint, _g in invoice_template.BASIC_COLUMNS] and len(head) == 39
    assert head[:7] == ["发票流水号", "发票类型", "特定业务类型", "是否含税", "受票方自然人标识", "购买方名称",
                        "购买方纳税人识别号"]
    assert head[16:19] == ["购买方电话", "购买方开户银行", "购买方银行账号"] and head[22] == "备注"
    assert head[30] == "购买方邮箱" and head[-2:] == ["收款人", "复核人"]
    row = dict(zip(head, [c.value for c in basic[4]], strict=True))
    assert row["发票流水号"] == f"{order.number}-{req.pk}" and len(row["发票流水号"]) <= 20
    assert row["发票类型"] == "增值税专用发票" and row["是否含税"] == "是"  # the template's words, not 数电票（…）
    assert row["购买方纳税人识别号"] == world.customer.credit_code
    assert row["购买方银行账号"] == "001234567890"  # text: the leading zeros survive
    assert row["是否展示购买方地址电话银行账号"] == "展示地址、电话、开户银行及银行账号"
    assert row["购买方邮箱"] == "buyer@example.com"
    ihead = [c.value for c in items[3]]
    assert ihead == ["发票流水号", "项目名称", "商品和服务税收编码", "规格型号", "单位", "数量", "单价", "金额", "税率",
                     "折扣金额", "是否使用优惠政策", "优惠政策类型", "即征即退类型", "煤炭种类"]
    item = dict(zip(ihead, [c.value for c in items[4]], strict=True))
    assert item["发票流水号"] == row["发票流水号"]
    assert item["商品和服务税收编码"] == order.lines.get().product.tax_category_code  # text: 19 digits, not 1.08E+18
    assert not item["项目名称"].startswith("*")  # the platform puts *简称* in front from the code
    assert all(isinstance(item[k], str) for k in ("数量", "单价", "金额", "税率"))  # every cell text, as asked
    assert D(item["单价"]) == D("2.0392") and D(item["金额"]) == req.amount and item["税率"] == "0.13"
    assert len(item["商品和服务税收编码"]) == 19 and items.max_row == 4
    assert client_as("sales_rep").get(reverse("orders:invoice_export")).status_code == 403
