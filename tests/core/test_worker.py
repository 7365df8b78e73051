"""A real Celery worker process, started here, runs a task and its effect is seen in the database.

Against Redis when REDIS_URL is set (always in CI), against the file broker otherwise."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from hardware_erp.core.models import WorkerHeartbeat

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def worker_env(tmp_path):
    env = dict(os.environ)
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        env.pop("DATABASE_URL", None)
        env["VAR_DIR"] = str(Path(db["NAME"]).parent)
        # the worker must open the test database file, not the development one
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        env["DATABASE_URL"] = (f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
                               f"{db['PORT'] or 5432}/{db['NAME']}")
    if not settings.REDIS_URL:
        env["BROKER_DIR"] = str(settings.BROKER_DIR)
    env["SECRET_KEY"] = "worker-test"
    # the same keys as this process, so both read each other's encrypted values
    env["FIELD_ENCRYPTION_KEYS"] = ",".join(settings.FIELD_ENCRYPTION_KEYS)
    env["BLIND_INDEX_KEY"] = settings.BLIND_INDEX_KEY
    return env


@contextlib.contextmanager
def real_worker(tmp_path, *, queue="default,io,reports,backup", env=None):
    """A Celery worker process consuming `queue`, this test's database and broker (eager mode off meanwhile)."""
    from hardware_erp.celery import app

    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "hardware_erp", "worker", "--concurrency", "1", "--pool", "solo",
         "--without-gossip", "--without-mingle", "--loglevel", "INFO", "-Q", queue,
         "-n", f"test-{queue.replace(',', '-')}-{os.getpid()}@%h"],
        cwd=settings.BASE_DIR, env={**worker_env(tmp_path), **(env or {})},
        stdout=open(tmp_path / "worker.log", "w"), stderr=subprocess.STDOUT)
    app.conf.task_always_eager = False
    try:
        yield proc
    finally:
        app.conf.task_always_eager = True
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def worker(tmp_path):
    with real_worker(tmp_path) as proc:
        yield proc


def test_real_worker_runs_a_task(worker, tmp_path):
    from hardware_erp.core.tasks import record_heartbeat_task

    WorkerHeartbeat.objects.all().delete()
    record_heartbeat_task.delay()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not WorkerHeartbeat.objects.exists():
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
        time.sleep(0.3)
    assert WorkerHeartbeat.objects.exists(), (tmp_path / "worker.log").read_text()[-3000:]
