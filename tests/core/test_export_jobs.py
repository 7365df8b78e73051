"""Issue 19, item 1: list exports past a row count are written by a worker, offered on their page, to their owner
only, and equal the synchronous export of the same list."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from crm.models import Customer
from hardware_erp.core.export_jobs import prune_exports, run_export
from hardware_erp.core.models import ExportJob, Notification
from tests.factories.crm import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def exports(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path / "exports"
    settings.EXPORT_SYNC_MAX_ROWS = 5
    return settings


def customers(owner, n=8):
    made = [CustomerFactory(owner=owner, name=f"客户{i:02d}五金", credit_limit=Decimal(1000 + i)) for i in range(n)]
    made[0].name = "=HYPERLINK(\"http://x\")"  # a formula a spreadsheet would run: neutralised in every path
    Customer.objects.filter(pk=made[0].pk).update(name=made[0].name)
    return made


def queue_export(client, url, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    assert response.status_code == 302, response.status_code
    return ExportJob.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def test_a_long_list_is_queued_written_and_equal_to_the_synchronous_export(
        exports, client_as, django_capture_on_commit_callbacks):
    client = client_as("sales_manager")
    customers(client.user)
    url = "/crm/customers/?_export=csv&sort=-name&level=b"
    job = queue_export(client, url, django_capture_on_commit_callbacks)  # eager here: the broker test is below
    job.refresh_from_db()
    assert job.user == client.user and job.status == ExportJob.Status.DONE
    assert job.query == "sort=-name&level=b" and job.rows_total == job.rows_done == 8
    page = client.get(job.get_absolute_url())
    assert page.status_code == 200 and b'data-testid="export-download"' in page.content
    assert Notification.objects.filter(recipient=client.user, key=f"export:{job.pk}:success",
                                       link=job.get_absolute_url()).exists()
    download = client.get(f"/exports/{job.pk}/download/")
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    background = b"".join(download.streaming_content)

    exports.EXPORT_SYNC_MAX_ROWS = 1000
    synchronous = client.get(url)
    assert synchronous.status_code == 200 and synchronous["Content-Type"].startswith("text/csv")
    assert background == synchronous.content
    text = background.decode("utf-8-sig").splitlines()
    assert len(text) == 9 and text[1].startswith("客户07五金")  # sorted by name, descending, as the page asked
    assert any(line.startswith("\"'=HYPERLINK") for line in text)  # the formula is text


def test_xlsx_export_in_the_background_has_the_cells_of_the_synchronous_one(
        exports, client_as, django_capture_on_commit_callbacks):
    client = client_as("sales_manager")
    customers(client.user)
    url = "/crm/customers/?_export=xlsx"
    job = queue_export(client, url, django_capture_on_commit_callbacks)
    background = b"".join(client.get(f"/exports/{job.pk}/download/").streaming_content)
    exports.EXPORT_SYNC_MAX_ROWS = 1000
    synchronous = client.get(url).content

    def cells(body):
        sheet = openpyxl.load_workbook(io.BytesIO(body)).active
        return sheet.title, [[c.value for c in row] for row in sheet.iter_rows()]

    title, rows = cells(background)
    assert (title, rows) == cells(synchronous)
    assert len(rows) == 9 and rows[1][-1] == 1000  # numbers stay numbers
    assert "'=HYPERLINK(\"http://x\")" in [r[0] for r in rows]


def test_only_the_owner_sees_and_downloads_an_export_while_allowed(
        exports, client_as, make_user, django_capture_on_commit_callbacks):
    client = client_as("sales_manager")
    owner = client.user
    customers(owner)
    job = queue_export(client, "/crm/customers/?_export=csv", django_capture_on_commit_callbacks)
    download = f"/exports/{job.pk}/download/"

    other = client_as("sales_manager")
    assert other.get(job.get_absolute_url()).status_code == 404
    assert other.get(download).status_code == 404

    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(download).status_code == 200
    owner.groups.clear()  # the role that may export customers was taken away
    owner.user_permissions.add(*Permission.objects.filter(codename__in=["access_crm", "view_customer"]))
    owner = type(owner).objects.get(pk=owner.pk)
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(download).status_code == 403


def test_an_expired_export_is_pruned_and_no_longer_offered(exports, client_as, django_capture_on_commit_callbacks):
    client = client_as("sales_manager")
    customers(client.user)
    job = queue_export(client, "/crm/customers/?_export=csv", django_capture_on_commit_callbacks)
    job.refresh_from_db()
    path = exports.EXPORT_DIR / job.file
    assert path.is_file()
    assert prune_exports() == 0 and path.is_file()
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timezone.timedelta(minutes=1))
    assert prune_exports() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not path.exists()
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404
    assert "expired" in client.get(job.get_absolute_url()).content.decode()


def test_the_progress_part_polls_until_the_file_is_ready(exports, client_as):
    client = client_as("sales_manager")
    customers(client.user)
    job = ExportJob.objects.create(user=client.user, path="/crm/customers/", fmt="csv", filename="customers.csv",
                                   status=ExportJob.Status.RUNNING, rows_total=8, rows_done=4)
    part = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in part and "4 of 8 rows written" in part and "<html" not in part
    run_export(job.pk)
    part = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in part and 'data-testid="export-download"' in part
    job.refresh_from_db()
    assert job.rows_done == 8 and job.status == ExportJob.Status.DONE


def test_a_short_list_is_answered_at_once(exports, client_as):
    client = client_as("sales_manager")
    customers(client.user, n=3)
    response = client.get("/crm/customers/?_export=csv")
    assert response.status_code == 200 and not ExportJob.objects.exists()
    assert len(response.content.decode("utf-8-sig").splitlines()) == 4


def test_the_worker_exports_what_the_user_may_see_not_more(exports, client_as, make_user,
                                                           django_capture_on_commit_callbacks):
    """A rep's export holds their own customers only: the worker asks the list as that user."""
    client = client_as("sales_rep")
    customers(client.user, n=6)
    customers(make_user("sales_rep"), n=6)  # another rep's
    client.user.user_permissions.add(Permission.objects.get(codename="export_customer"))
    job = queue_export(client, "/crm/customers/?_export=csv", django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.rows_done == 6


def test_the_export_request_only_queues(exports, client_as, django_capture_on_commit_callbacks):
    """The request that queues an export does not paginate the list (no page count, no estimate): it counts the
    rows (bounded, then exactly for the security log), writes the job and answers."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as("sales_manager")
    customers(client.user)
    with CaptureQueriesContext(connection) as queries:
        job = queue_export(client, "/crm/customers/?_export=csv", django_capture_on_commit_callbacks)
    sql = [q["sql"] for q in queries.captured_queries]
    asked = sql[:next(i for i, q in enumerate(sql) if q.startswith('INSERT INTO "core_exportjob"'))]
    assert job.rows_total == 8
    assert not any(q.startswith("EXPLAIN") for q in asked)
    assert sum("COUNT(" in q for q in asked) == 2
