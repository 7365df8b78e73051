"""Back up the database and media into BACKUP_DIR (compressed, encrypted, checksummed), then apply retention.

    manage.py backup [--dir DIR] [--no-retention]
"""

from django.core.management.base import BaseCommand, CommandError

from governance.services import record_backup


class Command(BaseCommand):
    help = "Write an encrypted, checksummed backup of the database and media (see docs/data-governance.md)."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=None, help="directory (default settings.BACKUP_DIR)")
        parser.add_argument("--no-retention", action="store_true", help="keep every older backup")

    def handle(self, *args, dir, no_retention, **options):
        run = record_backup(directory=dir, retention=not no_retention)
        if not run.ok:
            raise CommandError(f"Backup failed: {run.error}")
        self.stdout.write(self.style.SUCCESS(
            f"{run.file_name}: {run.size_bytes} bytes, {run.detail['rows']} rows in {run.detail['tables']} tables, "
            f"sha256 {run.checksum}"))
        for name in run.detail.get("deleted_by_retention", []):
            self.stdout.write(f"removed by retention: {name}")
