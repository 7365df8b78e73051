"""Backups of the database and uploaded media: consistent, compressed, encrypted, checksummed.

File format (`hwerp-<UTC time>.hwbk` in settings.BACKUP_DIR):

    HWERP-BACKUP 1\\n
    <manifest JSON, one line>\\n
    <payload: Fernet token (AES-128-CBC + HMAC-SHA256, key settings.BACKUP_KEYS[0]) of a gzip'd tar>

The manifest says when, which app version, the migration state, the row count of every table, the
sizes and the SHA-256 of the payload; the tar holds the same manifest, the database (pg_dump custom
format on PostgreSQL, an online-backup copy of the file on SQLite) and media.tar. A changed or missing
byte fails the checksum before anything is decrypted; a wrong key fails the decryption; either way
nothing is restored.
"""

import gzip
import hashlib
import io
import json
import logging
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

log = logging.getLogger(__name__)
MAGIC = b"HWERP-BACKUP 1\n"
SUFFIX = ".hwbk"


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why, for a person to read."""


# --- keys, files -------------------------------------------------------------------------------------------------

def _fernet() -> MultiFernet:
    keys = [k for k in settings.BACKUP_KEYS if k]
    if not keys:
        raise BackupError("BACKUP_KEYS is empty: set it (see .env.example)")
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def backup_dir() -> Path:
    path = Path(settings.BACKUP_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def backup_files() -> list[Path]:
    """Backups, newest first: the files in BACKUP_DIR, and with object storage every backup in the bucket (as its
    path in BACKUP_DIR, where `fetch` downloads it when it is read)."""
    local = {p.name: p for p in backup_dir().glob(f"hwerp-*{SUFFIX}")}
    for name in remote_names():
        local.setdefault(name, backup_dir() / name)
    return sorted(local.values(), key=lambda p: p.name, reverse=True)


# --- object storage (settings.STORAGES["backups"], when STORAGE_URL or BACKUP_STORAGE_URL is set) --------------------

def remote_storage():
    """The backups' object storage, or None when backups stay in BACKUP_DIR only."""
    from django.core.files.storage import storages

    return storages["backups"] if "backups" in settings.STORAGES else None


def remote_names() -> list[str]:
    storage = remote_storage()
    if storage is None:
        return []
    _dirs, files = storage.listdir("")
    return sorted(f for f in files if f.startswith("hwerp-") and f.endswith(SUFFIX))


def upload(path: Path) -> str:
    """Copy a finished backup to object storage with its SHA-256 beside it (`<name>.sha256`); the upload itself
    carries a checksum the storage verifies. Returns the checksum; raises BackupError when the stored size differs."""
    from django.core.files import File

    storage = remote_storage()
    digest = _sha256_file(path)
    with open(path, "rb") as fh:
        if storage.exists(path.name):
            storage.delete(path.name)
        stored = storage.save(path.name, File(fh, name=path.name))
    if stored != path.name or storage.size(stored) != path.stat().st_size:
        raise BackupError(f"{path.name}: the copy in object storage is not the file written ({stored}).")
    if storage.exists(path.name + ".sha256"):
        storage.delete(path.name + ".sha256")
    storage.save(path.name + ".sha256", io.BytesIO(f"{digest}  {path.name}\n".encode()))
    return digest


def fetch(path: Path) -> Path:
    """A backup to read: `path` when it is on disk; otherwise, with object storage, downloaded into BACKUP_DIR and
    checked against its stored SHA-256 (a mismatch is refused and the download removed)."""
    path = Path(path)
    if path.exists():
        return path
    storage = remote_storage()
    if storage is None or not storage.exists(path.name):
        raise BackupError(f"{path} does not exist.")
    target = backup_dir() / path.name
    partial = target.with_suffix(".download")
    h = hashlib.sha256()
    with storage.open(path.name, "rb") as src, open(partial, "wb") as dst:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            h.update(chunk)
            dst.write(chunk)
    expected = ""
    if storage.exists(path.name + ".sha256"):
        with storage.open(path.name + ".sha256", "rb") as fh:
            expected = fh.read().decode().split()[0]
    if h.hexdigest() != expected:
        partial.unlink(missing_ok=True)
        why = "changed or truncated" if expected else "no checksum stored"
        raise BackupError(f"{path.name}: the download from object storage fails its checksum ({why}). "
                          "Nothing was restored.")
    partial.replace(target)
    return target


def app_version() -> str:
    try:
        out = subprocess.run(["git", "-C", str(settings.BASE_DIR), "describe", "--always", "--dirty"],
                             capture_output=True, text=True, timeout=5)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return "unknown"


def code_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def applied_migrations(conn) -> list[tuple[str, str]]:
    with conn.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [tuple(r) for r in cursor.fetchall()]


def row_counts(conn) -> dict[str, int]:
    counts = {}
    tables = sorted(conn.introspection.table_names())
    with conn.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")  # noqa: S608  # nosec B608 (quoted table/column names from the models, values bound)
            counts[table] = cursor.fetchone()[0]
    return counts


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --- PostgreSQL helpers ----------------------------------------------------------------------------------------

def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db: dict) -> list[str]:
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return args


def _run(cmd, env=None):
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise BackupError(f"{cmd[0]} failed: {result.stderr.strip()[:500]}")
    return result


# --- backup ----------------------------------------------------------------------------------------------------

@dataclass
class BackupResult:
    path: Path
    manifest: dict


def _dump_database(workdir: Path) -> tuple[str, dict, list]:
    """Write the database into workdir; returns (file name, row counts, migrations) of the same snapshot."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        target = workdir / "db.dump"
        connection.ensure_connection()
        with connection.cursor() as cursor:  # counts and dump from one snapshot
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                counts = row_counts(connection)
                migrations = applied_migrations(connection)
                _run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                      *_pg_args(db), "-f", str(target), str(db["NAME"])], env=_pg_env(db))
            finally:
                cursor.execute("COMMIT")
        return target.name, counts, migrations
    if connection.vendor == "sqlite":
        target = workdir / "db.sqlite3"
        connection.ensure_connection()
        dst = sqlite3.connect(target)
        try:
            connection.connection.backup(dst)  # the online backup API: a consistent copy
        finally:
            dst.close()
        copy = connections.create_connection("default")
        copy.settings_dict = {**copy.settings_dict, "NAME": str(target)}
        try:
            return target.name, row_counts(copy), applied_migrations(copy)
        finally:
            copy.close()
    raise BackupError(f"backups support PostgreSQL and SQLite, not {connection.vendor}")


def _media_on_disk() -> bool:
    from django.core.files.storage import FileSystemStorage, storages

    return isinstance(storages["default"], FileSystemStorage)


def _storage_walk(storage, folder=""):
    dirs, files = storage.listdir(folder)
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for d in sorted(dirs):
        yield from _storage_walk(storage, f"{folder}/{d}" if folder else d)


def _media_tar(workdir: Path) -> Path:
    from django.core.files.storage import default_storage

    target = workdir / "media.tar"
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(target, "w") as tar:
        if not _media_on_disk():  # uploads in object storage: each one read from there
            for name in _storage_walk(default_storage):
                with default_storage.open(name, "rb") as fh:
                    data = fh.read()
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        elif media.exists():
            for item in sorted(media.rglob("*")):
                if item.is_file():
                    tar.add(item, arcname=str(item.relative_to(media)))
    return target


def create_backup(directory: Path | None = None, *, now=None, run_id=None) -> BackupResult:
    """Write a backup file. `run_id` is the BackupRun recording it: the dump holds that row while it is still in
    progress, so a restore marks it finished from the manifest (`services.record_restore`)."""
    directory = Path(directory) if directory else backup_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)  # backups hold every record: only the account running them may list or read them
    now = now or timezone.now()
    with tempfile.TemporaryDirectory(prefix="hwerp-backup-") as tmp:
        work = Path(tmp)
        db_name, counts, migrations = _dump_database(work)
        media = _media_tar(work)
        inner = {
            "format": 1, "created_at": now.isoformat(), "app_version": app_version(), "vendor": connection.vendor,
            "database_file": db_name, "database_bytes": (work / db_name).stat().st_size,
            "database_sha256": _sha256_file(work / db_name), "media_bytes": media.stat().st_size,
            "media_sha256": _sha256_file(media), "migrations": [list(m) for m in migrations], "row_counts": counts,
            "run_id": run_id,
        }
        (work / "manifest.json").write_text(json.dumps(inner, ensure_ascii=False, indent=1))
        buf = io.BytesIO()
        with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=6, mtime=0) as gz, \
                tarfile.open(fileobj=gz, mode="w") as tar:
            for name in ("manifest.json", db_name, media.name):
                tar.add(work / name, arcname=name)
        compressed = buf.getvalue()
        payload = _fernet().encrypt(compressed)
        manifest = {**inner, "compressed_bytes": len(compressed), "payload_bytes": len(payload),
                    "payload_sha256": hashlib.sha256(payload).hexdigest()}
        path = directory / f"hwerp-{now.astimezone(UTC):%Y%m%d-%H%M%S}{SUFFIX}"
        partial = path.with_suffix(".partial")
        # 0600 from the first byte (not 0644 under the default umask, then chmod): a backup holds every record
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as fh:
            os.fchmod(fh.fileno(), 0o600)
            fh.write(MAGIC)
            fh.write(json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        partial.replace(path)
    if remote_storage() is not None:
        upload(path)
    return BackupResult(path=path, manifest=manifest)


# --- reading a backup ------------------------------------------------------------------------------------------

def read_manifest(path: Path) -> dict:
    path = fetch(path)
    with open(path, "rb") as fh:
        if fh.read(len(MAGIC)) != MAGIC:
            raise BackupError(f"{path.name} is not a Hardware ERP backup (or its first bytes are damaged).")
        line = fh.readline()
    try:
        return json.loads(line)
    except ValueError:
        raise BackupError(f"{path.name}: the manifest is damaged.")


def open_backup(path: Path, workdir: Path) -> dict:
    """Check the checksum, decrypt and unpack into workdir; returns the manifest."""
    path = fetch(path)
    manifest = read_manifest(path)
    with open(path, "rb") as fh:
        fh.readline()
        fh.readline()
        payload = fh.read()
    if len(payload) != manifest.get("payload_bytes") or \
            hashlib.sha256(payload).hexdigest() != manifest.get("payload_sha256"):
        raise BackupError(f"{path.name} fails its checksum: the file is corrupted or truncated. Nothing was restored.")
    try:
        compressed = _fernet().decrypt(payload)
    except InvalidToken:
        raise BackupError(f"{path.name} cannot be decrypted with the configured BACKUP_KEYS (wrong key). "
                          "Nothing was restored.")
    with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as gz, tarfile.open(fileobj=gz, mode="r") as tar:
        tar.extractall(workdir, filter="data")
    inner = json.loads((workdir / "manifest.json").read_text())
    for key in ("database_sha256", "media_sha256", "created_at", "migrations"):
        if inner.get(key) != manifest.get(key):
            raise BackupError(f"{path.name}: the manifest does not match the backup's contents.")
    if _sha256_file(workdir / inner["database_file"]) != inner["database_sha256"]:
        raise BackupError(f"{path.name}: the database inside the backup fails its checksum.")
    return inner


def check_migrations(manifest: dict) -> list[tuple[str, str]]:
    """Refuse a backup made by a newer version of the code; returns migrations the code has and the backup
    lacks (run `migrate` after restoring)."""
    backup = {tuple(m) for m in manifest["migrations"]}
    code = code_migrations()
    unknown = sorted(backup - code)
    if unknown:
        shown = ", ".join(f"{a}.{n}" for a, n in unknown[:5])
        raise BackupError(f"The backup has migrations this code does not know ({shown}): restore it with the "
                          "version of the application that made it.")
    return sorted(code - backup)


# --- restore ---------------------------------------------------------------------------------------------------

def _database_has_data(conn) -> bool:
    tables = conn.introspection.table_names()
    if not tables:
        return False
    with conn.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT 1 FROM {conn.ops.quote_name(table)} LIMIT 1")  # noqa: S608  # nosec B608 (quoted table/column names from the models, values bound)
            if cursor.fetchone():
                return True
    return False


def _pg_clear(db: dict):
    _run(["psql", *_pg_args(db), "-v", "ON_ERROR_STOP=1", "-q", "-d", str(db["NAME"]), "-c",
          "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"], env=_pg_env(db))


def restore_database(workdir: Path, manifest: dict, db: dict, *, force=False, conn=None) -> None:
    """Restore the unpacked database into `db` (a settings dict). Refuses a database with data unless force."""
    vendor = manifest["vendor"]
    engine = db["ENGINE"]
    if vendor == "postgresql" and "postgresql" not in engine or vendor == "sqlite" and "sqlite" not in engine:
        raise BackupError(f"The backup is of a {vendor} database; the target is {engine}.")
    if conn is not None and _database_has_data(conn) and not force:
        raise BackupError("The target database already has data. Restore into an empty database, or pass --force "
                          "to replace everything in it.")
    source = workdir / manifest["database_file"]
    if vendor == "postgresql":
        if conn is not None:
            conn.close()
        if force:
            _pg_clear(db)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              *_pg_args(db), "-d", str(db["NAME"]), str(source)], env=_pg_env(db))
    else:
        if conn is not None:
            conn.close()
        src = sqlite3.connect(source)
        dst = sqlite3.connect(db["NAME"])
        try:
            src.backup(dst)  # replaces the whole target database, in one step
        finally:
            src.close()
            dst.close()


def restore_media(workdir: Path, media_root: Path | None = None) -> int:
    if media_root is None and not _media_on_disk():  # back into object storage, under the same names
        from django.core.files.storage import default_storage

        with tarfile.open(workdir / "media.tar") as tar:
            members = [m for m in tar.getmembers() if m.isfile()]
            for m in members:
                if default_storage.exists(m.name):
                    default_storage.delete(m.name)
                default_storage.save(m.name, tar.extractfile(m))
        return len(members)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(workdir / "media.tar") as tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        tar.extractall(media_root, members=members, filter="data")
    return len(members)


# --- verification on a scratch database --------------------------------------------------------------------------

def verify_backup(path: Path) -> dict:
    """Restore `path` into a scratch database and compare the row count of every table with the manifest.
    Returns {"ok", "tables", "differences": {table: [expected, found]}}."""
    with tempfile.TemporaryDirectory(prefix="hwerp-verify-") as tmp:
        work = Path(tmp)
        manifest = open_backup(path, work)
        check_migrations(manifest)
        db = dict(connection.settings_dict)
        if manifest["vendor"] == "postgresql":
            scratch = f"{db['NAME']}_verify"[:63]
            admin = {**db, "NAME": "postgres"}
            _run(["psql", *_pg_args(admin), "-q", "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{scratch}"'],
                 env=_pg_env(admin))
            _run(["psql", *_pg_args(admin), "-q", "-d", "postgres", "-c", f'CREATE DATABASE "{scratch}"'],
                 env=_pg_env(admin))
            target = {**db, "NAME": scratch}
        else:
            target = {**db, "NAME": str(work / "scratch.sqlite3")}
        try:
            restore_database(work, manifest, target)
            conn = connections.create_connection("default")
            conn.settings_dict = {**conn.settings_dict, "NAME": target["NAME"]}
            try:
                found = row_counts(conn)
            finally:
                conn.close()
        finally:
            if manifest["vendor"] == "postgresql":
                _run(["psql", *_pg_args(admin), "-q", "-d", "postgres", "-c",
                      f'DROP DATABASE IF EXISTS "{scratch}"'], env=_pg_env(admin))
    expected = manifest["row_counts"]
    differences = {t: [expected.get(t), found.get(t)] for t in sorted(set(expected) | set(found))
                   if expected.get(t) != found.get(t)}
    return {"ok": not differences, "tables": len(expected), "rows": sum(expected.values()),
            "differences": differences}


# --- retention ---------------------------------------------------------------------------------------------------

def _created(path: Path) -> datetime:
    stamp = path.name[len("hwerp-"):-len(SUFFIX)]
    return datetime.strptime(stamp, "%Y%m%d-%H%M%S").replace(tzinfo=UTC)


def _retained(names: list[str], daily: int, weekly: int, monthly: int) -> set[str]:
    """The newest backup of each of the last `daily` days, `weekly` ISO weeks and `monthly` months."""
    names = sorted(names, key=lambda n: _created(Path(n)), reverse=True)
    keep = set()
    for count, key in ((daily, lambda d: d.date()), (weekly, lambda d: d.isocalendar()[:2]),
                       (monthly, lambda d: (d.year, d.month))):
        seen = []
        for n in names:
            k = key(_created(Path(n)))
            if k in seen:
                continue
            if len(seen) >= count:
                break
            seen.append(k)
            keep.add(n)
    return keep


def apply_retention(directory: Path | None = None, *, daily=None, weekly=None, monthly=None) -> list[Path]:
    """Keep the newest backup of each of the last `daily` days, `weekly` ISO weeks and `monthly` months;
    delete the others (in BACKUP_DIR, and in object storage when there is one). Returns the deleted files."""
    daily = settings.BACKUP_KEEP_DAILY if daily is None else daily
    weekly = settings.BACKUP_KEEP_WEEKLY if weekly is None else weekly
    monthly = settings.BACKUP_KEEP_MONTHLY if monthly is None else monthly
    directory = Path(directory) if directory else backup_dir()
    files = list(directory.glob(f"hwerp-*{SUFFIX}"))
    keep = _retained([f.name for f in files], daily, weekly, monthly)
    deleted = sorted((f for f in files if f.name not in keep), key=lambda f: f.name, reverse=True)
    for f in deleted:
        f.unlink()
    storage = remote_storage() if directory == backup_dir() else None
    if storage is not None:
        names = remote_names()
        keep_remote = _retained(names, daily, weekly, monthly)
        for n in names:
            if n not in keep_remote:
                storage.delete(n)
                if storage.exists(n + ".sha256"):
                    storage.delete(n + ".sha256")
                if backup_dir() / n not in deleted:
                    deleted.append(backup_dir() / n)
    return deleted
