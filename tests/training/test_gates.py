import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories.training import CourseFactory, LessonFactory
from training import services
from training.models import TrainingGate

pytestmark = pytest.mark.django_db


@pytest.fixture
def gated(make_user):
    course = CourseFactory(code="gate-course")
    LessonFactory(course=course)
    TrainingGate.objects.create(permission="training.change_course", course=course)
    return course


def _fresh(user):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=user.pk)


def test_gated_permission_is_refused_until_the_course_is_passed(gated, make_user):
    trainer = make_user("trainer")
    assert not trainer.has_perm("training.change_course")
    assert "passed" in trainer.training_gate["message"].lower() or gated.title in trainer.training_gate["message"]
    assert trainer.has_perm("training.add_course")  # other permissions are untouched
    services.complete_lesson(actor=trainer, lesson=gated.lessons.get())
    assert _fresh(trainer).has_perm("training.change_course")


def test_gate_does_not_grant_or_explain_what_the_role_lacks(gated, make_user):
    rep = make_user("sales_rep")
    assert not rep.has_perm("training.change_course")
    assert not hasattr(rep, "training_gate")


def test_gates_are_read_once_per_request(gated, make_user, django_assert_num_queries):
    trainer = make_user("trainer")
    trainer.has_perm("training.add_course")
    with django_assert_num_queries(0):
        trainer.has_perm("training.add_lesson")
        trainer.has_perm("training.view_course")


def test_403_page_points_to_the_course(gated, client_as):
    client = client_as("trainer")
    response = client.get(reverse("training:course_edit", args=[gated.pk]))
    assert response.status_code == 403
    body = response.content.decode()
    assert reverse("training:course", args=[gated.pk]) in body
    assert gated.title_en in body


def test_gate_form_checks_the_permission_exists(client_as, gated):
    client = client_as("sales_manager")
    n = TrainingGate.objects.count()
    response = client.post(reverse("training:gate_create"), {"permission": "nope.nothing", "course": gated.pk,
                                                              "active": "on"})
    assert response.status_code == 200 and TrainingGate.objects.count() == n
    assert Permission.objects.filter(codename="view_course").exists()


def test_force_login_without_a_backend_keeps_the_session(client, make_user):
    user = make_user("sales_rep")
    client.force_login(user)  # records the first backend, this one
    assert client.get(reverse("training:my_learning")).status_code == 200


def test_gate_check_costs_one_query_per_request(gated, make_user, django_assert_num_queries):
    from training.backends import TrainingGateBackend

    trainer = make_user("trainer")
    with django_assert_num_queries(1):
        assert TrainingGateBackend()._gates(trainer) == {"training.change_course": {gated.pk}}


def test_gate_is_picked_from_translated_permission_names(client_as, gated):
    from django.utils import translation

    client = client_as("sales_manager")
    page = client.get(reverse("training:gate_create"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = page.content.decode()
    assert 'value="inventory.approve_stocktake"' in body
    assert 'type="text" name="permission"' not in body  # no code typed by hand
    with translation.override("zh-hans"):
        from training.permissions import permission_label

        label = permission_label("inventory.approve_stocktake")
        assert label != "inventory.approve_stocktake" and not label.isascii()
        assert not permission_label("crm.view_customer").isascii()
    response = client.post(reverse("training:gate_create"), {
        "permission": "inventory.approve_stocktake", "course": gated.pk, "active": "on", "_once": "gate-1"})
    assert response.status_code == 302
    assert client.post(reverse("training:gate_create"), {
        "permission": "inventory.approve_stocktake", "course": gated.pk, "active": "on",
        "_once": "gate-1"}).status_code == 302  # sent twice: saved once
    gate = TrainingGate.objects.get(permission="inventory.approve_stocktake")
    assert gate.created_by == client.user
    listing = client.get(reverse("training:gate_list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "inventory.approve_stocktake" not in listing
