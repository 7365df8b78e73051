"""Beyond one machine (issue 20), the parts a unit test can hold: where reads go (replica, or the primary after the
user's own write, inside transactions, when the replica lags or breaks), queues by kind, and /metrics. The real
primary + replica + object store + two web instances run in tests/faults/test_cluster.py."""

import pytest
from celery import shared_task
from django.db import OperationalError, connection, transaction
from django.http import HttpResponse
from django.urls import path, reverse
from django.views import View

from governance.models import BackupRun
from hardware_erp.celery import app
from hardware_erp.core import db_routing
from hardware_erp.core.counters import shared_counters
from hardware_erp.core.db_routing import REPLICA, ReplicaRouter, ReplicaStatus, replica_reads

served_from = []


class FlakyReportView(View):
    """A read page whose replica connection breaks half-way (the replica stopped under it)."""

    replica_reads = True

    def get(self, request):
        served_from.append(db_routing._target.get())
        if db_routing.reading_replica():
            raise OperationalError("server closed the connection unexpectedly")
        return HttpResponse("served")


broken = {"replica": False}


class SwallowingReportView(View):
    """A read page on whose way the replica's error was swallowed (a table cell, an estimate): with `?then=raise` a
    later step fails with another error, else the page would answer with what it could read."""

    replica_reads = True

    def get(self, request):
        served_from.append(db_routing._target.get())
        if db_routing.reading_replica():
            broken["replica"] = True
            if request.GET.get("then") == "raise":
                raise TypeError("'NoneType' object is not subscriptable")
            return HttpResponse("rows missing")
        return HttpResponse("served")


urlpatterns = [path("flaky-report/", FlakyReportView.as_view(), name="flaky_report"),
               path("swallowing-report/", SwallowingReportView.as_view(), name="swallowing_report")]


@pytest.fixture
def replica(monkeypatch, settings):
    """A replica that is up, not lagging, and has replayed up to `state["replay"]`."""
    state = {"replay": 100, "ok": True, "lag": 0.0}
    monkeypatch.setattr(db_routing, "configured", lambda: True)
    monkeypatch.setattr(db_routing, "status", lambda max_age=None: ReplicaStatus(
        ok=state["ok"], lag_seconds=state["lag"], lag_bytes=0, replay_lsn=state["replay"]))
    settings.REPLICA_MAX_LAG_SECONDS = 5
    return state


def test_lsn_text_orders_like_the_wal():
    assert db_routing.lsn_int("0/16B3748") < db_routing.lsn_int("0/16B3749") < db_routing.lsn_int("1/0")
    assert db_routing.lsn_int("16/B374D848") == (0x16 << 32) | 0xB374D848
    assert db_routing.lsn_int(None) is None


def test_without_a_replica_everything_reads_the_primary(rf):
    assert not db_routing.configured()
    assert db_routing.choose() == ("default", "no_replica")
    with replica_reads() as block:
        assert block.alias == "default" and not db_routing.reading_replica()


@pytest.mark.django_db(transaction=True)
def test_reads_go_to_the_replica_unless_own_write_lag_outage_or_transaction(replica, django_user_model):
    from django.core.cache import cache

    user = django_user_model.objects.create_user("ryw", password="x" * 12)
    assert db_routing.choose(user) == (REPLICA, "ok")
    # the user wrote at WAL position 150: the replica at 100 has not replayed it
    cache.set(db_routing._ryw_key(user.pk), 150)
    assert db_routing.choose(user) == ("default", "own_write")
    other = django_user_model.objects.create_user("other", password="x" * 12)
    assert db_routing.choose(other) == (REPLICA, "ok")  # only the writer waits
    replica["replay"] = 150
    assert db_routing.choose(user) == (REPLICA, "ok")
    assert cache.get(db_routing._ryw_key(user.pk)) is None  # caught up: forgotten

    replica["lag"] = 6.0
    assert db_routing.choose() == ("default", "lagging")
    replica["lag"], replica["ok"] = 0.0, False
    assert db_routing.choose() == ("default", "unreachable")
    replica["ok"] = True
    with transaction.atomic():
        assert db_routing.choose() == ("default", "transaction")


def test_router_sends_writes_and_transactions_to_the_primary():
    router = ReplicaRouter()
    assert router.db_for_read(BackupRun) == "default"
    with replica_reads(alias=REPLICA):
        assert router.db_for_read(BackupRun) == REPLICA
        assert router.db_for_write(BackupRun) == "default"
        with replica_reads() as inner:  # nested blocks keep the outer decision
            assert inner.alias == REPLICA
    assert router.allow_migrate(REPLICA, "core") is False and router.allow_migrate("default", "core") is not False


@pytest.mark.django_db
def test_router_never_reads_the_replica_inside_a_transaction():
    router = ReplicaRouter()
    with replica_reads(alias=REPLICA):
        assert connection.in_atomic_block  # the test's own transaction
        assert router.db_for_read(BackupRun) == "default"


@pytest.mark.urls("tests.core.test_scale")
@pytest.mark.django_db(transaction=True)
def test_read_pages_use_the_replica_fall_back_when_it_breaks_and_writes_record_the_position(
        replica, client, monkeypatch, settings):
    from tests.factories import UserFactory

    settings.ROOT_URLCONF = "hardware_erp.urls"
    user = UserFactory.with_role("general_manager", username="gm-scale")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    seen = []
    real = db_routing.replica_reads.__enter__

    def spy(self):
        block = real(self)
        seen.append(block.alias)
        return block

    monkeypatch.setattr(db_routing.replica_reads, "__enter__", spy)
    # a list page (every ERPListView) reads the replica
    assert client.get("/inventory/movements/").status_code == 200
    assert seen[0] == REPLICA
    # a write request records the primary's WAL position for that user
    recorded = []
    monkeypatch.setattr(db_routing, "record_write", lambda u: recorded.append(u.pk))
    client.post(reverse("core:set_language"), {"language": "en"})
    assert recorded == [user.pk]

    # a page whose replica breaks half-way is served again from the primary
    settings.ROOT_URLCONF = "tests.core.test_scale"
    served_from.clear()
    before = shared_counters().get("reads:primary:failed_over", 0)
    response = client.get(reverse("flaky_report"))
    assert response.status_code == 200 and response.content == b"served"
    assert served_from == [REPLICA, "default"]
    assert shared_counters()["reads:primary:failed_over"] == before + 1

    # code on the way swallowed the replica's error, then failed with another one, or answered with what it read:
    # the replica's connection no longer answers, so the page is served again from the primary
    monkeypatch.setattr(db_routing, "replica_broke", lambda: broken["replica"])
    for query in ("?then=raise", ""):
        served_from.clear()
        broken["replica"] = False
        response = client.get(reverse("swallowing_report") + query)
        assert response.status_code == 200 and response.content == b"served"
        assert served_from == [REPLICA, "default"]
    # another error on a replica that still answers is the page's own: not hidden by a second run
    monkeypatch.setattr(db_routing, "replica_broke", lambda: False)
    served_from.clear()
    client.raise_request_exception = True
    with pytest.raises(TypeError):
        client.get(reverse("swallowing_report") + "?then=raise")
    assert served_from == [REPLICA]


@pytest.mark.parametrize("task, queue", [
    ("orders.poll_tracking_task", "io"), ("orders.email_customer_status_task", "io"),
    ("core.send_pending_emails_task", "io"), ("crm.send_morning_digest_task", "io"),
    ("api.deliver_task", "io"), ("api.retry_deliveries_task", "io"),  # webhook deliveries
    ("performance.compute_period_task", "reports"), ("inventory.compute_suggestions_task", "reports"),
    ("orders.run_export_task", "reports"), ("core.check_integrity_task", "reports"),
    ("governance.run_backup_task", "backup"), ("governance.verify_backup_task", "backup"),
    ("inventory.check_thresholds_task", "default"), ("core.drain_outbox_task", "default"),
])
def test_tasks_go_to_the_queue_of_their_kind(task, queue):
    assert app.amqp.router.route({}, task)["queue"].name == queue


@pytest.mark.django_db
def test_metrics_need_the_token_or_an_allowed_address(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", []
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "s3cret-token-for-prometheus"
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret-token-for-prometheus"}).status_code == 200
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", ["10.0.0.0/8", "127.0.0.1"]
    assert client.get("/metrics").status_code == 200


@pytest.mark.django_db
def test_metrics_show_requests_tasks_and_backup_age(client, settings):
    from django.utils import timezone

    from hardware_erp.core.tasks import record_heartbeat_task

    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]
    client.get("/healthz")
    record_heartbeat_task.delay()
    BackupRun.objects.create(kind="backup", ok=True, finished_at=timezone.now() - timezone.timedelta(hours=2))
    text = client.get("/metrics").content.decode()
    assert 'hwerp_http_requests_total{method="GET",status="200",view="healthz"}' in text \
        or 'hwerp_http_requests_total{method="GET",status="503",view="healthz"}' in text
    assert 'hwerp_http_request_seconds_count{view="healthz"}' in text
    assert 'hwerp_db_queries_per_request_count{view="healthz"}' in text
    assert 'hwerp_celery_tasks_total{state="succeeded",task="core.record_heartbeat_task"}' in text
    age = next(float(line.split()[-1]) for line in text.splitlines() if line.startswith("hwerp_backup_age_seconds "))
    assert 7100 < age < 7400
    assert "hwerp_celery_queue_depth" in text


@shared_task(name="tests.flaky_export_task")  # named like an export: one of db_routing.READ_TASKS
def flaky_read_task(answer):
    served_from.append(db_routing._target.get())
    if db_routing.reading_replica():
        raise OperationalError("server closed the connection unexpectedly")
    return answer


@shared_task(name="tests.plain_task")
def plain_task():
    served_from.append(db_routing._target.get())
    return "done"


def test_a_read_task_whose_replica_breaks_runs_again_on_the_primary(replica):
    served_from.clear()
    assert flaky_read_task.delay(42).get() == 42
    assert served_from == [REPLICA, "default"]
    served_from.clear()
    assert plain_task.delay().get() == "done"  # not a read task: no block, the router's default (the primary)
    assert served_from == [None]


@pytest.mark.django_db(transaction=True)  # outside a transaction: a test's own would keep every read on the primary
def test_an_export_whose_replica_breaks_is_written_from_the_primary(replica, client_as, settings, tmp_path,
                                                                     monkeypatch):
    from hardware_erp.core import export_jobs
    from hardware_erp.core.models import ExportJob
    from hardware_erp.core.tasks import run_export_task
    from tests.factories.crm import CustomerFactory

    settings.EXPORT_DIR = tmp_path / "exports"
    client = client_as("sales_manager")
    CustomerFactory.create_batch(3, owner=client.user)
    job = ExportJob.objects.create(user=client.user, path="/crm/customers/", fmt="csv", filename="customers.csv")
    real, tries = export_jobs.table_rows, []

    def rows_breaking_on_the_replica(*args, **kwargs):
        tries.append(db_routing._target.get())
        if db_routing.reading_replica():
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(export_jobs, "table_rows", rows_breaking_on_the_replica)
    run_export_task.delay(job.pk)
    job.refresh_from_db()
    assert tries == [REPLICA, "default"]
    assert job.status == ExportJob.Status.DONE and job.rows_total == 3, (job.status, job.error)
