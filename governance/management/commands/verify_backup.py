"""Restore the newest backup (or FILE) into a scratch database and compare row counts table by table.

    manage.py verify_backup [FILE]
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from governance.services import record_verification


class Command(BaseCommand):
    help = "Restore a backup into a scratch database and compare every table's row count with its manifest."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=None)

    def handle(self, *args, file, **options):
        run = record_verification(Path(file) if file else None)
        if not run.ok:
            raise CommandError(f"Verification of {run.file_name or 'the newest backup'} failed: {run.error}")
        self.stdout.write(self.style.SUCCESS(
            f"{run.file_name}: {run.detail['tables']} tables, {run.detail['rows']} rows, every count matches."))
