"""Backups: a populated database is backed up, restored into an empty one with every row back; a corrupted
byte, a wrong key, a non-empty target and a backup from newer code are refused with nothing restored."""

import json
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import override_settings

from governance import backup
from governance.models import BackupRun, SecurityEvent
from governance.selectors import backup_status
from hardware_erp.core.management.commands.sync_roles import sync_roles
from hardware_erp.core.models import Notification
from tests.factories import DepartmentFactory, UserFactory
from tests.factories.governance import SecurityEventFactory

pytestmark = pytest.mark.django_db(transaction=True)
DEVNULL = open("/dev/null", "w")  # noqa: SIM115


@pytest.fixture
def backups(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "tickets").mkdir(parents=True)
    (settings.MEDIA_ROOT / "tickets" / "scan.pdf").write_bytes(b"%PDF-1.4 scan")
    sync_roles()
    for i in range(5):
        user = UserFactory(username=f"bk{i}")
        DepartmentFactory(code=f"bk{i}", name_zh=f"部门{i}")
        SecurityEventFactory(user=user, username=user.username)
    return tmp_path


def _target_url(tmp_path):
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}", None
    name = f"{db['NAME']}_restored"[:63]
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    return url, name


def _pg_admin(sql):
    db = connection.settings_dict
    backup._run(["psql", *backup._pg_args(db), "-q", "-d", "postgres", "-c", sql], env=backup._pg_env(db))


def _snapshot(conn):
    """Every row of every table, as text, per table: equal snapshots mean every row came back."""
    out = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names()):
            q = conn.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {q}")  # noqa: S608
            out[table] = sorted(repr(tuple(r)) for r in cursor.fetchall())
    return out


def _open(url):
    import environ

    conn = connections.create_connection("default")
    conn.settings_dict = {**conn.settings_dict, **environ.Env.db_url_config(url)}
    return conn


def test_backup_restore_every_row_back(backups, tmp_path):
    source = _snapshot(connection)  # before the backup writes its own run and security event rows
    call_command("backup", stdout=DEVNULL)
    run = BackupRun.objects.get(kind="backup")
    path = Path(backup.backup_files()[0])
    assert run.ok and run.file_name == path.name and run.size_bytes == path.stat().st_size
    manifest = backup.read_manifest(path)
    assert manifest["row_counts"]["governance_securityevent"] >= 5
    assert manifest["migrations"] and manifest["vendor"] == connection.vendor
    raw = path.read_bytes()
    assert b"%PDF" not in raw and "部门1".encode() not in raw  # encrypted

    url, pg_name = _target_url(tmp_path)
    if pg_name:
        _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}"')
        _pg_admin(f'CREATE DATABASE "{pg_name}"')
    try:
        media_before = Path(backups / "media" / "tickets" / "scan.pdf")
        media_before.unlink()
        call_command("restore", str(path), database_url=url, stdout=DEVNULL)
        target = _open(url)
        try:
            restored = _snapshot(target)
        finally:
            target.close()
        source.pop("governance_backuprun", None)  # written after the snapshot was taken
        restored.pop("governance_backuprun", None)
        # the restore itself is in the restored database's security log
        restored["governance_securityevent"] = [r for r in restored["governance_securityevent"]
                                                if "'restore'" not in r]
        assert restored == source
        assert media_before.read_bytes() == b"%PDF-1.4 scan"

        with pytest.raises(CommandError, match="already has data"):
            call_command("restore", str(path), database_url=url, stdout=DEVNULL)
        call_command("restore", str(path), database_url=url, force=True, stdout=DEVNULL)
    finally:
        if pg_name:
            _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}"')


def test_restored_database_knows_its_backup_the_restore_and_a_verification(backups, tmp_path):
    """After a restore the backups page must not say "never" nor show the restored backup as failed, the status
    page must not turn red, and the restore is in the security log."""
    call_command("backup", stdout=DEVNULL)
    path = Path(backup.backup_files()[0])
    url, pg_name = _target_url(tmp_path)
    if pg_name:
        _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}"')
        _pg_admin(f'CREATE DATABASE "{pg_name}"')
    try:
        call_command("restore", str(path), database_url=url, stdout=DEVNULL)
        target = _open(url)
        connections["restored"] = target
        try:
            runs = BackupRun.objects.using("restored")
            own = runs.get(kind="backup")
            assert own.ok and own.finished_at and own.file_name == path.name
            assert own.size_bytes == path.stat().st_size and own.checksum
            assert runs.get(kind="restore").file_name == path.name
            verify = runs.get(kind="verify")
            assert verify.ok and verify.detail["by_restore"]
            event = SecurityEvent.objects.using("restored").get(kind="restore")
            assert event.detail["file"] == path.name
        finally:
            del connections["restored"]
            target.close()
    finally:
        if pg_name:
            _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}"')


def test_backup_status_after_restore_is_green(backups):
    """backup_status() reads what record_restore wrote: a current backup and a passed verification."""
    from governance.services import record_restore

    call_command("backup", stdout=DEVNULL)
    path = Path(backup.backup_files()[0])
    manifest = backup.read_manifest(path)
    # as the restored database sees it: the backup's run was still in progress when it was dumped
    BackupRun.objects.filter(kind="backup").update(ok=False, finished_at=None, file_name="", size_bytes=None)
    assert backup_status()["last_backup_at"] is None
    record_restore(path, manifest, found_counts=dict(manifest["row_counts"]))
    status = backup_status()
    assert status["last_backup_at"] is not None and status["verify_ok"] is True and status["ok"] is True
    assert SecurityEvent.objects.filter(kind="restore").count() == 1


def test_one_corrupted_byte_is_refused_and_nothing_restored(backups, tmp_path):
    path = backup.create_backup().path
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad = tmp_path / "corrupt.hwbk"
    bad.write_bytes(bytes(data))
    url, pg_name = _target_url(tmp_path)
    with pytest.raises(CommandError, match="fails its checksum"):
        call_command("restore", str(bad), database_url=url, stdout=DEVNULL)
    truncated = tmp_path / "short.hwbk"
    truncated.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(CommandError, match="corrupted or truncated"):
        call_command("restore", str(truncated), database_url=url, stdout=DEVNULL)
    if not pg_name:
        assert not Path(url.removeprefix("sqlite:///")).exists() or \
            not Path(url.removeprefix("sqlite:///")).stat().st_size


def test_wrong_key_and_newer_code_are_refused(backups, tmp_path):
    path = backup.create_backup().path
    with override_settings(BACKUP_KEYS=[Fernet.generate_key().decode()]), \
            pytest.raises(backup.BackupError, match="wrong key"):
        backup.open_backup(path, tmp_path)
    manifest = backup.read_manifest(path)
    manifest["migrations"].append(["governance", "9999_from_the_future"])
    with pytest.raises(backup.BackupError, match="does not know"):
        backup.check_migrations(manifest)


def test_verify_backup_compares_every_table(backups):
    call_command("backup", stdout=DEVNULL)
    call_command("verify_backup", stdout=DEVNULL)
    run = BackupRun.objects.get(kind="verify")
    assert run.ok and run.detail["ok"] and run.detail["tables"] > 20 and not run.detail["differences"]
    status = backup_status()
    assert status["ok"] and status["verify_ok"] and status["size_bytes"] > 0


def test_failure_is_recorded_and_it_is_told(backups, settings, make_user):
    it = make_user("it_admin")
    settings.BACKUP_KEYS = []
    with pytest.raises(CommandError, match="BACKUP_KEYS"):
        call_command("backup", stdout=DEVNULL)
    run = BackupRun.objects.get()
    assert not run.ok and "BACKUP_KEYS" in run.error
    assert Notification.objects.filter(recipient=it, level="danger").count() == 1
    assert SecurityEvent.objects.filter(kind="backup").exists()
    assert backup_status()["ok"] is False


def test_retention_keeps_daily_weekly_monthly(tmp_path):
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
    for day in range(120):
        for hour in (0, 12):
            t = start + timedelta(days=day, hours=hour)
            (tmp_path / f"hwerp-{t:%Y%m%d-%H%M%S}.hwbk").write_bytes(b"x")
    backup.apply_retention(tmp_path, daily=7, weekly=4, monthly=6)
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert len(kept) <= 7 + 4 + 6 and len(kept) >= 7
    assert kept[-1] == f"hwerp-{start + timedelta(days=119, hours=12):%Y%m%d-%H%M%S}.hwbk"
    assert json  # the module is used by the manifest tests above


def test_wrong_key_restore_command_refuses_and_restores_nothing(backups, tmp_path):
    path = backup.create_backup().path
    media = backups / "media" / "tickets" / "scan.pdf"
    media.write_bytes(b"changed after the backup")
    url, pg_name = _target_url(tmp_path)
    with override_settings(BACKUP_KEYS=[Fernet.generate_key().decode()]), \
            pytest.raises(CommandError, match="wrong key"):
        call_command("restore", str(path), database_url=url, stdout=DEVNULL)
    assert media.read_bytes() == b"changed after the backup"  # no file restored either
    if not pg_name:
        target = Path(url.removeprefix("sqlite:///"))
        assert not target.exists() or not target.stat().st_size


def test_restore_into_a_database_with_data_changes_nothing_in_it(backups, tmp_path):
    path = backup.create_backup().path
    url, pg_name = _target_url(tmp_path)
    if pg_name:
        _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}"')
        _pg_admin(f'CREATE DATABASE "{pg_name}"')
    try:
        call_command("restore", str(path), database_url=url, no_media=True, stdout=DEVNULL)
        target = _open(url)
        try:
            with target.cursor() as cursor:  # work done in the target after the restore
                cursor.execute("UPDATE core_department SET name_zh = 'after restore' WHERE code = 'bk0'")
            before = _snapshot(target)
        finally:
            target.close()
        media = backups / "media" / "tickets" / "scan.pdf"
        media.write_bytes(b"newer scan")
        with pytest.raises(CommandError, match="already has data"):
            call_command("restore", str(path), database_url=url, stdout=DEVNULL)
        target = _open(url)
        try:
            assert _snapshot(target) == before
        finally:
            target.close()
        assert media.read_bytes() == b"newer scan"
    finally:
        if pg_name:
            _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}"')
