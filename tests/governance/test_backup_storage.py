"""Backups in object storage (S3 through django-storages; moto's in-process S3 here, moto's server in the cluster
test): a backup is uploaded with its SHA-256 beside it, a host with an empty BACKUP_DIR finds it, downloads it and
checks it before anything is decrypted; a changed byte in the bucket is refused; retention applies there too."""

from pathlib import Path

import pytest
from moto import mock_aws

from governance import backup
from hardware_erp.settings import _s3_storage

pytestmark = pytest.mark.django_db(transaction=True)
BUCKET = "hwerp-backups-test"


@pytest.fixture
def bucket(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    with mock_aws():
        import boto3

        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        settings.BACKUP_DIR = tmp_path / "host-a"
        settings.MEDIA_ROOT = tmp_path / "media"
        settings.STORAGES = {**settings.STORAGES,
                             "backups": _s3_storage(f"s3://{BUCKET}/erp?region=us-east-1", "backups")}
        yield s3


def _keys(s3):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_backup_uploaded_with_checksum_and_fetched_verified_on_another_host(bucket, settings, tmp_path):
    result = backup.create_backup()
    name = result.path.name
    assert _keys(bucket) == [f"erp/backups/{name}", f"erp/backups/{name}.sha256"]
    stored = bucket.get_object(Bucket=BUCKET, Key=f"erp/backups/{name}")["Body"].read()
    assert stored == result.path.read_bytes()
    checksum = bucket.get_object(Bucket=BUCKET, Key=f"erp/backups/{name}.sha256")["Body"].read().decode().split()[0]
    assert checksum == backup._sha256_file(result.path)

    # another host: nothing on its disk; the list comes from the bucket, reading downloads and checks
    settings.BACKUP_DIR = tmp_path / "host-b"
    assert [p.name for p in backup.backup_files()] == [name]
    assert not (tmp_path / "host-b" / name).exists()
    work = tmp_path / "work"
    work.mkdir()
    manifest = backup.open_backup(backup.backup_files()[0], work)
    assert (tmp_path / "host-b" / name).read_bytes() == stored
    assert manifest["row_counts"]["auth_group"] > 0


def test_changed_byte_in_the_bucket_is_refused_before_restore(bucket, settings, tmp_path):
    name = backup.create_backup().path.name
    body = bytearray(bucket.get_object(Bucket=BUCKET, Key=f"erp/backups/{name}")["Body"].read())
    body[-5] ^= 0x01
    bucket.put_object(Bucket=BUCKET, Key=f"erp/backups/{name}", Body=bytes(body))
    settings.BACKUP_DIR = tmp_path / "host-b"
    with pytest.raises(backup.BackupError, match="fails its checksum"):
        backup.open_backup(Path(name), tmp_path)
    assert not list((tmp_path / "host-b").iterdir())  # the bad download is not kept


def test_retention_deletes_old_backups_in_the_bucket(bucket, settings):
    from datetime import UTC, datetime

    for day in (1, 2, 3):
        backup.create_backup(now=datetime(2026, 11, day, 2, 30, tzinfo=UTC))
    deleted = backup.apply_retention(daily=1, weekly=0, monthly=0)
    assert sorted(p.name for p in deleted) == ["hwerp-20261101-023000.hwbk", "hwerp-20261102-023000.hwbk"]
    assert _keys(bucket) == ["erp/backups/hwerp-20261103-023000.hwbk", "erp/backups/hwerp-20261103-023000.hwbk.sha256"]
