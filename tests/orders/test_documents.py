"""The printed documents, read back as text (pdftotext) in Chinese and English: titles, the company letterhead,
prices to 4 places, VAT per line, the amount in capitals, page numbers, signature areas, embedded fonts, and no
English left in a Chinese document."""

import re
import shutil
import subprocess
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from hardware_erp.core import pdf as kernel_pdf
from hardware_erp.core.models import CompanyProfile
from hardware_erp.core.money import amount_in_words
from inventory import pdf as inventory_pdf
from inventory.purchasing import create_purchase_order
from orders import pdf, selectors, services
from orders.models import OrderEvent
from orders.notices import send_customer_status_email
from tests.factories.inventory import SupplierFactory
from tests.pdffonts import assert_all_embedded

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")]

# words of the English interface that must never reach a Chinese document
ENGLISH = re.compile(r"\b(Customer|Printed|Picked|Checked|Received|Invoice|Total|Amount|Page|Date|Order|Quantity|"
                     r"Unit|Product|Statement|Receipt|Hardware ERP|Signature|Delivery|Payment|Bank|Address|Phone|VAT|"
                     r"Prepared|Approved|stamp|Supplier|Purchase|Net|Discount|words|figures)\b")


def text_of(data: bytes, tmp_path, name="doc") -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture
def letterhead(db):
    return CompanyProfile.objects.create(name="温州华丰五金有限公司", credit_code="91330302MA2AR8XQ1M",
                                         address="温州市鹿城区五金城路 88 号", phone="0577-8888 8888",
                                         bank_name="工商银行鹿城支行", bank_account="1203203109000123456")


@pytest.fixture
def sold(world, manager, finance):
    """An approved, shipped, partly paid order of a customer quoted VAT-inclusive, with a 4-place price."""
    world.customer.prices_include_tax = True
    world.customer.tax_number = ""
    world.customer.save()
    order = services.create_order(customer=world.customer, actor=world.rep, warehouse=world.warehouse,
                                  customer_email="buyer@example.com",
                                  lines=[{"product": world.products[0], "quantity": "400", "unit_price": "2.0392"},
                                         {"product": world.products[1], "quantity": "7"}])
    order = services.submit_order(order, actor=world.rep)
    assert order.status == "approved"
    shipment = services.ship_order(order, quantities={ln.pk: str(ln.base_quantity) for ln in order.lines.all()},
                                   actor=manager)
    order.refresh_from_db()
    payment = services.record_payment(customer=world.customer, amount=D("500.00"), actor=finance,
                                      allocations=[(order, D("500.00"))], reference="BANK-0001")
    order.refresh_from_db()
    return order, shipment, payment


def _documents(order, shipment, payment, world):
    po = create_purchase_order(supplier=SupplierFactory(), warehouse=world.warehouse, actor=world.rep,
                               lines=[(world.products[0], D("10000"), D("0.0392"))])
    quotation = services.create_order(customer=world.customer, actor=world.rep, warehouse=world.warehouse,
                                      kind="quotation", lines=[{"product": world.products[0], "quantity": "5"}])
    return {
        "quotation": pdf.quotation_pdf(quotation),
        "order": pdf.quotation_pdf(order),
        "delivery": pdf.delivery_note_pdf(shipment),
        "issue": pdf.issue_note_pdf(shipment),
        "statement": pdf.order_statement_pdf(order),
        "customer_statement": pdf.customer_statement_pdf(
            order.customer, selectors.customer_statement(order.customer, order.salesperson)),
        "receipt": pdf.payment_receipt_pdf(payment),
        "purchase": inventory_pdf.purchase_order_pdf(po),
        "picking": pdf.picking_list_pdf([order], world.warehouse),
    }


TITLES_ZH = {"quotation": "报价单", "order": "销售订单", "delivery": "送货单", "issue": "销售出库单",
             "statement": "对账单", "customer_statement": "对账单", "receipt": "收款收据", "purchase": "采购订单",
             "picking": "拣货单"}
TITLES_EN = {"quotation": "Quotation", "order": "Sales order", "delivery": "Delivery note",
             "issue": "Sales issue note",
             "statement": "Statement of account", "customer_statement": "Statement of account",
             "receipt": "Payment receipt", "purchase": "Purchase order", "picking": "Picking list"}


def _rendered(lang, sold, world, tmp_path):
    """Every document printed in `lang`: {key: (pdf bytes, its text)}."""
    with translation.override(lang):
        docs = _documents(*sold, world)
    return {key: (data, text_of(data, tmp_path, key)) for key, data in docs.items()}


def test_every_document_in_chinese(sold, world, letterhead, tmp_path):
    order, shipment, payment = sold
    rendered = _rendered("zh-hans", sold, world, tmp_path)
    docs = {key: data for key, (data, _text) in rendered.items()}
    for key, (data, text) in rendered.items():
        flat = re.sub(r"\s+", "", text)
        assert TITLES_ZH[key] in text, key
        assert "发票/对账单" not in flat and "Invoice" not in text, key
        assert "温州华丰五金有限公司" in text and "91330302MA2AR8XQ1M" in text, key          # the letterhead
        assert "第1页/共1页" in flat, key
        leaked = ENGLISH.findall(text)
        assert not leaked, (key, leaked)
        assert_all_embedded(data, key)  # every font embedded (no Helvetica, no STSong-Light)
    order_text = re.sub(r"\s+", "", text_of(docs["order"], tmp_path))
    line = order.lines.order_by("position").first()
    assert line.unit_price == D("2.0392") and "¥2.0392" in order_text                  # 4 places kept
    assert (line.amount, line.tax_amount, line.net_amount) == (D("815.68"), D("93.84"), D("721.84"))
    assert "含税单价" in order_text and "税额" in order_text and "价税合计" in order_text
    assert "¥721.84" in order_text and "¥93.84" in order_text and "¥815.68" in order_text
    assert amount_in_words(order.total) in order_text
    assert "公司盖章" in order_text
    receipt = re.sub(r"\s+", "", text_of(docs["receipt"], tmp_path))
    assert "伍佰元整" in receipt and "财务专用章" in receipt and "BANK-0001" in receipt
    delivery = re.sub(r"\s+", "", text_of(docs["delivery"], tmp_path))
    assert "收货人（签字、日期）" in delivery and amount_in_words(order.total) in delivery
    purchase = re.sub(r"\s+", "", text_of(docs["purchase"], tmp_path))
    assert "¥0.0392" in purchase and "¥392.00" in purchase and "叁佰玖拾贰元整" in purchase


def test_every_document_in_english(sold, world, letterhead, tmp_path):
    rendered = _rendered("en", sold, world, tmp_path)
    docs = {key: data for key, (data, _text) in rendered.items()}
    for key, (data, text) in rendered.items():
        assert TITLES_EN[key] in text, key
        assert_all_embedded(data, key)
        assert "Page 1 of 1" in text, key
        assert "Invoice / statement" not in text
    words = text_of(docs["order"], tmp_path).split()
    assert "incl." in words and "Amount" in words and "VAT" in words  # 'Unit price incl. VAT', wrapped in its cell


def test_a_long_order_numbers_its_pages(world, letterhead, tmp_path):
    lines = [{"product": world.products[i % 2], "quantity": str(i + 1)} for i in range(70)]
    order = services.create_order(customer=world.customer, actor=world.rep, warehouse=world.warehouse, lines=lines)
    with translation.override("zh-hans"):
        text = re.sub(r"\s+", "", text_of(pdf.quotation_pdf(order), tmp_path))
    pages = int(re.search(r"第1页/共(\d+)页", text).group(1))
    assert pages >= 2 and f"第{pages}页/共{pages}页" in text
    assert text.count(f"/共{pages}页") == pages  # every page says how many there are


def test_warehouse_prints_the_delivery_note_without_prices(sold, client_as, tmp_path):
    order, shipment, payment = sold
    clerk = client_as("warehouse_clerk")
    text = text_of(clerk.get(reverse("orders:delivery_note_pdf", args=[shipment.pk])).content, tmp_path)
    assert "¥" not in text
    rep = client_as(user=order.salesperson)
    assert "¥" in text_of(rep.get(reverse("orders:delivery_note_pdf", args=[shipment.pk])).content, tmp_path)


def test_font_is_embedded_when_the_font_file_exists():
    if not any(Path(p).is_file() for p in kernel_pdf.FONT_FILES):
        pytest.skip("fonts-wqy-microhei is not installed")
    assert kernel_pdf.font_embedded()


def test_customer_status_email_is_chinese(sold, settings):
    order, shipment, payment = sold
    event = OrderEvent.objects.filter(order=order, to_status="shipped").first()
    OrderEvent.objects.filter(pk=event.pk).update(customer_emailed_at=None)
    mail.outbox.clear()
    assert send_customer_status_email(event.pk)
    body = mail.outbox[-1].body
    assert order.number in body and "无需登录" in body
    assert not re.search(r"[A-Za-z]{4,}", body.split("http")[0]), body
