"""Review steps: each reason is approved by its own role; an order with two reasons needs both approvals."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from orders import selectors, services
from orders.models import OrderEvent, ReviewSettings, ReviewStep

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def two_reasons(world):
    """An order over the customer's credit with a discount above the threshold."""
    world.customer.credit_limit = D("100")
    world.customer.save()
    row = ReviewSettings.current()
    row.max_discount_percent = D("5")
    row.check_stock = False
    row.save()
    order = world.order([{"product": world.products[0], "quantity": "100", "discount_percent": "10"}])
    return services.submit_order(order, actor=world.rep)


def test_discount_and_credit_need_the_sales_manager_and_finance(world, two_reasons, manager, finance):
    order = two_reasons
    assert sorted(s.role for s in order.review_steps.all()) == ["finance", "sales"]
    assert order in selectors.review_queue(manager) and order in selectors.review_queue(finance)

    order = services.approve_order(order, actor=finance, note="预付款已到")
    assert order.status == "submitted"
    step = ReviewStep.objects.get(order=order, role="finance")
    assert (step.status, step.decided_by, step.note) == ("approved", finance, "预付款已到") and step.decided_at
    assert world.reserved(world.products[0]) == 0
    # finance's part is done: the order leaves finance's queue and stays in the sales manager's
    assert order not in selectors.review_queue(finance)
    assert order in selectors.review_queue(manager)
    assert OrderEvent.objects.filter(order=order, code="review.step_approved", to_status="").count() == 1

    order = services.approve_order(order, actor=manager)
    assert order.status == "approved" and order.approved_by == manager
    assert ReviewStep.objects.get(order=order, role="sales").status == "approved"
    assert world.reserved(world.products[0]) == D("100")
    assert order not in selectors.review_queue(manager)
    assert OrderEvent.objects.filter(order=order, to_status="approved").count() == 1


def test_either_order_of_approvals_works(world, two_reasons, manager, finance):
    order = services.approve_order(two_reasons, actor=manager)
    assert order.status == "submitted"
    assert order not in selectors.review_queue(manager) and order in selectors.review_queue(finance)
    assert services.approve_order(order, actor=finance).status == "approved"


def test_a_role_cannot_approve_the_other_roles_step(world, two_reasons, manager, finance):
    sales = ReviewStep.objects.get(order=two_reasons, role="sales")
    credit = ReviewStep.objects.get(order=two_reasons, role="finance")
    with pytest.raises(ValidationError, match="Sales Manager approves"):
        services.approve_order(two_reasons, actor=finance, step=sales)
    with pytest.raises(ValidationError, match="Finance approves"):
        services.approve_order(two_reasons, actor=manager, step=credit)
    assert not ReviewStep.objects.exclude(status="pending").exists()


def test_one_person_decides_one_step(world, two_reasons, make_user):
    gm = make_user("general_manager")
    order = services.approve_order(two_reasons, actor=gm)
    assert order.status == "submitted"
    with pytest.raises(ValidationError, match="another reviewer"):
        services.approve_order(order, actor=gm)
    assert order not in selectors.review_queue(gm)


def test_a_rejected_step_rejects_the_order(world, two_reasons, manager, finance):
    order = services.approve_order(two_reasons, actor=manager)
    with pytest.raises(ValidationError, match="why"):
        services.reject_order(order, actor=finance, reason=" ")
    order = services.reject_order(order, actor=finance, reason="超出信用额度")
    assert order.status == "rejected" and order.rejection_reason == "超出信用额度"
    assert ReviewStep.objects.get(order=order, role="finance").status == "rejected"
    # reopened and submitted again: the review starts afresh
    order = services.transition(order, "draft", actor=world.rep)
    order = services.submit_order(order, actor=world.rep)
    assert sorted(order.review_steps.values_list("status", flat=True)) == ["pending", "pending"]


def test_segregation_of_duties_holds_for_every_step(world, make_user):
    boss = make_user("general_manager")
    world.customer.credit_limit = D("1")
    world.customer.save()
    order = services.create_order(customer=world.customer, lines=[{"product": world.products[0], "quantity": 10}],
                                  actor=boss, warehouse=world.warehouse, salesperson=boss)
    order = services.submit_order(order, actor=boss)
    with pytest.raises(ValidationError, match="they created"):
        services.approve_order(order, actor=boss)
    assert order not in selectors.review_queue(boss)


def test_order_page_shows_steps_and_why_a_button_is_withheld(world, two_reasons, client_as):
    finance = client_as("finance_clerk")
    url = reverse("orders:order", args=[two_reasons.pk])
    page = finance.get(url).content.decode()
    assert 'data-testid="approve-finance"' in page and 'data-testid="approve-sales"' not in page
    assert 'data-testid="why-not-sales"' in page and "A Sales Manager approves" in page

    finance.post(reverse("orders:order_transition", args=[two_reasons.pk]),
                 {"to": "approved", "step": ReviewStep.objects.get(order=two_reasons, role="finance").pk})
    two_reasons.refresh_from_db()
    assert two_reasons.status == "submitted"
    page = finance.get(url).content.decode()
    assert 'data-step-status="approved"' in page and finance.user.username in page

    rep_page = client_as("sales_rep").get(reverse("orders:review_queue"))
    assert rep_page.status_code == 403
    manager = client_as("sales_manager")
    queue = manager.get(reverse("orders:review_queue")).content.decode()
    assert two_reasons.number in queue
    manager.post(reverse("orders:order_transition", args=[two_reasons.pk]), {"to": "approved"})
    two_reasons.refresh_from_db()
    assert two_reasons.status == "approved"


def test_each_steps_reviewers_are_notified(world, two_reasons, manager, finance, make_user):
    from hardware_erp.core.models import Notification

    services._notify_approvers(two_reasons.pk)  # what runs after the submission commits
    assert Notification.objects.filter(recipient=manager).count() == 1
    assert Notification.objects.filter(recipient=finance).count() == 1
    assert not Notification.objects.filter(recipient=world.rep).exists()


def test_reasons_are_read_in_the_readers_language(world, two_reasons):
    from django.utils import translation

    stored = two_reasons.review_reasons
    assert [r["code"] for r in stored] == ["credit", "discount"] and stored[0]["params"]["limit"] == "100.00"
    with translation.override("zh-hans"):
        texts = [r["text"] for r in two_reasons.review_reason_list]
    assert "信用额度" in texts[0] and "100.00" in texts[0]
    with translation.override("en"):
        assert two_reasons.review_reason_list[0]["text"].startswith("Open balance")
