from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from orders import services
from orders.models import ReviewSettings, SalesOrder
from tests.factories.crm import CustomerFactory, OpportunityFactory

D = Decimal
pytestmark = pytest.mark.django_db


def _many_orders(world, n=30):
    orders = []
    for i in range(n):
        orders.append(world.order([{"product": world.products[i % 2], "quantity": 1 + i}]))
    return orders


def test_rep_sees_own_orders_only(world, client_as, make_user):
    mine = world.order()
    other_rep = make_user("sales_rep")
    other_customer = CustomerFactory(owner=other_rep)
    theirs = world.order(customer=other_customer, actor=other_rep)
    c = client_as(user=world.rep)
    page = c.get(reverse("orders:order_list"))
    assert page.status_code == 200
    assert mine.number in page.content.decode() and theirs.number not in page.content.decode()
    assert c.get(reverse("orders:order", args=[theirs.pk])).status_code == 404
    assert c.get(reverse("orders:order_pdf", args=[theirs.pk])).status_code == 404
    assert c.post(reverse("orders:order_transition", args=[theirs.pk]), {"to": "submitted"}).status_code == 404
    assert c.get(reverse("orders:order", args=[mine.pk])).status_code == 200
    # the views orders serves for the CRM do not show another rep's customer either
    won = OpportunityFactory(customer=other_customer, owner=other_rep, stage="won")
    assert c.get(reverse("orders:customer_purchases", args=[other_customer.pk])).status_code == 404
    assert c.get(reverse("orders:order_from_opportunity", args=[won.pk])).status_code == 404
    assert c.get(reverse("orders:customer_lookup"), {"q": other_customer.name}).json()["results"] == []
    form = c.get(reverse("orders:order_create"), {"customer": other_customer.pk})
    assert form.status_code == 200 and other_customer.name not in form.content.decode()


def test_order_list_filters_search_and_query_count(world, client_as, django_assert_max_num_queries, manager):
    orders = _many_orders(world)
    services.submit_order(orders[0], actor=world.rep)
    sh = services.ship_order(orders[0], quantities={orders[0].lines.get().pk: "1"}, actor=manager,
                             tracking_number="YT12345")
    c = client_as("sales_manager")
    with django_assert_max_num_queries(20):  # 25 rows on the page: no query per row
        page = c.get(reverse("orders:order_list"))
    assert page.status_code == 200 and page.content.decode().count('data-status="draft"') == 25
    found = c.get(reverse("orders:order_list"), {"q": "YT12345"}).content.decode()
    assert orders[0].number in found and orders[1].number not in found
    assert sh.tracking_number
    shipped = c.get(reverse("orders:order_list"), {"status": "shipped"}).content.decode()
    assert orders[0].number in shipped and orders[2].number not in shipped
    big = c.get(reverse("orders:order_list"), {"amount_min": "60"}).content.decode()
    assert orders[29].number in big and orders[0].number not in big
    export = c.get(reverse("orders:order_list"), {"_export": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")


def test_create_order_through_the_form(world, client_as):
    c = client_as(user=world.rep)
    data = {"customer": world.customer.pk, "warehouse": world.warehouse.pk, "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "200",
            "lines-0-product": world.products[0].pk, "lines-0-quantity": "12", "lines-1-product": "",
            "lines-1-quantity": ""}
    resp = c.post(reverse("orders:order_create"), data)
    order = SalesOrder.objects.get()
    assert resp.status_code == 302 and resp["Location"] == order.get_absolute_url()
    assert order.total == D("27.12") and order.salesperson == world.rep and order.payment_terms_days == 30
    # bad input: every error at once, nothing saved
    data.update({"lines-0-quantity": "", "lines-1-product": world.products[1].pk, "lines-1-quantity": "-1"})
    resp = c.post(reverse("orders:order_create"), data)
    body = resp.content.decode()
    assert resp.status_code == 200 and "Enter the quantity." in body and "greater than or equal" in body
    assert SalesOrder.objects.count() == 1


def test_order_page_submit_and_manager_approve(world, client_as, make_user):
    ReviewSettings.current()
    ReviewSettings.objects.update(min_margin_percent=D("60"))
    order = world.order()
    rep = client_as(user=world.rep)
    rep.post(reverse("orders:order_transition", args=[order.pk]), {"to": "submitted"})
    order.refresh_from_db()
    assert order.status == "submitted"
    page = rep.get(reverse("orders:order", args=[order.pk])).content.decode()
    assert "Margin" in page and 'data-testid="approve-sales"' not in page and 'data-testid="why-not-sales"' in page
    mgr = make_user("sales_manager")
    rep.force_login(mgr)
    queue = rep.get(reverse("orders:review_queue")).content.decode()
    assert order.number in queue
    rep.post(reverse("orders:order_transition", args=[order.pk]), {"to": "approved"})
    order.refresh_from_db()
    assert order.status == "approved" and world.reserved(world.products[0]) == D("100")
    assert client_as("sales_rep").get(reverse("orders:review_queue")).status_code == 403


def test_pdfs(world, client_as, manager):
    order = services.submit_order(world.order(), actor=world.rep)
    sh = services.ship_order(order, quantities={order.lines.get().pk: "40"}, actor=manager)
    c = client_as(user=manager)
    for url in (reverse("orders:order_pdf", args=[order.pk]), reverse("orders:picking_pdf", args=[order.pk]),
                reverse("orders:order_statement_pdf", args=[order.pk]),
                reverse("orders:delivery_note_pdf", args=[sh.pk]), reverse("orders:issue_note_pdf", args=[sh.pk]),
                reverse("orders:warehouse_picking_pdf", args=[world.warehouse.pk])):
        resp = c.get(url)
        assert resp.status_code == 200 and resp.content.startswith(b"%PDF"), url


def test_status_page_public_and_revocable(world, client):
    order = world.order()
    url = reverse("orders:status_page", args=[services.status_link_token(order)])
    page = client.get(url)
    assert page.status_code == 200 and order.number in page.content.decode()
    assert "Hardware ERP" not in page.content.decode()
    assert client.get(url[:-3] + "xx/").status_code == 404
    services.revoke_status_link(order, actor=world.rep)
    gone = client.get(url)
    assert gone.status_code == 404 and 'data-testid="status-invalid"' in gone.content.decode()


def test_payment_page_refuses_too_much(world, client_as, manager):
    order = services.submit_order(world.order(), actor=world.rep)
    services.ship_order(order, quantities={order.lines.get().pk: "100"}, actor=manager)
    c = client_as("finance_clerk")
    url = reverse("orders:payment_create")
    assert order.number in c.get(url, {"customer": world.customer.pk}).content.decode()
    resp = c.post(url, {"customer": world.customer.pk, "method": "alipay", "amount": "300",
                        "received_on": "2026-11-20", f"alloc_{order.pk}": "300"})
    assert resp.status_code == 200 and "more than its balance" in resp.content.decode()
    resp = c.post(url, {"customer": world.customer.pk, "method": "alipay", "amount": "100",
                        "received_on": "2026-11-20", f"alloc_{order.pk}": "100"})
    assert resp.status_code == 302
    order.refresh_from_db()
    assert order.paid_amount == D("100.00")


def test_reports_and_fragments(world, client_as, manager, django_assert_max_num_queries):
    for o in _many_orders(world, 12):
        services.submit_order(o, actor=world.rep)
        services.ship_order(o, quantities={o.lines.get().pk: o.lines.get().base_quantity}, actor=manager)
    c = client_as("general_manager")
    # on SQLite (the embedded default) the customer and product charts are five selectors, not two statements
    with django_assert_max_num_queries(24 if connection.vendor == "postgresql" else 27):
        page = c.get(reverse("orders:analytics"))
    assert page.status_code == 200 and 'data-testid="chart-salesperson"' in page.content.decode()
    for key in ("period", "salesperson", "region", "customer_type", "category", "products", "customers"):
        resp = c.get(reverse("orders:analytics"), {"_export": key})
        assert resp.status_code == 200 and resp["Content-Disposition"].endswith(f'{key}.xlsx"')
    with django_assert_max_num_queries(16):
        rec = c.get(reverse("orders:receivables"))
    assert world.customer.name in rec.content.decode()
    assert c.get(reverse("orders:receivables"), {"_export": "xlsx"}).status_code == 200
    with django_assert_max_num_queries(16):
        frag = c.get(reverse("orders:customer_purchases", args=[world.customer.pk]))
    assert 'data-testid="customer-purchases"' in frag.content.decode()
    assert c.get(reverse("orders:rep_month_fragment")).status_code == 200
    assert c.get(reverse("orders:statement_pdf", args=[world.customer.pk])).content.startswith(b"%PDF")


def test_order_from_won_opportunity(world, client_as):
    opp = OpportunityFactory(customer=world.customer, stage="won", owner=world.rep)
    c = client_as(user=world.rep)
    resp = c.get(reverse("orders:order_from_opportunity", args=[opp.pk]))
    assert resp.status_code == 302 and f"opportunity={opp.pk}" in resp["Location"]
    data = {"customer": world.customer.pk, "warehouse": world.warehouse.pk, "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "200",
            "lines-0-product": world.products[0].pk, "lines-0-quantity": "3"}
    c.post(resp["Location"], data)
    order = SalesOrder.objects.get()
    assert order.opportunity == opp
    again = c.get(reverse("orders:order_from_opportunity", args=[opp.pk]))
    assert again["Location"] == order.get_absolute_url()
    lost = OpportunityFactory(customer=world.customer, stage="lost", owner=world.rep)
    assert c.get(reverse("orders:order_from_opportunity", args=[lost.pk])).status_code == 302
    assert SalesOrder.objects.count() == 1


def test_every_page_opens_for_a_manager(world, client_as, manager):
    order = services.submit_order(world.order(), actor=world.rep)
    sh = services.ship_order(order, quantities={order.lines.get().pk: "10"}, actor=manager)
    c = client_as("general_manager")
    for name, args in [("index", []), ("quotation_list", []), ("order_create", []), ("quotation_create", []),
                       ("order_ship", [order.pk]), ("order_return", [order.pk]), ("shipment_list", []),
                       ("shipment", [sh.pk]), ("payment_list", []), ("payment_create", []), ("picking", []),
                       ("invoice_queue", []), ("review_settings", []), ("pricerule_list", []),
                       ("pricerule_create", []), ("carrier_list", []), ("carrier_create", []),
                       ("invoice_request", [order.pk]), ("review_queue", [])]:
        assert c.get(reverse(f"orders:{name}", args=args)).status_code == 200, name


def test_price_rule_and_carrier_lists_filter_and_export(world, client_as):
    from tests.factories.orders import CarrierFactory, PriceRuleFactory

    PriceRuleFactory(level="a", product=world.products[0], discount_percent=D("8"))
    PriceRuleFactory(level="vip", category=world.products[1].category, discount_percent=D("12"))
    CarrierFactory(name="顺丰速运", code="shunfeng", adapter="kuaidi100")
    CarrierFactory(name="自提", code="", adapter="manual", active=False)
    client = client_as("sales_manager")
    rules = client.get(reverse("orders:pricerule_list"), {"q": world.products[0].sku}).context["table"].data
    assert [r.product for r in rules] == [world.products[0]]
    assert [r.level for r in client.get(reverse("orders:pricerule_list"), {"level": "vip"}).context["table"].data] \
        == ["vip"]
    carriers = client.get(reverse("orders:carrier_list"), {"q": "shunfeng"}).context["table"].data
    assert [c.name for c in carriers] == ["顺丰速运"]
    carriers = client.get(reverse("orders:carrier_list"), {"active": "false"}).context["table"].data
    assert [c.name for c in carriers] == ["自提"]
    r = client.get(reverse("orders:carrier_list"), {"q": "没有这家"})
    assert 'data-testid="empty-state"' in r.content.decode()
    for name in ("orders:pricerule_list", "orders:carrier_list"):
        r = client.get(reverse(name), {"_export": "xlsx"})
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
