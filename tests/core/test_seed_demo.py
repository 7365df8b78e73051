"""The whole demo company, seeded once for this module: what a distributor would notice at first sight."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models, transaction
from django.utils import timezone
from simple_history.models import registered_models

from hardware_erp.core.management.commands.seed_demo import DEMO_USERS
from hardware_erp.core.models import Department, Employee
from hardware_erp.core.roles import ROLES

pytestmark = pytest.mark.django_db

# fields that name a time still to come: a due date, an expected delivery, a planned session
FORWARD = re.compile(r"(^|_)(due|deadline|expected|valid_until|requested_date|starts_at|ends_at|announce_from|next)"
                     r"(_|$)|_due$")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo company, seeded once and rolled back after the module."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            before = timezone.now()
            call_command("seed_demo", verbosity=0)
            yield {"seeded_at": before, "done_at": timezone.now()}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_nothing_in_the_demo_is_dated_after_now(demo):
    now, today = demo["done_at"], timezone.localdate(demo["done_at"])
    future = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if FORWARD.search(field.name):
                continue
            if isinstance(field, models.DateTimeField):
                n = model._default_manager.filter(**{f"{field.name}__gt": now}).count()
            elif isinstance(field, models.DateField):
                n = model._default_manager.filter(**{f"{field.name}__gt": today}).count()
            else:
                continue
            if n:
                future[f"{model._meta.label}.{field.name}"] = n
    assert future == {}


def test_the_stock_history_moves_in_working_hours(demo):
    from inventory.models import StockMovement

    history = StockMovement.objects.filter(occurred_at__lt=demo["seeded_at"])  # not what the services posted now
    hours = {timezone.localtime(at).hour for at in history.values_list("occurred_at", flat=True)}
    assert hours and min(hours) >= 7 and max(hours) <= 19


def test_every_seeded_record_of_a_history_tracked_model_has_its_initial_history_row(demo):
    missing = {}
    for model in set(registered_models.values()):
        done = model.history.filter(history_type="+").values("id")
        n = model._default_manager.exclude(pk__in=done).count()
        if n:
            missing[model._meta.label] = n
    assert missing == {}


def test_initial_history_rows_are_dated_when_the_record_was_made(demo):
    from crm.models import Customer
    from orders.models import SalesOrder

    for model in (Customer, SalesOrder):
        old = model.objects.filter(created_at__lt=demo["seeded_at"] - timezone.timedelta(days=60)).first()
        first = old.history.get(history_type="+")
        assert first.history_date == old.created_at
    order = SalesOrder.objects.filter(created_by__isnull=False).earliest("created_at")
    assert order.history.get(history_type="+").history_user == order.created_by


def test_first_edit_of_a_seeded_record_shows_the_changed_field(demo):
    from crm.models import Customer

    customer = Customer.objects.exclude(pk__in=Customer.history.filter(history_type="~").values("id")).first()
    customer.address = "五金城 1 号"
    customer.save()
    latest = customer.history.first()
    assert latest.prev_record is not None and latest.prev_record.history_type == "+"
    assert [c.field for c in latest.diff_against(latest.prev_record).changes] == ["address"]


def test_the_demo_has_a_warehouse_manager_over_the_clerk(demo):
    users = get_user_model().objects
    whmgr, gm = users.get(username="whmgr"), users.get(username="gm")
    assert whmgr.groups.filter(name=ROLES["warehouse_manager"].group).exists()
    assert whmgr.has_perm("inventory.approve_stocktake")
    assert Employee.objects.get(user=whmgr).manager == gm
    assert Employee.objects.get(user__username="clerk").manager == whmgr
    assert Department.objects.get(code="warehouse").head == whmgr
    # onboarding, training progress and KPIs treat the role like the warehouse's
    from performance.models import KPIWeight, Scorecard
    from training.models import OnboardingPlan, PlanAssignment

    plan = OnboardingPlan.objects.get(role="warehouse_manager")
    assert PlanAssignment.objects.filter(plan=plan, user=whmgr).exists()
    assert sum(KPIWeight.objects.filter(role="warehouse_manager").values_list("weight", flat=True)) == 100
    assert Scorecard.objects.filter(employee=whmgr).exists()
    # the warehouse manager holds no review permission: the clerk's month is reviewed and closed above them
    assert Scorecard.objects.filter(employee__username="clerk", status="closed").exists()


def test_every_demo_user_is_in_the_readme_and_the_run_banner():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    banner = next(line for line in (Path(settings.BASE_DIR) / "Makefile").read_text().splitlines()
                  if "Demo sign-ins" in line)
    for username, role, *_ in DEMO_USERS:
        assert re.search(rf"^\| ([\w, ]*\b)?{username}\b[\w, ]* \| {ROLES[role].group} ", readme, re.M), username
        assert f" {username}" in banner, username
