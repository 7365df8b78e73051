"""A product's stock page (issue 19: its figures read in fewer, shorter statements and printed without per-row
template work): what it shows, section by section, in English and Chinese, and how many statements it takes."""

from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from hardware_erp.core.money import format_price
from inventory import events, services
from inventory.choices import MovementKind
from inventory.models import (
    ProductUnit,
    PurchaseOrder,
    PurchaseOrderLine,
    Reservation,
    StockAlert,
    StockLevel,
    StockMovement,
    UnitOfMeasure,
    Warehouse,
)
from tests.factories.inventory import (
    LocationFactory,
    ProductFactory,
    SupplierFactory,
    SupplierProductFactory,
    ThresholdFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db


class _Page(HTMLParser):
    """The page as a reader sees it: each card's rows (a table row's cells, a list item, a definition's term and
    value) under the card's header, the warning banners, and the threshold form's warehouse choices."""

    CELLS = {"td", "th", "li", "dt", "dd", "option"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cards, self.alerts, self.choices = {}, [], []
        self._card = None
        self._header = None  # text of the card header being read
        self._cell = None
        self._row = None
        self._alert = None
        self._divs = []  # per open div: its role ("header", "alert" or None)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "div":
            role = "header" if "card-header" in cls else "alert" if {"alert", "alert-warning", "py-2"} <= set(cls) \
                else None
            self._divs.append(role)
            if role == "header":
                self._header = []
            elif role == "alert":
                self._alert = []
        elif tag == "tr":
            self._row = []
        elif tag in self.CELLS:
            self._cell = []
            if tag == "option":
                self._option = a.get("value")

    def handle_endtag(self, tag):
        if tag == "div" and self._divs:
            role = self._divs.pop()
            if role == "header":
                self._card = " ".join(" ".join(self._header).split())
                self.cards[self._card] = []
                self._header = None
            elif role == "alert":
                self.alerts.append(" ".join("".join(self._alert).split()))
                self._alert = None
        elif tag == "tr" and self._row is not None:
            self.cards.setdefault(self._card, []).append(self._row)
            self._row = None
        elif tag in self.CELLS and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            self._cell = None
            if tag == "option":
                self.choices.append((self._option, text))
            elif self._row is not None:
                self._row.append(text)
            elif tag == "dd" and self.cards.get(self._card) and len(self.cards[self._card][-1]) == 1:
                self.cards[self._card][-1].append(text)
            else:
                self.cards.setdefault(self._card, []).append([text])

    def handle_data(self, data):
        for part in (self._header, self._cell, self._alert):
            if part is not None:
                part.append(data)


def read(response):
    assert response.status_code == 200
    page = _Page()
    page.feed(response.content.decode())
    return page


def at(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def stocked_product(make_user):
    """A bolt stocked in two warehouses (one bin emptied again), reserved in a third where it has no bin, on an open
    purchase order, with thresholds, an open low-stock alert, two suppliers, a box unit and an equivalent."""
    clerk = make_user("warehouse_clerk", username="clerk7")
    sh = WarehouseFactory(code="SH", name_zh="上海总仓", name_en="Shanghai main")
    sz = WarehouseFactory(code="SZ", name_zh="深圳仓", name_en="")
    bj = WarehouseFactory(code="BJ", name_zh="北京仓", name_en="Beijing")
    a2, a1 = LocationFactory(warehouse=sh, code="A-01-02"), LocationFactory(warehouse=sh, code="A-01-01")
    b1, b2 = LocationFactory(warehouse=sz, code="B-01-01"), LocationFactory(warehouse=sz, code="B-02-01")
    p = ProductFactory(sku="GB5782-M8X30", name_zh="六角头螺栓 M8×30", name_en="Hex bolt M8×30")
    post = services.post_movement
    post(product=p, quantity=Decimal("1200"), to_location=a2, kind=MovementKind.RECEIPT, actor=clerk,
         unit_cost=Decimal("0.0392"), reference="PO-7", reason_code=events.OPENING)
    post(product=p, quantity=Decimal("7.5"), to_location=a1, kind=MovementKind.RECEIPT, actor=clerk,
         unit_cost=Decimal("0.4"))
    post(product=p, quantity=Decimal("7.5"), from_location=a1, kind=MovementKind.ISSUE, actor=clerk,
         reason="damaged")
    post(product=p, quantity=Decimal("30"), to_location=b1, kind=MovementKind.RECEIPT, actor=clerk,
         unit_cost=Decimal("0.35"))
    post(product=p, quantity=Decimal("10"), from_location=b1, to_location=b2, kind=MovementKind.TRANSFER,
         actor=clerk)
    Reservation.objects.create(product=p, warehouse=sh, quantity=Decimal("20"), reference="SO-1", key="r1",
                               created_by=clerk)
    Reservation.objects.create(product=p, warehouse=sh, quantity=Decimal("0.5"), reference="SO-3", key="r3",
                               created_by=clerk, created_at=timezone.now() - timedelta(hours=1))
    Reservation.objects.create(product=p, warehouse=bj, quantity=Decimal("5"), reference="SO-2", key="r2",
                               created_by=clerk, created_at=timezone.now() - timedelta(hours=2))
    Reservation.objects.create(product=p, warehouse=sz, quantity=Decimal("9"), reference="SO-0", key="r0",
                               created_by=clerk, released_at=timezone.now())
    s1, s2 = SupplierFactory(code="s1", name_en="Bolts Ltd"), SupplierFactory(code="s2", name_en="Nuts Co")
    SupplierProductFactory(supplier=s2, product=p, preferred=True, price=Decimal("0.0385"), lead_time_days=10)
    SupplierProductFactory(supplier=s1, product=p, preferred=False, pack_size=Decimal("1000"), moq=Decimal("5000"))
    for number, status, expected in (("PO-8", "approved", date(2026, 12, 20)), ("PO-9", "received", None),
                                     ("PO-10", "draft", None), ("PO-11", "partial", None)):
        order = PurchaseOrder.objects.create(number=number, supplier=s1, warehouse=sh, status=status,
                                             expected_at=expected, created_by=clerk)
        PurchaseOrderLine.objects.create(order=order, product=p, quantity=Decimal("1000"),
                                         received_quantity=Decimal("400"), unit_price=Decimal("0.04"))
    ThresholdFactory(product=p, warehouse=sz, minimum=Decimal("50"), maximum=Decimal("0"))
    ThresholdFactory(product=p, warehouse=sh, minimum=Decimal("100"), maximum=Decimal("5000"))
    StockAlert.objects.create(product=p, warehouse=sz, kind="low", available=Decimal("30"), limit=Decimal("50"))
    StockAlert.objects.create(product=p, warehouse=sh, kind="high", available=Decimal("9000"),
                              limit=Decimal("5000"), cleared_at=timezone.now())
    box = UnitOfMeasure.objects.create(code="box", name_zh="盒", name_en="box")
    ProductUnit.objects.create(product=p, unit=box, factor=Decimal("100"))
    q = ProductFactory(sku="DIN933-M8X30", name_zh="外六角螺栓 M8×30", name_en="Hex screw M8×30")
    post(product=q, quantity=Decimal("12"), to_location=a2, kind=MovementKind.RECEIPT, actor=clerk,
         unit_cost=Decimal("0.5"))
    Reservation.objects.create(product=q, warehouse=sh, quantity=Decimal("2"), reference="SO-5", key="r5",
                               created_by=clerk)
    p.equivalents.add(q)
    return p


def test_product_page_shows_every_section(client_as, stocked_product):
    p = stocked_product
    page = read(client_as("general_manager").get(reverse("inventory:product", args=[p.pk])))
    level = {(lv.location.code): at(lv.last_movement_at) for lv in StockLevel.objects.filter(product=p)}
    moves = list(StockMovement.objects.filter(product=p).order_by("-posted_at", "-pk"))
    cost = [format_price(m.unit_cost) for m in moves]  # issues and transfers at the moving average
    assert page.cards["Stock by warehouse"] == [
        ["Warehouse", "On hand", "Reserved", "Available"],
        ["SH Shanghai main", "1,200", "20.5", "1,179.5"],
        ["SZ 深圳仓", "30", "0", "30"],  # no English name: the Chinese one
        ["BJ Beijing", "0", "5", "-5"],  # reserved only, after the warehouses with bins
    ]
    assert page.cards["Bin locations"] == [  # the emptied bin A-01-01 is not listed
        ["Location", "On hand", "Last movement"],
        ["SH/A-01-02", "1,200 piece", level["A-01-02"]],
        ["SZ/B-01-01", "20 piece", level["B-01-01"]],
        ["SZ/B-02-01", "10 piece", level["B-02-01"]],
    ]
    res = {r.reference: at(r.created_at) for r in Reservation.objects.filter(product=p)}
    assert page.cards["Reservations"] == [
        ["Source document", "Warehouse", "Quantity", "Reserved"],
        ["SO-1", "SH", "20", res["SO-1"]], ["SO-3", "SH", "0.5", res["SO-3"]], ["SO-2", "BJ", "5", res["SO-2"]],
    ]
    incoming = page.cards["Incoming on purchase orders"]  # by expected date; where one without sorts is the database's
    assert incoming[0] == ["Purchase order", "Supplier", "Expected", "Outstanding"]
    assert sorted(incoming[1:]) == [["PO-11", "Bolts Ltd", "—", "600"], ["PO-8", "Bolts Ltd", "2026-12-20", "600"]]
    posted_by = moves[0].actor.get_full_name()  # who posted, by their name as every list names them
    assert page.cards["Movement history All movements"] == [
        ["Posted", "Kind", "From", "To", "Quantity", "Unit cost", "Source document", "Posted by"],
        [at(moves[0].posted_at), "Transfer", "SZ/B-01-01", "SZ/B-02-01", "10", cost[0], "", posted_by],
        [at(moves[1].posted_at), "Receipt", "", "SZ/B-01-01", "30", "¥0.35", "", posted_by],
        [at(moves[2].posted_at), "Issue", "SH/A-01-01", "", "7.5", cost[2], "damaged", posted_by],
        [at(moves[3].posted_at), "Receipt", "", "SH/A-01-01", "7.5", "¥0.40", "", posted_by],
        [at(moves[4].posted_at), "Receipt", "", "SH/A-01-02", "1,200", "¥0.0392", "PO-7 Opening stock", posted_by],
    ]
    assert page.cards["Thresholds"] == [["Warehouse", "Min", "Max"], ["SH", "100", "5,000"], ["SZ", "50", "0"]]
    form = page.choices[page.choices.index(("", "---------")):]  # the threshold form's warehouses
    assert form == [("", "---------"), *((str(w.pk), f"{w.code} {w.name}") for w in Warehouse.objects.order_by("code"))]
    assert [name for _, name in form] == ["---------", "BJ Beijing", "SH Shanghai main", "SZ 深圳仓"]
    assert page.cards["Suppliers"] == [["Bolts Ltd ¥0.45 · 7 days · pack 1,000 · MOQ 5,000"],
                                       ["Nuts Co ¥0.0385 · 10 days · pack 100 · MOQ 0"]]
    assert page.cards["Equivalent products"] == [["DIN933-M8X30 Hex screw M8×30available 10"]]
    assert ["1 box", "= 100 piece"] in page.cards["Details"]
    assert page.alerts == ["Below minimum in 深圳仓 (minimum 50). Equivalent products are listed below."]


def test_product_page_in_chinese(client_as, stocked_product):
    p = stocked_product
    client = client_as("general_manager")
    page = read(client.get(reverse("inventory:product", args=[p.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert page.cards["各仓库存"] == [
        ["仓库", "现存量", "预留量", "可用量"], ["SH 上海总仓", "1,200", "20.5", "1,179.5"],
        ["SZ 深圳仓", "30", "0", "30"], ["BJ 北京仓", "0", "5", "-5"]]
    assert page.cards["库位"][1] == ["SH/A-01-02", "1,200 个", at(StockLevel.objects.get(
        product=p, location__code="A-01-02").last_movement_at)]
    assert page.cards["预留"][0] == ["来源单据", "仓库", "数量", "预留量"]
    history = page.cards["出入库记录 全部出入库记录"]
    assert history[0] == ["过账时间", "类型", "从", "到", "数量", "单位成本", "来源单据", "过账人"]
    assert [r[1] for r in history[1:]] == ["调拨", "入库", "出库", "入库", "入库"]
    assert history[-1][6] == "PO-7 期初库存"
    clerk = StockMovement.objects.filter(product=p).first().actor
    clerk.first_name, clerk.last_name = "陈强", ""
    clerk.save(update_fields=["first_name", "last_name"])
    history = read(client.get(reverse("inventory:product", args=[p.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")).cards[
        "出入库记录 全部出入库记录"]
    assert {r[7] for r in history[1:]} == {"陈强"}  # who posted, by their name as every list names them
    assert page.cards["库存上下限"] == [["仓库", "最低", "最高"], ["SH", "100", "5,000"], ["SZ", "50", "0"]]
    assert page.cards["替代商品"] == [["DIN933-M8X30 外六角螺栓 M8×30可用 10"]]
    assert page.alerts == ["在 深圳仓 低于最低库存（最低 50）。 可替代商品见下方。"]


def test_product_page_without_threshold_rights_has_no_form(client_as, stocked_product):
    response = client_as("warehouse_clerk").get(reverse("inventory:product", args=[stocked_product.pk]))
    page = read(response)
    assert ("", "---------") not in page.choices
    assert reverse("inventory:product_threshold", args=[stocked_product.pk]) not in response.content.decode()
    assert page.cards["Thresholds"] == [["Warehouse", "Min", "Max"], ["SH", "100", "5,000"], ["SZ", "50", "0"]]


def test_a_warehouse_reserved_beyond_the_listed_reservations(client_as, stocked_product):
    """Only the latest 50 reservations are listed; the warehouse's reserved figure counts them all."""
    p = stocked_product
    sh = StockLevel.objects.filter(product=p).first().warehouse
    clerk = Reservation.objects.first().created_by
    Reservation.objects.bulk_create([Reservation(product=p, warehouse=sh, quantity=Decimal("1"), reference=f"SO-{n}",
                                                 key=f"many{n}", created_by=clerk,
                                                 created_at=timezone.now() - timedelta(days=1, minutes=n))
                                     for n in range(60)])
    page = read(client_as("general_manager").get(reverse("inventory:product", args=[p.pk])))
    assert page.cards["Stock by warehouse"][1] == ["SH Shanghai main", "1,200", "80.5", "1,119.5"]
    assert len(page.cards["Reservations"]) == 1 + 50
    assert page.cards["Reservations"][1][0] == "SO-1"


def test_product_page_statements(client_as, stocked_product, django_assert_max_num_queries):
    """The page's own statements: the product, the warehouses, its bins, reservations, thresholds, purchase lines,
    movements, units, suppliers, equivalents, alerts; the session, the user, permissions, the training gates, the
    bell's count, pending key-data changes and the history are the rest."""
    client = client_as("general_manager")
    url = reverse("inventory:product", args=[stocked_product.pk])
    client.get(url)
    with django_assert_max_num_queries(22):
        assert client.get(url).status_code == 200
