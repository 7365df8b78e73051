"""Issue 19, item 1, on the real broker path: the list page queues the export through the outbox, a real worker
consuming the `reports` queue (where exports are routed) writes it, and the file downloaded equals the
synchronous export of the same list."""

import time

import pytest

from crm.models import Customer
from hardware_erp.core.models import ExportJob, OutboxTask
from tests.core.test_worker import real_worker
from tests.factories.crm import CustomerFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def io_worker(tmp_path, settings):
    settings.EXPORT_DIR = tmp_path / "exports"
    with real_worker(tmp_path, queue="reports", env={"EXPORT_DIR": str(settings.EXPORT_DIR)}) as proc:
        yield proc


def test_a_real_worker_writes_the_export_the_page_queued(io_worker, client_as, settings, tmp_path):
    client = client_as("sales_manager")
    for i in range(30):
        CustomerFactory(owner=client.user, name=f"五金客户{i:03d}", phone=f"+86139{i:08d}")
    settings.EXPORT_SYNC_MAX_ROWS = 10
    url = "/crm/customers/?_export=csv&sort=-name"
    response = client.get(url)
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert response.url == job.get_absolute_url()
    assert not OutboxTask.objects.exists()  # sent to the broker after commit, not left for the drain
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
            break
        assert io_worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
        time.sleep(0.3)
    assert job.status == ExportJob.Status.DONE, (job.status, job.error, (tmp_path / "worker.log").read_text()[-3000:])
    assert job.rows_done == Customer.objects.for_user(client.user).count() >= 30
    background = b"".join(client.get(f"/exports/{job.pk}/download/").streaming_content)
    settings.EXPORT_SYNC_MAX_ROWS = 1000
    assert background == client.get(url).content
    text = background.decode("utf-8-sig")
    assert text.index("五金客户029") < text.index("五金客户028")  # in the page's order (name, descending)
