"""Finding 10 of the outside audit (information): /healthz told anonymous callers the backends' error text; backups
were written 0644; a backup killed mid-run left a row with no reason."""

import stat
from datetime import timedelta

import pytest
from django.utils import timezone

from governance.models import BackupRun
from governance.services import record_backup
from hardware_erp.core.models import Notification

pytestmark = pytest.mark.django_db


def test_anonymous_healthz_says_only_ok_or_not_per_component(client, settings):
    body = client.get("/healthz").json()  # no worker has reported: the worker check fails with a reason
    assert body["checks"]["worker"] == {"ok": False}
    assert all(set(c) == {"ok"} for c in body["checks"].values())
    assert "no worker" not in str(body)


def test_staff_and_a_token_read_the_details(client, client_as, settings):
    settings.HEALTHZ_TOKEN = "monitor-token-123"
    body = client.get("/healthz", HTTP_AUTHORIZATION="Bearer monitor-token-123").json()
    assert "detail" in body["checks"]["worker"], body
    assert client.get("/healthz", HTTP_AUTHORIZATION="Bearer wrong").json()["checks"]["worker"] == {"ok": False}
    assert "no worker" in client_as("it_admin", is_staff=True).get("/healthz").json()["checks"]["worker"]["detail"]


@pytest.mark.django_db(transaction=True)
def test_a_backup_file_is_readable_by_its_owner_only(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT = tmp_path / "media"
    run = record_backup(retention=False)
    assert run.ok, run.error
    mode = stat.S_IMODE((settings.BACKUP_DIR / run.file_name).stat().st_mode)
    assert mode == 0o600
    assert stat.S_IMODE(settings.BACKUP_DIR.stat().st_mode) == 0o700


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_mid_way_is_marked_failed_with_the_reason(make_user, settings, tmp_path):
    it = make_user("it_admin")
    killed = BackupRun.objects.create(kind=BackupRun.Kind.BACKUP,
                                      started_at=timezone.now() - timedelta(hours=settings.BACKUP_STALE_HOURS + 1))
    running = BackupRun.objects.create(kind=BackupRun.Kind.VERIFY)  # started a moment ago: still running
    settings.BACKUP_DIR, settings.MEDIA_ROOT = tmp_path / "backups", tmp_path / "media"
    record_backup(retention=False)
    killed.refresh_from_db()
    running.refresh_from_db()
    assert not killed.ok and killed.finished_at and "interrupted" in killed.error
    assert killed.detail["reason"] == "interrupted"
    assert running.finished_at is None
    assert Notification.objects.filter(recipient=it, key=f"backuprun:{killed.pk}:failed").exists()
