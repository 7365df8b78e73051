"""Each built-in KPI whose app has landed: records built by hand → the exact value and the evidence list.

KPIs whose app has not landed yet show "no data" (tested in test_engine with a missing selector)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.choices import TaskStatusChoices
from crm.models import ContactRecord
from performance import services
from performance.models import KPIValue, Scorecard
from support.models import Ticket
from tests.factories.crm import CustomerFactory, RecordFactory, TaskFactory
from tests.factories.performance import month, person
from tests.factories.support import TicketFactory

pytestmark = pytest.mark.django_db
D = Decimal
TZ = timezone.get_default_timezone()


def at(day, hour=10, minute=0, mon=10):
    return datetime.datetime(2026, mon, day, hour, minute, tzinfo=TZ)


def value_of(user, code):
    return KPIValue.objects.select_related("kpi").get(scorecard__employee=user, kpi__code=code,
                                                      scorecard__period__kind="month")


def evidence(v):
    return list(v.evidence.values_list("model", "object_id", "ok", "value"))


# ---------------------------------------------------------------- crm

def test_followups_on_time(make_user):
    rep = person("sales_rep", username="rep-kpi")
    customer = CustomerFactory(owner=rep)
    on_time = TaskFactory(customer=customer, assignee=rep, due_at=at(5), status=TaskStatusChoices.DONE,
                          done_at=at(5, 9))
    late = TaskFactory(customer=customer, assignee=rep, due_at=at(6), status=TaskStatusChoices.DONE,
                       done_at=at(7))
    never = TaskFactory(customer=customer, assignee=rep, due_at=at(20), status=TaskStatusChoices.OPEN)
    TaskFactory(customer=customer, assignee=rep, due_at=at(21), status=TaskStatusChoices.CANCELLED)  # not counted
    TaskFactory(customer=customer, assignee=rep, due_at=at(2, mon=11))  # next period
    services.compute_period(month())
    v = value_of(rep, "followups_on_time")
    assert (v.value, v.records, v.records_ok) == (D("33.33"), 3, 1)
    assert evidence(v) == [("crm.followuptask", str(on_time.pk), True, None),
                           ("crm.followuptask", str(late.pk), False, None),
                           ("crm.followuptask", str(never.pk), False, None)]
    first = v.evidence.first()
    assert first.url == customer.get_absolute_url() and customer.name in first.label
    # 33.33 of a 90 % target = 37 % achievement → the lowest band, 20 points
    assert v.score == D("20.00") and v.missing_sources == []


def test_contact_entry_timeliness_in_entry_timeliness(make_user):
    rep = person("sales_rep", username="rep-entry")
    customer = CustomerFactory(owner=rep)
    prompt = RecordFactory(customer=customer, created_by=rep, occurred_at=at(3, 9))
    late = RecordFactory(customer=customer, created_by=rep, occurred_at=at(3, 9))
    ContactRecord.objects.filter(pk=prompt.pk).update(created_at=at(3, 17))
    ContactRecord.objects.filter(pk=late.pk).update(created_at=at(5, 10))
    services.compute_period(month())
    v = value_of(rep, "entry_timeliness")
    assert (v.value, v.records, v.records_ok) == (D("50.00"), 2, 1)
    assert evidence(v) == [("crm.contactrecord", str(prompt.pk), True, None),
                           ("crm.contactrecord", str(late.pk), False, None)]
    # orders and inventory have not landed: their selectors are listed, the crm records still count
    assert "crm.selectors.kpi_contact_entry_timeliness" not in v.missing_sources


# ---------------------------------------------------------------- support

def _ticket(it, **kwargs):
    t = TicketFactory(assignee=it, status="closed")
    Ticket.objects.filter(pk=t.pk).update(**kwargs)
    return Ticket.objects.get(pk=t.pk)


def test_tickets_sla_met_and_satisfaction(make_user):
    it = person("it_admin", username="it-kpi")
    fast = _ticket(it, resolution_due=at(4, 18), resolved_at=at(4, 11), closed_at=at(4, 12), rating=5)
    slow = _ticket(it, resolution_due=at(8, 18), resolved_at=at(9, 10), closed_at=at(9, 11), rating=2)
    unrated = _ticket(it, resolution_due=at(12, 18), resolved_at=at(12, 17), closed_at=at(12, 17))
    _ticket(it, resolution_due=at(30, 18), resolved_at=at(3, 9, mon=11), closed_at=at(3, 9, mon=11), rating=4)
    services.compute_period(month())
    sla = value_of(it, "tickets_sla_met")
    assert (sla.value, sla.records, sla.records_ok) == (D("66.67"), 3, 2)
    assert evidence(sla) == [("support.ticket", str(fast.pk), True, None),
                             ("support.ticket", str(slow.pk), False, None),
                             ("support.ticket", str(unrated.pk), True, None)]
    sat = value_of(it, "ticket_satisfaction")
    assert (sat.value, sat.records) == (D("3.50"), 2)
    assert evidence(sat) == [("support.ticket", str(fast.pk), True, D("5.00")),
                             ("support.ticket", str(slow.pk), False, D("2.00"))]
    # 3.5 of a 4.5 target = 77.78 % → band 60 → 50 points; SLA 66.67/90 = 74 % → 50 points
    assert (sat.score, sla.score) == (D("50.00"), D("50.00"))
    sc = Scorecard.objects.get(employee=it, period__kind="month")
    # IT admin: SLA 35, satisfaction 25 have data; courses, quiz and import errors have none → 50
    assert (sc.computed_score, sc.coverage) == (D("50.00"), D("60.00"))


# ---------------------------------------------------------------- training

def test_required_courses_on_time_and_quiz_average(make_user):
    from tests.factories.training import CourseFactory, make_quiz
    from training.models import Enrollment, QuizAttempt

    clerk = person("warehouse_clerk", username="clerk-kpi")
    c1, c2, c3, c4 = (CourseFactory() for _ in range(4))
    done = Enrollment.objects.create(user=clerk, course=c1, required=True, due_date=datetime.date(2026, 10, 10),
                                     completed_at=at(10, 20))
    late = Enrollment.objects.create(user=clerk, course=c2, required=True, due_date=datetime.date(2026, 10, 12),
                                     completed_at=at(13, 9))
    Enrollment.objects.create(user=clerk, course=c3, required=False, due_date=datetime.date(2026, 10, 12))
    Enrollment.objects.create(user=clerk, course=c4, required=True, due_date=datetime.date(2026, 11, 2))
    quiz = make_quiz(c1)
    a1 = QuizAttempt.objects.create(quiz=quiz, user=clerk, number=1, submitted_at=at(6), score=D("62.5"),
                                    passed=False)
    a2 = QuizAttempt.objects.create(quiz=quiz, user=clerk, number=2, submitted_at=at(7), score=D("87.5"),
                                    passed=True)
    QuizAttempt.objects.create(quiz=quiz, user=clerk, number=3, submitted_at=None)  # not submitted
    services.compute_period(month())
    courses = value_of(clerk, "required_courses_on_time")
    assert (courses.value, courses.records, courses.records_ok) == (D("50.00"), 2, 1)
    assert evidence(courses) == [("training.enrollment", str(done.pk), True, None),
                                 ("training.enrollment", str(late.pk), False, None)]
    quiz_avg = value_of(clerk, "quiz_average")
    assert (quiz_avg.value, quiz_avg.records) == (D("75.00"), 2)
    assert evidence(quiz_avg) == [("training.quizattempt", str(a1.pk), False, D("62.50")),
                                  ("training.quizattempt", str(a2.pk), True, D("87.50"))]


# ---------------------------------------------------------------- orders

def test_order_entry_timeliness_and_approval_lead_time(make_user):
    from orders.models import SalesOrder
    from tests.factories.orders import make_world

    w = make_world(make_user)
    mgr = person("sales_manager", username="mgr-kpi")
    quick, slow = w.order(), w.order()
    SalesOrder.objects.filter(pk=quick.pk).update(created_at=at(5, 9), submitted_at=at(5, 11), approved_by=mgr,
                                                  approved_at=at(5, 14))
    SalesOrder.objects.filter(pk=slow.pk).update(created_at=at(6, 9), submitted_at=at(8, 9), approved_by=mgr,
                                                 approved_at=at(8, 19))
    # a rejection counts too, from the submission it answered (not from an earlier or later one)
    from orders.models import OrderEvent

    rejected = w.order()
    for status, when, actor in (("submitted", at(1, 9), w.rep), ("rejected", at(1, 10), mgr),
                                ("draft", at(2, 9), w.rep), ("submitted", at(10, 9), w.rep),
                                ("rejected", at(10, 17), mgr), ("submitted", at(12, 9), w.rep)):
        e = OrderEvent.objects.create(order=rejected, actor=actor, to_status=status)
        OrderEvent.objects.filter(pk=e.pk).update(at=when)
    SalesOrder.objects.filter(pk=rejected.pk).update(created_at=at(20, 9), submitted_at=None)
    services.compute_period(month())
    entry = value_of(w.rep, "entry_timeliness")
    assert (entry.value, entry.records, entry.records_ok) == (D("50.00"), 2, 1)
    assert evidence(entry) == [("orders.salesorder", str(quick.pk), True, D("2.00")),
                               ("orders.salesorder", str(slow.pk), False, D("48.00"))]
    lead = value_of(mgr, "approval_lead_time")
    # approvals 3 h and 10 h, rejections 1 h and 8 h: 22 / 4 = 5.5 h against ≤ 4 h: 72.73 % → 50 points
    assert (lead.value, lead.records, lead.score) == (D("5.50"), 4, D("50.00"))
    assert evidence(lead) == [("orders.salesorder", str(quick.pk), True, D("3.00")),
                              ("orders.salesorder", str(slow.pk), True, D("10.00")),
                              ("orders.salesorder", str(rejected.pk), True, D("1.00")),
                              ("orders.salesorder", str(rejected.pk), True, D("8.00"))]


def test_shipping_lead_time(make_user):
    from orders import services as order_services
    from orders.models import SalesOrder, Shipment
    from tests.factories.orders import make_world

    w = make_world(make_user)
    shipper = person("sales_manager", username="mgr-ship")  # the role that ships orders
    p0 = w.products[0]
    fast = order_services.submit_order(w.order([{"product": p0, "quantity": "20"}]), actor=w.rep)
    slow = order_services.submit_order(w.order([{"product": p0, "quantity": "30"}]), actor=w.rep)
    line = slow.lines.get()
    s1 = order_services.ship_order(fast, quantities={fast.lines.get().pk: "20"}, actor=shipper)
    s2 = order_services.ship_order(slow, quantities={line.pk: "10"}, actor=shipper)  # a partial shipment
    s3 = order_services.ship_order(slow, quantities={line.pk: "20"}, actor=shipper)  # its back-order
    SalesOrder.objects.filter(pk=fast.pk).update(approved_at=at(5, 9))
    SalesOrder.objects.filter(pk=slow.pk).update(approved_at=at(6, 9))
    Shipment.objects.filter(pk=s1.pk).update(shipped_at=at(5, 15))  # 6 h
    Shipment.objects.filter(pk=s2.pk).update(shipped_at=at(7, 9))  # 24 h
    Shipment.objects.filter(pk=s3.pk).update(shipped_at=at(9, 21))  # 84 h, from the same approval
    services.compute_period(month())
    v = value_of(shipper, "shipping_lead_time")
    # (6 + 24 + 84) / 3 = 38 h against ≤ 48 h: on target → 100 points
    assert (v.value, v.records, v.score) == (D("38.00"), 3, D("100.00"))
    assert evidence(v) == [("orders.shipment", str(s1.pk), True, D("6.00")),
                           ("orders.shipment", str(s2.pk), True, D("24.00")),
                           ("orders.shipment", str(s3.pk), True, D("84.00"))]
    assert v.evidence.first().url == reverse("orders:order", args=[fast.pk])


# ---------------------------------------------------------------- governance

def _change_request(requester, status, created, reviewed=None, reviewer=None):
    import json

    from django.contrib.contenttypes.models import ContentType

    from governance.models import ChangeRequest

    customer = CustomerFactory(owner=requester)
    return ChangeRequest.objects.create(
        content_type=ContentType.objects.get_for_model(customer), object_id=customer.pk, object_repr=str(customer),
        field_names="credit_limit", changes_data=json.dumps({"credit_limit": {"old": "0", "new": "50000"}}),
        base_fingerprint="x", requester=requester, status=status, reviewer=reviewer, created_at=created,
        reviewed_at=reviewed)


def test_change_requests_approved(make_user):
    rep = person("sales_rep", username="rep-cr")
    mgr = person("sales_manager", username="mgr-cr")
    approved = _change_request(rep, "approved", at(3), at(3, 15), mgr)
    rejected = _change_request(rep, "rejected", at(8), at(9), mgr)
    late_decision = _change_request(rep, "rejected", at(29, mon=9), at(2), mgr)  # asked in September
    _change_request(rep, "pending", at(20))  # not decided: not counted
    _change_request(rep, "approved", at(30), at(2, mon=11), mgr)  # decided in November
    _change_request(mgr, "rejected", at(4), at(5), mgr)  # someone else's
    services.compute_period(month())
    v = value_of(rep, "change_requests_approved")
    assert (v.value, v.records, v.records_ok) == (D("33.33"), 3, 1)
    assert evidence(v) == [("governance.changerequest", str(approved.pk), True, None),
                           ("governance.changerequest", str(rejected.pk), False, None),
                           ("governance.changerequest", str(late_decision.pk), False, None)]
    assert v.evidence.get(object_id=str(approved.pk)).url == approved.get_absolute_url()
    # 33.33 of a 90 % target = 37 % → 20 points
    assert v.score == D("20.00")


def test_import_error_rate(make_user):
    from governance.models import ImportLog

    it = person("it_admin", username="it-imports")
    a = ImportLog.objects.create(user=it, model_label="crm.customer", file_name="a.xlsx", total_rows=200,
                                 error_rows=3, created_at=at(4))
    b = ImportLog.objects.create(user=it, model_label="inventory.product", file_name="b.csv", total_rows=50,
                                 error_rows=0, created_at=at(11))
    c = ImportLog.objects.create(user=it, model_label="crm.contact", file_name="c.csv", total_rows=8,
                                 error_rows=1, created_at=at(25))
    ImportLog.objects.create(user=it, model_label="crm.customer", file_name="d.xlsx", total_rows=10, error_rows=10,
                             created_at=at(1, mon=11))  # next period
    services.compute_period(month())
    v = value_of(it, "import_error_rate")
    # per import: 1.5 %, 0 %, 12.5 % of rows refused → average 4.67 % against ≤ 2 %: 42.83 % → 20 points
    assert (v.value, v.records, v.records_ok) == (D("4.67"), 3, 1)
    assert evidence(v) == [("governance.importlog", str(a.pk), False, D("1.50")),
                           ("governance.importlog", str(b.pk), True, D("0.00")),
                           ("governance.importlog", str(c.pk), False, D("12.50"))]
    assert v.score == D("20.00")


# ---------------------------------------------------------------- inventory

@pytest.fixture
def stock_place():
    from tests.factories.inventory import LocationFactory, ProductFactory, WarehouseFactory

    wh = WarehouseFactory()
    return wh, [LocationFactory(warehouse=wh, code=f"A-0{i}-01") for i in (1, 2, 3)], \
        [ProductFactory() for _ in range(4)]


def test_movement_entry_timeliness(make_user, stock_place):
    from inventory import services as stock
    from inventory.models import StockMovement

    _wh, bins, products = stock_place
    clerk = person("warehouse_clerk", username="clerk-moves")
    other = person("warehouse_clerk", username="clerk-other")

    def move(actor, happened, posted, kind="receipt", **kw):
        m = stock.post_movement(product=products[0], quantity=5, to_location=bins[0], kind=kind, actor=actor,
                                unit_cost=1, occurred_at=happened, **kw)
        StockMovement.objects.filter(pk=m.pk).update(posted_at=posted)
        return m

    prompt = move(clerk, at(3, 8), at(3, 11))  # a receipt posted 3 h after the goods came
    late = move(clerk, at(6, 8), at(7, 9))  # 25 h
    edge = move(clerk, at(8, 8), at(9, 8))  # exactly 24 h: in time
    issue = stock.post_movement(product=products[0], quantity=2, from_location=bins[0], kind="issue",
                                actor=clerk, occurred_at=at(12, 9))
    StockMovement.objects.filter(pk=issue.pk).update(posted_at=at(14, 9))  # 48 h
    move(clerk, at(15, 8), at(15, 9), kind="stocktake")  # a stocktake correction is no entry
    move(other, at(16, 8), at(19, 9))  # someone else's
    move(clerk, at(30, 8), at(2, 9, mon=11))  # posted in November
    services.compute_period(month())
    v = value_of(clerk, "entry_timeliness")
    assert (v.value, v.records, v.records_ok) == (D("50.00"), 4, 2)
    assert evidence(v) == [("inventory.stockmovement", str(prompt.pk), True, None),
                           ("inventory.stockmovement", str(late.pk), False, None),
                           ("inventory.stockmovement", str(edge.pk), True, None),
                           ("inventory.stockmovement", str(issue.pk), False, None)]
    assert v.evidence.first().url == reverse("inventory:product", args=[products[0].pk])


def _stocktake(wh, opener, status, approved_at=None, number="ST-T1"):
    from inventory.models import Stocktake

    return Stocktake.objects.create(number=number, warehouse=wh, opened_by=opener, opened_at=at(18),
                                    status=status, approved_at=approved_at, approved_by=opener if approved_at else None,
                                    recount_threshold_pct=D("5"))


def _line(st, product, location, expected, counted, **kw):
    from inventory.models import StocktakeLine

    return StocktakeLine.objects.create(stocktake=st, product=product, location=location, expected=expected,
                                        counted=counted, **kw)


def _entry(line, who, method, qty, when, recount=False):
    from inventory.models import CountEntry

    return CountEntry.objects.create(line=line, quantity=qty, method=method, counted_by=who, at=when, recount=recount)


def test_stocktake_accuracy_by_counter(make_user, stock_place):
    wh, bins, products = stock_place
    clerk = person("warehouse_clerk", username="clerk-count")
    other = person("warehouse_clerk", username="clerk-recount")
    mgr = person("sales_manager", username="mgr-count")
    st = _stocktake(wh, mgr, "approved", at(20, 17))
    exact = _line(st, products[0], bins[0], 100, 100)
    _entry(exact, clerk, "scan", 100, at(19, 9))
    small = _line(st, products[1], bins[0], 100, 103)  # 3 % off: within the 5 % tolerance
    _entry(small, clerk, "typed", 103, at(19, 10))
    wrong = _line(st, products[2], bins[1], 50, 40)  # 20 % off after its recount
    _entry(wrong, clerk, "scan", 38, at(19, 11))
    _entry(wrong, other, "typed", 40, at(20, 9), recount=True)
    theirs = _line(st, products[3], bins[2], 10, 10)  # counted by the other clerk only
    _entry(theirs, other, "scan", 10, at(19, 12))
    counting = _stocktake(wh, mgr, "counting", number="ST-T2")  # not approved: not counted
    _entry(_line(counting, products[0], bins[1], 5, 1), clerk, "scan", 1, at(21))
    november = _stocktake(wh, mgr, "approved", at(2, 10, mon=11), number="ST-T3")
    _entry(_line(november, products[0], bins[2], 5, 1), clerk, "scan", 1, at(30))
    services.compute_period(month())
    v = value_of(clerk, "stocktake_accuracy")
    assert (v.value, v.records, v.records_ok) == (D("66.67"), 3, 2)
    assert evidence(v) == [("inventory.stocktakeline", str(exact.pk), True, None),
                           ("inventory.stocktakeline", str(small.pk), True, None),
                           ("inventory.stocktakeline", str(wrong.pk), False, None)]
    assert "20.0%" in v.evidence.get(object_id=str(wrong.pk)).detail
    assert v.evidence.first().url == st.get_absolute_url()
    mine = value_of(other, "stocktake_accuracy")  # the recounter answers for the lines they counted
    assert (mine.value, mine.records) == (D("50.00"), 2)
    assert evidence(mine) == [("inventory.stocktakeline", str(wrong.pk), False, None),
                              ("inventory.stocktakeline", str(theirs.pk), True, None)]


def test_scanning_share(make_user, stock_place):
    wh, bins, products = stock_place
    clerk = person("warehouse_clerk", username="clerk-scan")
    mgr = person("sales_manager", username="mgr-scan")
    st = _stocktake(wh, mgr, "counting")
    line = _line(st, products[0], bins[0], 10, 9)
    scan1 = _entry(line, clerk, "scan", 1, at(19, 9))
    typed = _entry(line, clerk, "typed", 5, at(19, 10))
    weighed = _entry(_line(st, products[1], bins[0], 20, 20), clerk, "weight", 20, at(19, 11))
    scan2 = _entry(line, clerk, "scan", 3, at(20, 9))
    _entry(line, mgr, "typed", 1, at(20, 10))  # someone else's entry
    _entry(line, clerk, "typed", 1, at(1, 9, mon=11))  # next period
    services.compute_period(month())
    v = value_of(clerk, "scanning_share")
    assert (v.value, v.records, v.records_ok) == (D("50.00"), 4, 2)
    assert evidence(v) == [("inventory.countentry", str(scan1.pk), True, None),
                           ("inventory.countentry", str(typed.pk), False, None),
                           ("inventory.countentry", str(weighed.pk), False, None),
                           ("inventory.countentry", str(scan2.pk), True, None)]
    # 50 of an 80 % target = 62.5 % → 50 points
    assert v.score == D("50.00")
