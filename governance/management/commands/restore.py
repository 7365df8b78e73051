"""Restore a backup made by `manage.py backup`.

    manage.py restore FILE [--force] [--no-media] [--database-url URL]

Checks the file's checksum, decrypts it (BACKUP_KEYS), checks that its migration state fits this code,
and refuses a target database that has data unless --force (which replaces everything in it).
Without --database-url the target is the configured database. Run `manage.py migrate` afterwards when
the code is newer than the backup.
"""

import tempfile
from pathlib import Path

import environ
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections

from governance import backup
from governance.services import record_restore

TARGET_ALIAS = "restore_target"


class Command(BaseCommand):
    help = "Restore a backup (checksum, key and migration checks; refuses a non-empty database without --force)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--force", action="store_true", help="replace a database that has data")
        parser.add_argument("--no-media", action="store_true", help="restore the database only")
        parser.add_argument("--database-url", default="", help="restore into this database instead")

    def handle(self, *args, file, force, no_media, database_url, **options):
        if database_url:
            db = {**connection.settings_dict, **environ.Env.db_url_config(database_url)}
            conn = connections.create_connection("default")
            conn.settings_dict = {**conn.settings_dict, **db}
        else:
            db, conn = dict(connection.settings_dict), connection
        try:
            with tempfile.TemporaryDirectory(prefix="hwerp-restore-") as tmp:
                work = Path(tmp)
                manifest = backup.open_backup(Path(file), work)
                newer = backup.check_migrations(manifest)
                backup.restore_database(work, manifest, db, force=force, conn=conn)
                files = 0 if no_media else backup.restore_media(work)
            # the restored database learns about the restore (and its own backup's run, which was in progress
            # when it was dumped): otherwise the backups page says "never" and the status page turns red
            found = backup.row_counts(conn)
            alias = DEFAULT_DB_ALIAS
            if conn is not connection:
                alias = TARGET_ALIAS
                connections[alias] = conn
            try:
                record_restore(Path(file), manifest, found_counts=found, media_files=files, using=alias)
            except DatabaseError as exc:  # a backup older than the code: its tables may need `migrate` first
                self.stderr.write(f"Restored, but the restore could not be recorded in the database ({exc}); "
                                  "run `manage.py migrate`, then `manage.py restore` is not needed again.")
            finally:
                if alias != DEFAULT_DB_ALIAS:
                    del connections[alias]
        except backup.BackupError as exc:
            raise CommandError(str(exc))
        finally:
            if conn is not connection:
                conn.close()
        self.stdout.write(self.style.SUCCESS(
            f"Restored {Path(file).name} (made {manifest['created_at']}, {sum(manifest['row_counts'].values())} rows, "
            f"{files} media files)."))
        if newer:
            self.stdout.write(f"The code has {len(newer)} newer migrations: run `manage.py migrate` now.")
