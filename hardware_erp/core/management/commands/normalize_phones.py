from django.core.management.base import BaseCommand
from django.db import transaction

from hardware_erp.core.phones import normalize_stored_phones


class Command(BaseCommand):
    help = ("Rewrite stored phone numbers in the normalised form (0577-88888888 转 8001) and list the values that "
            "are not a phone number, which stay as they are for someone to correct.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only count and list, change nothing")

    def handle(self, *args, dry_run=False, **options):
        with transaction.atomic():
            found = normalize_stored_phones(write=not dry_run)
        verb = "would be rewritten" if dry_run else "rewritten"
        self.stdout.write(f"{found.changed} phone values {verb}; {len(found.unparseable)} are not phone numbers"
                          + (":" if found.unparseable else "."))
        for label, pk, field, value in found.unparseable:
            self.stdout.write(f"  {label}#{pk} {field}: {value!r}")
