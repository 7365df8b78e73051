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
