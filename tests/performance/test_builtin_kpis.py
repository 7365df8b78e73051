"""Each built-in KPI whose app has landed: records built by hand → the exact value and the evidence list.

KPIs whose app has not landed yet show "no data" (tested in test_engine with a missing selector)."""

import datetime
from decimal import Decimal

import pytest
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
    services.compute_period(month())
    entry = value_of(w.rep, "entry_timeliness")
    assert (entry.value, entry.records, entry.records_ok) == (D("50.00"), 2, 1)
    assert evidence(entry) == [("orders.salesorder", str(quick.pk), True, D("2.00")),
                               ("orders.salesorder", str(slow.pk), False, D("48.00"))]
    lead = value_of(mgr, "approval_lead_time")
    # (3 h + 10 h) / 2 = 6.5 h against ≤ 4 h: achievement 61.54 % → 50 points
    assert (lead.value, lead.records, lead.score) == (D("6.50"), 2, D("50.00"))
    assert evidence(lead) == [("orders.salesorder", str(quick.pk), True, D("3.00")),
                              ("orders.salesorder", str(slow.pk), True, D("10.00"))]
